"""Bidirectional: run a recurrent layer forwards and backwards and merge the outputs."""
from kcore import backend as K
from kcore.engine.tensors import call_layer
from kcore.layers.wrappers.base import Wrapper

MERGE_MODES = ('concat', 'sum', 'mul', 'ave', None)


class Bidirectional(Wrapper):
    """``Bidirectional(LSTM(10, return_sequences=True), input_shape=(5, 10))``.

    Two copies of ``layer`` are made from its config: 'forward_<name>' reads the sequence
    as ``layer`` would, 'backward_<name>' in the other direction (its output sequence is
    reversed back to align the steps). ``merge_mode``: 'concat' (last axis), 'sum',
    'mul', 'ave', or None for the list [forward output, backward output]. Weights: the
    forward layer's then the backward layer's; ``weights`` splits in two halves.
    """

    def __init__(self, layer, merge_mode='concat', weights=None, **kwargs):
        if merge_mode not in MERGE_MODES:
            raise ValueError('Bidirectional: merge_mode must be one of %s; got %r.'
                             % (', '.join(map(repr, MERGE_MODES)), merge_mode))
        if not hasattr(layer, 'go_backwards') or not hasattr(layer, 'return_sequences'):
            raise TypeError('Bidirectional wraps a recurrent layer (with go_backwards and '
                            'return_sequences, e.g. LSTM); got %r.' % (layer,))
        self.merge_mode = merge_mode
        self.forward_layer = _copy(layer, 'forward_', layer.go_backwards)
        self.backward_layer = _copy(layer, 'backward_', not layer.go_backwards)
        initial = layer.get_weights() if layer.built else layer.initial_weights
        if initial is not None:   # the forward copy starts as ``layer`` would
            self.forward_layer.initial_weights = list(initial)
        if weights is not None:
            half = len(weights) // 2
            self.forward_layer.initial_weights = list(weights[:half])
            self.backward_layer.initial_weights = list(weights[half:])
        self.return_sequences = layer.return_sequences
        shape = getattr(layer, 'batch_input_shape', None)
        if shape is not None and 'input_shape' not in kwargs:
            kwargs.setdefault('batch_input_shape', shape)
        super().__init__(layer, **kwargs)
        self.supports_masking = True

    def inner_layers(self):
        return [self.forward_layer, self.backward_layer]

    def build(self, input_shape):
        for layer in self.inner_layers():
            self._build_inner(layer, input_shape)
        self.built = True

    def get_output_shape_for(self, input_shape):
        shape = self.forward_layer.get_output_shape_for(input_shape)
        if self.merge_mode is None:
            return [shape, shape]
        if self.merge_mode == 'concat':
            last = None if shape[-1] is None else 2 * shape[-1]
            return tuple(shape[:-1]) + (last,)
        return shape

    def call(self, x, mask=None):
        y = call_layer(self.forward_layer, x, mask)
        y_rev = call_layer(self.backward_layer, x, mask)
        if self.return_sequences:
            y_rev = K.reverse(y_rev, 1)
        if self.merge_mode == 'concat':
            return K.concatenate([y, y_rev], axis=-1)
        if self.merge_mode == 'sum':
            return y + y_rev
        if self.merge_mode == 'ave':
            return (y + y_rev) / 2
        if self.merge_mode == 'mul':
            return y * y_rev
        return [y, y_rev]

    def reset_states(self, states=None):
        """Reset both directions; ``states`` (if given) lists the forward layer's states,
        then the backward layer's."""
        if states is None:
            return super().reset_states()
        states = list(states)
        half = len(states) // 2
        self.forward_layer.reset_states(states[:half])
        self.backward_layer.reset_states(states[half:])

    def compute_mask(self, input, mask=None):
        out = mask if self.return_sequences else None
        return [out, out] if self.merge_mode is None else out

    def get_config(self):
        return dict(super().get_config(), merge_mode=self.merge_mode)


def _copy(layer, prefix, go_backwards):
    """A fresh layer built from ``layer``'s config, renamed, reading in the given direction."""
    config = dict(layer.get_config(), name=prefix + layer.name, go_backwards=go_backwards)
    return type(layer).from_config(config)
