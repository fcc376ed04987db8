"""Small layers for the engine tests (independent of kcore.layers), and the fixture
that gives each engine test a fresh graph."""
import numpy as np
import pytest

from kcore import backend as K
from kcore.engine.topology import InputSpec, Layer


@pytest.fixture(autouse=True)
def fresh_graph():
    """A new graph (and layer numbering from 1) for every test."""
    K.clear_session()
    yield
    K.clear_session()


class Linear(Layer):
    """x . W + b, Dense-like, made with add_weight."""

    def __init__(self, units, regularizer=None, constraint=None, **kwargs):
        self.units = units
        self.regularizer = regularizer
        self.constraint = constraint
        super().__init__(**kwargs)
        self.input_spec = [InputSpec(ndim=2)]

    def build(self, input_shape):
        self.input_spec = [InputSpec(shape=(None, input_shape[-1]))]
        self.W = self.add_weight((input_shape[-1], self.units), 'glorot_uniform', name='W',
                                 regularizer=self.regularizer, constraint=self.constraint)
        self.b = self.add_weight((self.units,), 'zero', name='b')

    def call(self, x, mask=None):
        return K.dot(x, self.W) + self.b

    def get_output_shape_for(self, input_shape):
        return (input_shape[0], self.units)

    def get_config(self):
        return dict(super().get_config(), units=self.units)


class OldStyle(Layer):
    """A layer written the Keras 1 way: weights assigned in build, no mask argument."""

    def __init__(self, output_dim, **kwargs):
        self.output_dim = output_dim
        super().__init__(**kwargs)

    def build(self, input_shape):
        self.W = K.variable(np.ones((input_shape[1], self.output_dim)), name=self.name + '_W')
        self.trainable_weights = [self.W]
        super().build()

    def call(self, x):
        return K.dot(x, self.W)

    def get_output_shape_for(self, input_shape):
        return (input_shape[0], self.output_dim)

    def get_config(self):
        return dict(super().get_config(), output_dim=self.output_dim)


class MaskZeros(Layer):
    """Masks the time steps whose features are all 0; passes the values through."""

    supports_masking = True

    def compute_mask(self, x, mask=None):
        return K.any(K.not_equal(x, 0.), axis=-1)

    def call(self, x, mask=None):
        return x * 1.


class MaskedMean(Layer):
    """Averages (samples, time, features) over the unmasked steps -> (samples, features)."""

    supports_masking = True

    def call(self, x, mask=None):
        if mask is None:
            return K.mean(x, axis=1)
        weights = K.expand_dims(K.cast(mask, K.floatx()), -1)
        return K.sum(x * weights, axis=1) / K.maximum(K.sum(weights, axis=1), 1.)

    def compute_mask(self, x, mask=None):
        return None

    def get_output_shape_for(self, input_shape):
        return (input_shape[0], input_shape[2])


class Split(Layer):
    """Two outputs: the first and the second half of the features."""

    def call(self, x, mask=None):
        half = K.int_shape(x)[1] // 2
        return [x[:, :half], x[:, half:]]

    def compute_mask(self, x, mask=None):
        return [None, None]

    def get_output_shape_for(self, input_shape):
        half = input_shape[1] // 2
        return [(input_shape[0], half), (input_shape[0], input_shape[1] - half)]


class PhaseNoise(Layer):
    """Adds 100 in the training phase only (a layer that uses the learning phase)."""

    uses_learning_phase = True

    def call(self, x, mask=None):
        return K.in_train_phase(x + 100., x)


def shapes_of(model):
    """{layer name: output shape} for the layers of a model with one node each."""
    return {layer.name: layer.output_shape for layer in model.layers}
