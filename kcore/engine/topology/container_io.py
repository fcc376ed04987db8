"""What a container shows and writes: summary, JSON / YAML configs and HDF5 files, through
:mod:`kcore.engine.saving` (which never imports the topology back)."""
from kcore.engine.saving import model_config, model_files


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

    def to_json(self, **kwargs):
        """The architecture (no weights) as JSON; ``model_from_json`` rebuilds it."""
        return model_config.to_json(self, **kwargs)

    def to_yaml(self, **kwargs):
        """The architecture (no weights) as YAML; ``model_from_yaml`` rebuilds it."""
        return model_config.to_yaml(self, **kwargs)

    def save(self, filepath, overwrite=True):
        """Write architecture, weights, training configuration and optimizer state to one
        HDF5 file; ``kcore.models.load_model`` reads it back."""
        model_files.save_model(self, filepath, overwrite=overwrite)

    def save_weights(self, filepath, overwrite=True):
        """Write the weights to an HDF5 file (the Keras 1.x layout)."""
        model_files.save_weights(self, filepath, overwrite=overwrite)

    def load_weights(self, filepath, by_name=False):
        """Load weights written by ``save_weights``: in layer order, or with
        ``by_name=True`` only into the layers whose names match."""
        model_files.load_weights(self, filepath, by_name=by_name)
