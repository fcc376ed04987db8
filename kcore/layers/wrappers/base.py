"""Wrapper: a layer that runs another layer (``keras.layers.wrappers.Wrapper``).

The wrapper owns no weights of its own: its weights, updates, constraints and penalties
are those of the wrapped layer(s), read live (so ``trainable`` changes on either count).
"""
from kcore.engine import serialization
from kcore.engine.topology import Layer


class Wrapper(Layer):
    """Base class of TimeDistributed and Bidirectional; ``layer`` is the wrapped layer."""

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise TypeError('%s wraps a layer (or a model); got %r.'
                            % (type(self).__name__, layer))
        self.layer = layer
        super().__init__(**kwargs)

    def inner_layers(self):
        """The layers whose weights are the wrapper's, in get_weights order."""
        return [self.layer]

    @property
    def uses_learning_phase(self):
        return any(layer.uses_learning_phase for layer in self.inner_layers())

    @property
    def stateful(self):
        return any(getattr(layer, 'stateful', False) for layer in self.inner_layers())

    def reset_states(self, *args, **kwargs):
        for layer in self.inner_layers():
            if getattr(layer, 'stateful', False):
                layer.reset_states(*args, **kwargs)

    def _build_inner(self, layer, input_shape):
        if not layer.built:
            layer._build_once(input_shape)

    # ------------------------------------------------------------- weights
    @property
    def trainable_weights(self):
        if not self.trainable:
            return []
        return [w for layer in self.inner_layers() for w in layer.trainable_weights]

    @trainable_weights.setter
    def trainable_weights(self, weights):
        raise AttributeError('%s has no weights of its own; set those of the wrapped layer.'
                             % (type(self).__name__,))

    @property
    def non_trainable_weights(self):
        weights = [w for layer in self.inner_layers() for w in layer.non_trainable_weights]
        if self.trainable:
            return weights
        return [w for layer in self.inner_layers() for w in layer.trainable_weights] + weights

    @non_trainable_weights.setter
    def non_trainable_weights(self, weights):
        raise AttributeError('%s has no weights of its own; set those of the wrapped layer.'
                             % (type(self).__name__,))

    def get_weights(self):
        return [w for layer in self.inner_layers() for w in layer.get_weights()]

    def set_weights(self, weights):
        weights = list(weights)
        for layer in self.inner_layers():
            count = len(layer.weights)
            layer.set_weights(weights[:count])
            weights = weights[count:]
        if weights:
            raise ValueError('Layer %s: set_weights got %d arrays too many.'
                             % (self.name, len(weights)))

    def convert_loaded_weights(self, weights, source):
        converted, weights = [], list(weights)
        for layer in self.inner_layers():
            count = len(layer.weights)
            converted += list(layer.convert_loaded_weights(weights[:count], source))
            weights = weights[count:]
        return converted + weights

    @property
    def constraints(self):
        merged = {}
        for layer in self.inner_layers():
            merged.update(layer.constraints)
        return merged

    @constraints.setter
    def constraints(self, value):
        raise AttributeError('%s has no constraints of its own; set those of the wrapped '
                             'layer.' % (type(self).__name__,))

    @property
    def updates(self):
        return [u for layer in self.inner_layers() for u in layer.updates] + list(self._updates)

    @updates.setter
    def updates(self, value):
        self._updates = list(value)

    def _weight_losses(self):
        return [loss for layer in self.inner_layers() for loss in layer._weight_losses()]

    # -------------------------------------------------------------- config
    def get_config(self):
        config = {'layer': {'class_name': type(self.layer).__name__,
                            'config': self.layer.get_config()}}
        return dict(super().get_config(), **config)

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        layer = serialization.deserialize_layer(config.pop('layer'))
        return cls(layer, **config)
