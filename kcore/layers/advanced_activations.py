"""Advanced activation layers (``keras.layers.advanced_activations``): activations with
a parameter, some of them learned. Every one keeps the input's shape and passes masks
through."""
import numbers

import numpy as np

from kcore import backend as K
from kcore import initializations
from kcore.engine.topology import Layer
from kcore.plugins import hookimpl

__all__ = ['LeakyReLU', 'PReLU', 'ELU', 'ParametricSoftplus', 'ThresholdedReLU', 'SReLU']


class _Activation(Layer):
    """An element-wise activation layer; any input shape, the same output shape."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def get_output_shape_for(self, input_shape):
        return input_shape

    def _number(self, key, value, minimum=None):
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or (
                minimum is not None and value < minimum):
            raise ValueError('%s: %s must be a number%s; got %r.' % (
                type(self).__name__, key, '' if minimum is None else ' >= %g' % minimum, value))
        return value


class _ParametricActivation(_Activation):
    """An activation with learned parameters of the input's shape (batch axis excluded)."""

    def _param_shape(self, input_shape):
        shape = tuple(input_shape[1:])
        if any(n is None for n in shape):
            raise ValueError('Layer %s learns one parameter per input unit, so it needs a fully '
                             'known input shape (batch axis aside); got %s.'
                             % (self.name, tuple(input_shape)))
        return shape


class LeakyReLU(_Activation):
    """f(x) = alpha * x for x < 0, x for x >= 0."""

    def __init__(self, alpha=0.3, **kwargs):
        super().__init__(**kwargs)
        self.alpha = self._number('alpha', alpha)

    def call(self, x, mask=None):
        return K.relu(x, alpha=self.alpha)

    def get_config(self):
        return dict(super().get_config(), alpha=self.alpha)


class ELU(_Activation):
    """f(x) = alpha * (exp(x) - 1) for x < 0, x for x >= 0."""

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        self.alpha = self._number('alpha', alpha)

    def call(self, x, mask=None):
        return K.elu(x, self.alpha)

    def get_config(self):
        return dict(super().get_config(), alpha=self.alpha)


class ThresholdedReLU(_Activation):
    """f(x) = x for x > theta, 0 otherwise. (The doc's argument list spells it 'theata';
    the signature's ``theta`` is the argument.)"""

    def __init__(self, theta=1.0, **kwargs):
        super().__init__(**kwargs)
        self.theta = self._number('theta', theta)

    def call(self, x, mask=None):
        return x * K.cast(K.greater(x, self.theta), K.dtype(x))

    def get_config(self):
        return dict(super().get_config(), theta=self.theta)


class PReLU(_ParametricActivation):
    """f(x) = alphas * x for x < 0, x for x >= 0, with one learned alpha per input unit
    (weight '<name>_alphas' of the input's shape without the batch axis)."""

    def __init__(self, init='zero', weights=None, **kwargs):
        super().__init__(weights=weights, **kwargs)
        self.init = initializations.get(init)

    def build(self, input_shape):
        self.alphas = self.add_weight(self._param_shape(input_shape), self.init,
                                      name='%s_alphas' % self.name)
        self.built = True

    def call(self, x, mask=None):
        return K.relu(x) + self.alphas * (x - K.abs(x)) * 0.5

    def get_config(self):
        return dict(super().get_config(), init=self.init.__name__)


class ParametricSoftplus(_ParametricActivation):
    """f(x) = alphas * log(1 + exp(betas * x)), with learned alphas and betas per input unit
    (weights [alphas, betas], starting at alpha_init and beta_init)."""

    def __init__(self, alpha_init=0.2, beta_init=5.0, weights=None, **kwargs):
        super().__init__(weights=weights, **kwargs)
        self.alpha_init = self._number('alpha_init', alpha_init)
        self.beta_init = self._number('beta_init', beta_init)

    def build(self, input_shape):
        shape = self._param_shape(input_shape)
        self.alphas = self.add_weight(shape, _constant(self.alpha_init),
                                      name='%s_alphas' % self.name)
        self.betas = self.add_weight(shape, _constant(self.beta_init), name='%s_betas' % self.name)
        self.built = True

    def call(self, x, mask=None):
        return K.softplus(self.betas * x) * self.alphas

    def get_config(self):
        return dict(super().get_config(), alpha_init=self.alpha_init, beta_init=self.beta_init)


class SReLU(_ParametricActivation):
    """S-shaped ReLU with learned thresholds and slopes per input unit:
    f(x) = t_left + a_left * (x - t_left) for x <= t_left, x in between, and
    t_right + a_right * (x - t_right) for x >= t_right, where the right threshold is
    t_left + |t_right| (so it never crosses the left one). Weights [t_left, a_left,
    t_right, a_right] (Keras 1.1.2's order)."""

    PARAMS = ('t_left', 'a_left', 't_right', 'a_right')

    def __init__(self, t_left_init='zero', a_left_init='glorot_uniform',
                 t_right_init='glorot_uniform', a_right_init='one', **kwargs):
        super().__init__(**kwargs)
        inits = (t_left_init, a_left_init, t_right_init, a_right_init)
        for param, init in zip(self.PARAMS, inits):
            setattr(self, param + '_init', initializations.get(init))

    def build(self, input_shape):
        shape = self._param_shape(input_shape)
        for param in self.PARAMS:
            setattr(self, param, self.add_weight(shape, getattr(self, param + '_init'),
                                                 name='%s_%s' % (self.name, param)))
        self.built = True

    def call(self, x, mask=None):
        t_right = self.t_left + K.abs(self.t_right)
        middle = K.minimum(K.maximum(x, self.t_left), t_right)
        left = self.a_left * K.minimum(x - self.t_left, 0.)
        right = self.a_right * K.maximum(x - t_right, 0.)
        return middle + left + right

    def get_config(self):
        inits = {p + '_init': getattr(self, p + '_init').__name__ for p in self.PARAMS}
        return dict(super().get_config(), **inits)


def _constant(value):
    """An initialization filling the weight with ``value``."""
    def constant(shape, name=None, dim_ordering='th'):
        return K.variable(np.full(shape, value, dtype=K.floatx()), name=name)
    return constant


@hookimpl
def register_layers(register):
    for layer in (LeakyReLU, PReLU, ELU, ParametricSoftplus, ThresholdedReLU, SReLU):
        register(layer.__name__, layer)
