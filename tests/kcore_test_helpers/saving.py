"""Small stand-ins for layers, models and optimizers, for the saving tests: they have
exactly the attributes kcore.engine.saving reads, and hold real backend variables."""
import numpy as np

from kcore import backend as K
from kcore.utils.conv_utils import convert_loaded_kernel


class FakeLayer:
    """A layer with named weights of the given shapes, filled from ``seed``."""

    def __init__(self, name, shapes, seed=0):
        rng = np.random.RandomState(seed)
        self.name = name
        suffixes = ['W', 'b'] + ['p%d' % i for i in range(2, len(shapes))]
        self.weights = [K.variable(rng.rand(*shape), name='%s_%s' % (name, suffix))
                        for shape, suffix in zip(shapes, suffixes)]
        self.calls = []

    def get_weights(self):
        return K.batch_get_value(self.weights)

    def convert_loaded_weights(self, weights, source):
        self.calls.append(dict(source))
        return weights


class FakeConv(FakeLayer):
    """A 2D convolution: kernel W in its ``dim_ordering`` layout, and a bias."""

    def __init__(self, name, dim_ordering, nb_filter=3, stack=2, rows=2, cols=3, seed=0):
        kernel = (nb_filter, stack, rows, cols) if dim_ordering == 'th' else \
            (rows, cols, stack, nb_filter)
        super().__init__(name, [kernel, (nb_filter,)], seed)
        self.dim_ordering = dim_ordering
        self.W = self.weights[0]

    def convert_loaded_weights(self, weights, source):
        self.calls.append(dict(source))
        kernel = convert_loaded_kernel(weights[0], source, self.dim_ordering, self.name)
        return [kernel] + list(weights[1:])


class FakeModel:
    """A container: ``layers`` and the concatenated ``weights`` (trainable first, as
    Keras 1 containers order them: here every weight counts as trainable)."""

    def __init__(self, layers, name='model_1', config=None):
        self.name = name
        self.layers = layers
        self._config = config or {'name': name, 'layers': []}

    @property
    def weights(self):
        return [w for layer in self.layers for w in layer.weights]

    def get_weights(self):
        return K.batch_get_value(self.weights)

    def get_config(self):
        return self._config


class FakeOptimizer:
    """An optimizer with two state arrays and a config."""

    def __init__(self, lr=0.5):
        self.lr = lr
        self.weights = [K.variable(np.full((2, 2), lr), name='m_0'),
                        K.variable(np.arange(3.), name='m_1')]

    def get_config(self):
        return {'lr': self.lr}

    def get_weights(self):
        return K.batch_get_value(self.weights)

    def set_weights(self, values):
        K.batch_set_value(list(zip(self.weights, values)))


def values(layer):
    return [np.asarray(v) for v in layer.get_weights()]
