"""Shared pieces of the training tests: a fresh graph per test, small learnable data sets
and tiny models."""
import numpy as np
import pytest

from kcore import backend as K
from kcore.layers import Dense, Input
from kcore.models import Model, Sequential
from kcore.utils.np_utils import to_categorical


@pytest.fixture(autouse=True)
def fresh_graph():
    """A new graph, and the same random numbers, for every test."""
    K.clear_session()
    np.random.seed(1234)
    yield
    K.clear_session()


def clusters(n, nb_classes=10, dim=20, seed=0):
    """Gaussian clusters, one per class: (x, one-hot y, integer labels)."""
    rng = np.random.RandomState(seed)
    centers = np.random.RandomState(99).randn(nb_classes, dim) * 2
    labels = rng.randint(nb_classes, size=n)
    x = centers[labels] + rng.randn(n, dim)
    return x, to_categorical(labels, nb_classes), labels


def linear_model(input_dim=3, output_dim=1, activation='linear', **kwargs):
    """Sequential([Dense(output_dim)]) with known weights: W = 0.1 * arange, b = 0."""
    model = Sequential([Dense(output_dim, input_dim=input_dim, activation=activation,
                              **kwargs)])
    W = 0.1 * np.arange(input_dim * output_dim, dtype='float32').reshape(input_dim,
                                                                          output_dim)
    model.set_weights([W, np.zeros(output_dim, 'float32')])
    return model


def two_output_model():
    """Input 'in' (3) -> outputs 'out_a' (Dense 2, softmax) and 'out_b' (Dense 1, sigmoid)."""
    x = Input(shape=(3,), name='in')
    a = Dense(2, activation='softmax', name='out_a')(x)
    b = Dense(1, activation='sigmoid', name='out_b')(x)
    return Model(input=x, output=[a, b])
