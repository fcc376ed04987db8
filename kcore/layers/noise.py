"""Noise layers (``keras.layers.noise``): regularizers active in the training phase only;
the identity at test time. Both pass masks through and keep the input's shape."""
import math
import numbers

from kcore import backend as K
from kcore.engine.topology import Layer
from kcore.plugins import hookimpl

__all__ = ['GaussianNoise', 'GaussianDropout']


class _Noise(Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def get_output_shape_for(self, input_shape):
        return input_shape


class GaussianNoise(_Noise):
    """Add zero-mean Gaussian noise of standard deviation ``sigma`` (training only)."""

    def __init__(self, sigma, **kwargs):
        super().__init__(**kwargs)
        if isinstance(sigma, bool) or not isinstance(sigma, numbers.Real) or sigma < 0:
            raise ValueError('GaussianNoise: sigma (the standard deviation of the noise) must be '
                             'a number >= 0; got %r.' % (sigma,))
        self.sigma = sigma
        self.uses_learning_phase = sigma > 0

    def call(self, x, mask=None):
        if not self.sigma:
            return x
        return K.in_train_phase(lambda: x + K.random_normal(K.shape(x), 0., self.sigma), x)

    def get_config(self):
        return dict(super().get_config(), sigma=self.sigma)


class GaussianDropout(_Noise):
    """Multiply by 1-centred Gaussian noise of standard deviation sqrt(p / (1 - p))
    (training only); ``p`` is a drop probability as in Dropout."""

    def __init__(self, p, **kwargs):
        super().__init__(**kwargs)
        if isinstance(p, bool) or not isinstance(p, numbers.Real) or not 0. <= p < 1.:
            raise ValueError('GaussianDropout: p (the drop probability) must be a number in '
                             '[0, 1); got %r.' % (p,))
        self.p = p
        self.uses_learning_phase = 0. < p < 1.

    def call(self, x, mask=None):
        if not self.uses_learning_phase:
            return x
        std = math.sqrt(self.p / (1. - self.p))
        return K.in_train_phase(lambda: x * K.random_normal(K.shape(x), 1., std), x)

    def get_config(self):
        return dict(super().get_config(), p=self.p)


@hookimpl
def register_layers(register):
    for layer in (GaussianNoise, GaussianDropout):
        register(layer.__name__, layer)
