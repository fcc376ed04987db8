"""DenseRecurrent: what SimpleRNN, GRU and LSTM share — per-gate affine maps of the input
(W, b) and of the previous output (U), their weight layouts, regularizers and dropout.

Weight layouts (Keras 1.1.2): with ``consume_less`` 'cpu' or 'mem' each gate has its own
W_g (input_dim, output_dim), U_g (output_dim, output_dim) and b_g (output_dim,), listed in
``weight_order``; with 'gpu' (and always for a single-gate layer) there is one W, U and b
with the gates side by side in ``gates`` order. ``set_weights`` accepts either layout.
"""
import numbers

import numpy as np

from kcore import backend as K
from kcore import activations, initializations, regularizers
from kcore.backend.protocol import LSTM_ACTIVATIONS
from kcore.layers.base import activation_config, config_of, get_activation, positive_int
from kcore.layers.recurrent.base import Recurrent


class DenseRecurrent(Recurrent):
    """Base of SimpleRNN, GRU and LSTM (see the module docstring for the weights).

    Dropout (Gal & Ghahramani): ``dropout_W`` / ``dropout_U`` drop input / recurrent units
    with masks sampled once per sequence (the same at every step), in the training phase
    only. Decision: the masks take the batch size from the input, so
    unlike Keras 1.1.2 on TensorFlow, dropout needs no fixed batch size.
    """

    gates = ('',)          # gate names, in the order of the concatenated weights
    weight_order = ('',)   # gate names, in the order of the per-gate weights

    def __init__(self, output_dim, init='glorot_uniform', inner_init='orthogonal',
                 activation='tanh', W_regularizer=None, U_regularizer=None,
                 b_regularizer=None, dropout_W=0., dropout_U=0., **kwargs):
        self.output_dim = positive_int(self, 'output_dim', output_dim)
        set_recurrent_arguments(self, init, inner_init, activation, W_regularizer,
                                U_regularizer, b_regularizer, dropout_W, dropout_U)
        super().__init__(**kwargs)

    @property
    def fused(self):
        """True when one W, U and b hold all the gates."""
        return len(self.gates) == 1 or self.consume_less == 'gpu'

    def bias_init(self, gate):
        """The initialization of the bias of ``gate``."""
        return 'zero'

    # ---------------------------------------------------------------- weights
    def build(self, input_shape):
        super().build(input_shape)
        self.input_dim = input_shape[-1]
        n, k = self.output_dim, len(self.gates)
        if self.fused:
            self.W = self.add_weight((self.input_dim, k * n), self.init, 'W')
            self.U = self.add_weight((n, k * n), self.inner_init, 'U')
            self.b = self.add_weight((k * n,), self._fused_bias, 'b')
        else:
            for gate in self.weight_order:
                for kind, shape, init in (('W', (self.input_dim, n), self.init),
                                          ('U', (n, n), self.inner_init),
                                          ('b', (n,), self.bias_init(gate))):
                    name = '%s_%s' % (kind, gate)
                    setattr(self, name, self.add_weight(shape, init, name))
        for kind in 'WUb':
            regularizer = getattr(self, kind + '_regularizer')
            if regularizer is not None:   # on all gates at once, as Keras 1.1.2
                self.add_loss(regularizer(self.fused_weight(kind)))
        self.built = True

    def _fused_bias(self, shape, name=None):
        parts = [K.get_value(initializations.get(self.bias_init(g))((self.output_dim,)))
                 for g in self.gates]
        return K.variable(np.concatenate(parts), name=name)

    def gate_weights(self, kind):
        """The 'W', 'U' or 'b' of each gate, in ``gates`` order (slices when fused)."""
        if self.fused:
            return self.split(getattr(self, kind), len(self.gates))
        return [getattr(self, '%s_%s' % (kind, g)) for g in self.gates]

    def fused_weight(self, kind):
        """'W', 'U' or 'b' of all gates side by side."""
        if self.fused:
            return getattr(self, kind)
        return K.concatenate(self.gate_weights(kind), axis=-1)

    def split(self, z, count):
        """``z`` (..., count * output_dim) cut into ``count`` gate blocks."""
        if count == 1:
            return [z]
        if K.ndim(z) == 1:
            n = self.output_dim
            return [z[g * n:(g + 1) * n] for g in range(count)]
        return K.split(z, count, axis=-1)

    def set_weights(self, weights):
        """Assign weights in either layout: per gate (``weight_order``, W, U, b each) or
        fused (W, U, b with the gates in ``gates`` order)."""
        weights = list(weights)
        k = len(self.gates)
        if k > 1 and self.built:
            if self.fused and len(weights) == 3 * k:
                weights = self._fuse(weights)
            elif not self.fused and len(weights) == 3:
                weights = self._unfuse(weights)
        super().set_weights(weights)

    def _fuse(self, weights):
        by_gate = {g: weights[3 * i:3 * i + 3] for i, g in enumerate(self.weight_order)}
        return [np.concatenate([np.asarray(by_gate[g][j]) for g in self.gates], axis=-1)
                for j in range(3)]

    def _unfuse(self, weights):
        k, n = len(self.gates), self.output_dim
        parts = []
        for kind, value in zip('WUb', weights):
            value = np.asarray(value)
            if value.ndim == 0 or value.shape[-1] != k * n:
                raise ValueError('Layer %s: set_weights got a fused %s of shape %s; its last '
                                 'axis must be %d (%d gates x output_dim %d).'
                                 % (self.name, kind, value.shape, k * n, k, n))
            parts.append(dict(zip(self.gates, np.split(value, k, axis=-1))))
        return [part[g] for g in self.weight_order for part in parts]

    # --------------------------------------------------------------- dropout
    def _mask_count(self, kind):
        rate = self.dropout_W if kind == 'W' else self.dropout_U
        if not 0 < rate < 1 or (kind == 'W' and self.consume_less == 'cpu'):
            return 0   # in 'cpu' mode the input masks are applied by preprocess_input
        return 1 if self.fused else len(self.gates)

    def get_constants(self, x):
        """The dropout masks: recurrent (U) ones, then input (W) ones."""
        ones_U = K.tile(K.expand_dims(K.ones_like(x[:, 0, 0]), 1), (1, self.output_dim))
        return (dropout_masks(ones_U, self.dropout_U, self._mask_count('U'))
                + dropout_masks(K.ones_like(x[:, 0, :]), self.dropout_W, self._mask_count('W')))

    def split_states(self, states):
        """(own states, U mask per gate, W mask per gate) from a step's ``states``; a
        mask is None where there is no dropout."""
        own, rest = list(states[:self.state_count]), list(states[self.state_count:])
        count_U = self._mask_count('U')
        k = len(self.gates)
        return own, per_gate(rest[:count_U], k), per_gate(rest[count_U:], k)

    # ----------------------------------------------------------- projections
    def preprocess_input(self, x):
        """In 'cpu' mode, x.W + b for all steps and gates at once (fewer, larger products)."""
        return self.project_input(x) if self.consume_less == 'cpu' else x

    def project_input(self, x):
        """x.W + b of all steps, the gates side by side, with the input dropout masks."""
        if not 0 < self.dropout_W < 1:
            return K.bias_add(K.dot(x, self.fused_weight('W')), self.fused_weight('b'))
        masks = dropout_masks(K.ones_like(x[:, 0, :]), self.dropout_W, len(self.gates))
        parts = [K.bias_add(K.dot(x * K.expand_dims(m, 1), W), b) for m, W, b in
                 zip(masks, self.gate_weights('W'), self.gate_weights('b'))]
        return K.concatenate(parts, axis=-1)

    def fused_input(self, x):
        """x.W + b of all steps and gates for a whole-loop ``K`` function, with the input
        dropout masks the step would draw: one per gate ('cpu', 'mem') or one for all
        (fused weights)."""
        if not (self.fused and 0 < self.dropout_W < 1):
            return self.project_input(x)   # no dropout, or one mask per gate
        mask = dropout_masks(K.ones_like(x[:, 0, :]), self.dropout_W, 1)[0]
        return K.bias_add(K.dot(x * K.expand_dims(mask, 1), self.W), self.b)

    def recurrent_dropout_mask(self, x):
        """The dropout masks of h for ``K.lstm``/``K.gru``/``K.simple_rnn``: None, (samples,
        units) for all gates, or (samples, gates, units) one per gate in ``gates`` order."""
        ones = K.tile(K.expand_dims(K.ones_like(x[:, 0, 0]), 1), (1, self.output_dim))
        masks = dropout_masks(ones, self.dropout_U, self._mask_count('U'))
        if not masks:
            return None
        if len(masks) == 1:
            return masks[0]
        return K.concatenate([K.expand_dims(m, 1) for m in masks], axis=1)

    def input_parts(self, x, masks_W):
        """The input's term x_t.W_g + b_g of each gate at one step."""
        if self.consume_less == 'cpu':
            return self.split(x, len(self.gates))
        if self.fused:
            return self.split(K.dot(masked(x, masks_W[0]), self.W) + self.b, len(self.gates))
        return [K.dot(masked(x, m), W) + b for m, W, b in
                zip(masks_W, self.gate_weights('W'), self.gate_weights('b'))]

    def recurrent_parts(self, h, masks_U, count=None):
        """The previous output's term h_{t-1}.U_g of the first ``count`` gates."""
        count = count or len(self.gates)
        if self.fused:
            U = self.U if count == len(self.gates) else self.U[:, :count * self.output_dim]
            return self.split(K.dot(masked(h, masks_U[0]), U), count)
        return [K.dot(masked(h, m), U) for m, U in
                zip(masks_U[:count], self.gate_weights('U')[:count])]

    # ----------------------------------------------------------------- config
    def get_config(self):
        config = {'output_dim': self.output_dim,
                  'init': self.init.__name__,
                  'inner_init': self.inner_init.__name__,
                  'activation': activation_config(self.activation),
                  'W_regularizer': config_of(self.W_regularizer),
                  'U_regularizer': config_of(self.U_regularizer),
                  'b_regularizer': config_of(self.b_regularizer),
                  'dropout_W': self.dropout_W,
                  'dropout_U': self.dropout_U}
        return dict(super().get_config(), **config)


def activation_name(function):
    """The name of a built-in activation the whole-loop ``K`` functions take (one of
    ``LSTM_ACTIVATIONS``), else None."""
    name = getattr(function, '__name__', None)
    if name in LSTM_ACTIVATIONS and getattr(activations, name, None) is function:
        return name
    return None


def set_recurrent_arguments(layer, init, inner_init, activation, W_regularizer,
                            U_regularizer, b_regularizer, dropout_W, dropout_U):
    """Check and set the arguments every gated recurrent layer takes (initializations,
    activation, regularizers of W, U and b, dropout rates)."""
    layer.init = initializations.get(init)
    layer.inner_init = initializations.get(inner_init)
    layer.activation = get_activation(activation)
    layer.W_regularizer = regularizers.get(W_regularizer)
    layer.U_regularizer = regularizers.get(U_regularizer)
    layer.b_regularizer = regularizers.get(b_regularizer)
    layer.dropout_W = dropout_rate(layer, 'dropout_W', dropout_W)
    layer.dropout_U = dropout_rate(layer, 'dropout_U', dropout_U)
    if layer.dropout_W or layer.dropout_U:
        layer.uses_learning_phase = True


def dropout_rate(layer, key, value):
    """``value`` as a float in [0, 1); ValueError naming the layer otherwise."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 <= value < 1:
        raise ValueError('%s: %s must be a fraction in [0, 1); got %r.'
                         % (type(layer).__name__, key, value))
    return float(value)


def dropout_masks(ones, rate, count):
    """``count`` masks like ``ones``: dropped out (and rescaled) in the training phase, all
    ones in the test phase."""
    if not 0 < rate < 1:
        return []
    return [K.in_train_phase(lambda: K.dropout(ones, rate), ones) for _ in range(count)]


def time_distributed_dense(x, w, b=None, dropout=None, input_dim=None, output_dim=None,
                           timesteps=None):
    """x.w + b at every step of ``x`` (samples, timesteps, input_dim), in the training
    phase with one input dropout mask for all the steps of a sample (Keras 1.1.2's helper
    of ``keras.layers.recurrent``). ``input_dim``, ``output_dim`` and ``timesteps`` are
    accepted for Keras 1 calls; the shapes come from ``x`` and ``w``."""
    if dropout is not None and 0 < dropout < 1:
        mask = dropout_masks(K.ones_like(x[:, 0, :]), dropout, 1)[0]
        x = x * K.expand_dims(mask, 1)
    y = K.dot(x, w)
    return y if b is None else K.bias_add(y, b)


def per_gate(masks, count):
    """One mask (or None) per gate: a single shared mask is repeated."""
    if not masks:
        return [None] * count
    return masks * count if len(masks) == 1 else masks


def masked(x, mask):
    return x if mask is None else x * mask
