"""Test helpers for the applications: weight files laid out as Keras 1.x's published
application weights, written from a kcore model (``layer_names`` and, per layer,
``weight_names`` and one dataset per weight; no kcore provenance, so the loader must be
told the kernels and ordering), and building models in a chosen image ordering."""
import contextlib
import io

import h5py
import numpy as np

from kcore import backend as K
from kcore.engine.saving import hdf5_format
from kcore.layers import BatchNormalization
from kcore.utils.conv_utils import convert_kernel, kernel_attributes


@contextlib.contextmanager
def image_ordering(value):
    """Build models in the image ordering ``value`` inside the block."""
    previous = K.image_dim_ordering()
    K.set_image_dim_ordering(value)
    try:
        yield
    finally:
        K.set_image_dim_ordering(previous)


def randomize_batchnorm(model, seed=0):
    """Give every BatchNormalization of ``model`` random gamma, beta and running
    statistics, so that a forward pass depends on each of them."""
    rng = np.random.RandomState(seed)
    pairs = []
    for layer in model.layers:
        if isinstance(layer, BatchNormalization):
            gamma, beta, mean, var = (K.int_shape(w) for w in layer.weights)
            values = [rng.uniform(0.5, 1.5, gamma), rng.normal(0, 0.1, beta),
                      rng.normal(0, 0.1, mean), rng.uniform(0.5, 1.5, var)]
            pairs += zip(layer.weights, [v.astype(K.floatx()) for v in values])
    K.batch_set_value(pairs)


def keras1_weight_file(model, theano_kernels=False):
    """The bytes of a Keras 1.x weight file holding ``model``'s weights; with
    ``theano_kernels``, convolution kernels are flipped as Keras 1 on Theano stored them."""
    buffer = io.BytesIO()
    with h5py.File(buffer, 'w') as f:
        hdf5_format.write_names(f.attrs, 'layer_names', [layer.name for layer in model.layers])
        stored = iter(K.batch_get_value([w for layer in model.layers for w in layer.weights]))
        for layer in model.layers:
            values = [next(stored) for _ in layer.weights]
            if theano_kernels:
                values = _flip_kernels(layer, values)
            group = f.create_group(layer.name)
            hdf5_format.write_weight_group(group, hdf5_format.weight_names(layer.weights),
                                           values)
    return buffer.getvalue()


def _flip_kernels(layer, values):
    kernels = {id(getattr(layer, a)) for a in kernel_attributes(layer)}
    return [convert_kernel(v, layer.dim_ordering) if id(w) in kernels else v
            for w, v in zip(layer.weights, values)]


def image_shape(ordering, size):
    return (3, size, size) if ordering == 'th' else (size, size, 3)


def to_tf(x):
    """A 'th' batch of images in 'tf' order."""
    return np.transpose(x, (0, 2, 3, 1))


def assert_same_predictions(got, expected):
    assert np.ptp(expected) > 0   # outputs that vary: a constant would prove nothing
    np.testing.assert_allclose(got, expected, rtol=1e-3, atol=1e-4 * np.abs(expected).max())
