"""Models (``keras.models``): Sequential; Model, saving and rebuilding come from the engine."""
import warnings

from kcore.engine import serialization
from kcore.engine.saving import (load_model, model_from_config, model_from_json,
                                 model_from_yaml, save_model)
from kcore.engine.topology import Container, Merge, Node, get_source_inputs
from kcore.engine.training import Model
from kcore.plugins import hookimpl

# Names Keras 1.1.2's module also offered (through its own imports), for scripts that use them.
from kcore import backend as K  # noqa: F401
from kcore import optimizers  # noqa: F401
from kcore.engine.topology import Layer  # noqa: F401
from kcore.optimizers import optimizer_from_config  # noqa: F401
from kcore.utils.io_utils import ask_to_proceed_with_overwrite  # noqa: F401

__all__ = ['Sequential', 'Model', 'model_from_config', 'model_from_json', 'model_from_yaml',
           'load_model', 'save_model']


class Sequential(Model):
    """A linear stack of layers: ``Sequential([Dense(32, input_dim=784), ...])`` or
    ``model.add(layer)``. The first layer needs an input shape, or is a Merge of
    Sequential models (then the model takes one array per branch)."""

    def __init__(self, layers=None, name=None):
        self._init_layer(name)
        self.layers = []
        self._layer_outputs = []
        self._rebuild([], [])
        for layer in layers or []:
            self.add(layer)

    def add(self, layer):
        """Stack ``layer`` on top of the model."""
        if not self.outputs:
            inputs, output = self._first_connection(layer)
        else:
            output = layer(self.outputs[0])
            if isinstance(output, list):
                raise ValueError('Layer %s returns %d tensors; every layer of a Sequential model '
                                 'must return one. Use the functional API (Model) instead.'
                                 % (layer.name, len(output)))
            inputs = self.inputs
        self.layers.append(layer)
        self._layer_outputs.append(output)
        self._rebuild(inputs, [output])

    def _first_connection(self, layer):
        if not getattr(layer, 'inbound_nodes', None):
            shape = getattr(layer, 'batch_input_shape', None)
            if shape is None:
                raise ValueError('The first layer of a Sequential model needs the input shape: '
                                 'give layer %s (%s) input_shape=..., batch_input_shape=... or '
                                 'input_dim=....' % (layer.name, type(layer).__name__))
            layer.create_input_layer(shape, getattr(layer, 'input_dtype', None))
        if len(layer.inbound_nodes) != 1:
            raise ValueError('A layer added to a Sequential model must not be connected '
                             'elsewhere; layer %s has %d inbound nodes.'
                             % (layer.name, len(layer.inbound_nodes)))
        outputs = layer.inbound_nodes[0].output_tensors
        if len(outputs) != 1:
            raise ValueError('The first layer of a Sequential model must have one output; '
                             'layer %s has %d.' % (layer.name, len(outputs)))
        return get_source_inputs(outputs[0]), outputs[0]

    def pop(self):
        """Remove the last layer."""
        if not self.layers:
            raise ValueError('Sequential model %s has no layers to pop.' % (self.name,))
        layer = self.layers.pop()
        self._layer_outputs.pop()
        if not self.layers:
            self.inbound_nodes = []
            self._rebuild([], [])
            return
        for previous in self.layers[-1:]:
            previous.outbound_nodes = [n for n in previous.outbound_nodes
                                       if n.outbound_layer is not layer]
        self._rebuild(self.inputs, [self._layer_outputs[-1]])

    def _rebuild(self, inputs, outputs):
        """Recompute the graph and the model's own node after add/pop."""
        self._init_graph(inputs, outputs)
        self._predict_function = None
        if not outputs:
            return
        fields = dict(input_tensors=self.inputs, output_tensors=self.outputs,
                      input_masks=[None] * len(self.inputs), output_masks=self.output_masks,
                      input_shapes=self.internal_input_shapes,
                      output_shapes=self.internal_output_shapes)
        if self.inbound_nodes:
            self.inbound_nodes[0].__dict__.update(fields)
        else:
            Node(self, [], [], [], **fields)

    def build(self, input_shape=None):
        if not self.layers:
            raise ValueError('Sequential model %s has no layers; add some first.' % (self.name,))
        self.built = True

    @property
    def model(self):
        """The model itself: Keras 1.1.2's Sequential wrapped an inner functional Model
        here (``model.model``); kcore's Sequential is that Model, with the same layers,
        inputs, outputs and compiled functions."""
        return self

    @property
    def flattened_layers(self):
        """The units of a saved weight file, in Keras 1.1.2's order: the branches of a first
        Merge expanded into their layers, then this model's layers (a nested model is one
        unit, saved in one group)."""
        units = []
        if self.layers and isinstance(self.layers[0], Merge) and self.layers[0].layers:
            for branch in self.layers[0].layers:
                units.extend(_expand(branch))
        units.extend(self.layers[1:] if units else self.layers)
        flat = []
        for unit in units:
            if not any(unit is known for known in flat):
                flat.append(unit)
        return flat

    def _weight_layers(self):
        return self.flattened_layers

    def _ordered_weights(self):
        return [(layer, w) for layer in self.flattened_layers for w in layer.weights]

    # -------------------------------------------------------------- training
    def compile(self, optimizer, loss, metrics=None, sample_weight_mode=None, **kwargs):
        """Configure training (Keras 1's Sequential order of arguments: no loss_weights
        before sample_weight_mode; it may still be given by keyword). See Model.compile."""
        super().compile(optimizer, loss, metrics=metrics, sample_weight_mode=sample_weight_mode,
                        **kwargs)

    # ------------------------------------------------------------ prediction
    def predict_proba(self, x, batch_size=32, verbose=1):
        """Class probabilities (the model's output); warns if they are not in [0, 1]."""
        predictions = self.predict(x, batch_size=batch_size, verbose=verbose)
        if predictions.min() < 0 or predictions.max() > 1:
            warnings.warn('Model %s returned values outside [0, 1]: its last layer might not '
                          'produce probabilities (as softmax or sigmoid would).' % (self.name,))
        return predictions

    def predict_classes(self, x, batch_size=32, verbose=1):
        """Class indices: the argmax of the output, or output > 0.5 for a single unit."""
        probabilities = self.predict(x, batch_size=batch_size, verbose=verbose)
        if probabilities.shape[-1] > 1:
            return probabilities.argmax(axis=-1)
        return (probabilities > 0.5).astype('int32')

    # ---------------------------------------------------------------- config
    def get_config(self):
        """The list of layer configs ({'class_name', 'config'}), Keras 1 style; a first
        Merge of models carries its branches under 'layers'."""
        config = []
        for index, layer in enumerate(self.layers):
            entry = {'class_name': type(layer).__name__, 'config': layer.get_config()}
            if index == 0 and isinstance(layer, Merge) and layer.layers:
                entry['config']['layers'] = [
                    {'class_name': type(b).__name__, 'config': b.get_config()}
                    for b in layer.layers]
            config.append(entry)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None, layer_cache=None):
        """Rebuild from ``get_config``'s list; layers named twice are one shared layer."""
        if not isinstance(config, list):
            raise ValueError('Sequential.from_config expects the list that '
                             'Sequential.get_config() returns; got %s. For a functional model '
                             'use Model.from_config.' % (type(config).__name__,))
        cache = {} if layer_cache is None else layer_cache
        model = cls()
        with serialization.custom_object_scope(custom_objects):
            for index, entry in enumerate(config):
                entry = _legacy_entry(entry)
                if index == 0 and entry['class_name'] == 'Merge' and \
                        entry['config'].get('layers'):
                    merge_config = dict(entry['config'])
                    merge_config['layers'] = [_layer(b, cache) for b in merge_config['layers']]
                    model.add(Merge.from_config(merge_config))
                else:
                    model.add(_layer(entry, cache))
        return model


def _expand(layer):
    if isinstance(layer, Sequential):
        return layer.flattened_layers
    if isinstance(layer, Container):
        return layer.layers
    return [layer]


def _legacy_entry(entry):
    """A Keras 0.x entry ({'name': class name, 'custom_name': ...}) in the 1.x form."""
    if 'class_name' in entry:
        return entry
    config = dict(entry)
    class_name = config.pop('name')
    config['name'] = config.pop('custom_name', None)
    return {'class_name': class_name, 'config': config}


def _layer(entry, cache):
    entry = _legacy_entry(entry)
    if entry['class_name'] == 'Sequential':
        return Sequential.from_config(entry['config'], layer_cache=cache)
    name = entry['config'].get('name') if isinstance(entry['config'], dict) else None
    if name is not None and name in cache:
        return cache[name]
    layer = serialization.deserialize_layer(entry)
    if name is not None:
        cache[name] = layer
    return layer


@hookimpl
def register_layers(register):
    """The engine's layer classes, so that configs naming them load."""
    from kcore.engine.topology import InputLayer
    for cls in (InputLayer, Merge, Container, Model, Sequential):
        register(cls.__name__, cls)
