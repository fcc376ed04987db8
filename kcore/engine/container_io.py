"""What a container shows and writes: summary, JSON / YAML configs, and HDF5 files
(through :mod:`kcore.engine.saving`)."""
import json

import numpy as np


def _json_default(obj):
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, type):
        return obj.__name__
    raise TypeError('%r is not JSON serializable (found in a model config).' % (obj,))


def plain(value):
    """``value`` with tuples as lists and numpy values as Python ones (for YAML)."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (np.generic, np.ndarray, type)):
        return _json_default(value)
    return value


class ContainerIOMixin:
    """summary, to_json, to_yaml, save, save_weights, load_weights."""

    def summary(self, line_length=100, positions=(.33, .55, .67, 1.), print_fn=print):
        """Print the layers (name and type, output shape, parameter count, inputs) and the
        total, trainable and non-trainable parameter counts."""
        from kcore.utils.layer_utils import print_summary
        layers = getattr(self, 'flattened_layers', None) or self.layers
        relevant = None if hasattr(self, 'flattened_layers') else self.container_nodes
        print_summary(layers, relevant_nodes=relevant, line_length=line_length,
                      positions=positions, print_fn=print_fn)

    def _model_config(self):
        return {'class_name': type(self).__name__, 'config': self.get_config()}

    def to_json(self, **kwargs):
        """The architecture (no weights) as JSON; ``model_from_json`` rebuilds it."""
        return json.dumps(self._model_config(), default=_json_default, **kwargs)

    def to_yaml(self, **kwargs):
        """The architecture (no weights) as YAML; ``model_from_yaml`` rebuilds it."""
        import yaml
        return yaml.safe_dump(plain(self._model_config()), **kwargs)

    def save(self, filepath, overwrite=True):
        """Write architecture, weights, training configuration and optimizer state to one
        HDF5 file; ``kcore.models.load_model`` reads it back."""
        from kcore.engine import saving
        saving.save_model(self, filepath, overwrite=overwrite)

    def save_weights(self, filepath, overwrite=True):
        """Write the weights to an HDF5 file (the Keras 1.x layout)."""
        from kcore.engine import saving
        saving.save_weights(self, filepath, overwrite=overwrite)

    def load_weights(self, filepath, by_name=False):
        """Load weights written by ``save_weights``: in layer order, or with
        ``by_name=True`` only into the layers whose names match."""
        from kcore.engine import saving
        saving.load_weights(self, filepath, by_name=by_name)
