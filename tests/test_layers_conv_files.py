"""Convolution kernels in files and across backends: Keras 1.x files (Theano kernels
flipped, Keras 1.1.2's Convolution1D and Deconvolution2D layouts), kcore files between
orderings, convert_all_kernels_in_model; registration, aliases, pooling re-exports."""
import json

import h5py
import numpy as np
import pytest

from kcore import backend as K
from kcore.layers import Input
from kcore.layers.convolutional import (AtrousConvolution1D, Convolution1D, Convolution2D,
                                        Convolution3D, Deconvolution2D, SeparableConvolution2D)
from kcore.testing import reference as ref
from kcore.utils.layer_utils import convert_all_kernels_in_model
from kcore.utils.np_utils import convert_kernel
from kcore_test_helpers.layers import rand
from kcore_test_helpers.layers import fresh_graph  # noqa: F401 (autouse fixture)


def model_of(layer, shape):
    from kcore.engine.training import Model
    inp = Input(shape=shape)
    return Model(input=inp, output=layer(inp))


def keras1_file(path, layer_name, weights, backend, config_layer=None):
    """A weight file laid out as Keras 1.x wrote it (``model.save`` when ``config_layer``
    is given, else ``save_weights``); it records the backend but not kcore's attributes."""
    with h5py.File(path, 'w') as f:
        f.attrs['backend'] = np.bytes_(backend.encode())
        if config_layer is not None:
            config = {'class_name': 'Sequential', 'config': [config_layer]}
            f.attrs['model_config'] = np.bytes_(json.dumps(config).encode())
            f = f.create_group('model_weights')
        f.attrs['layer_names'] = np.array([layer_name.encode()])
        group = f.create_group(layer_name)
        names = ['%s_%s' % (layer_name, suffix) for suffix in ('W', 'b')][:len(weights)]
        group.attrs['weight_names'] = np.array([n.encode() for n in names])
        for name, value in zip(names, weights):
            group[name] = value


# ------------------------------------------------------------- Keras 1.x files
@pytest.mark.parametrize('backend', ['theano', 'tensorflow'])
def test_keras1_convolution1d_files(tmp_path, backend):
    """Keras 1.1.2 stored (filter_length, 1, input_dim, nb_filter); Theano convolved truly."""
    kernel, b = rand(3, 1, 2, 4), rand(4)
    path = str(tmp_path / 'conv1d.h5')
    keras1_file(path, 'convolution1d_1', [kernel, b], backend)
    layer = AtrousConvolution1D(4, 3, atrous_rate=2, name='convolution1d_1')
    model = model_of(layer, (9, 2))
    model.load_weights(path)
    expected = kernel[:, 0][::-1] if backend == 'theano' else kernel[:, 0]
    np.testing.assert_array_equal(layer.get_weights()[0], expected)
    x = rand(2, 9, 2)     # Keras 1.x's output: Theano's true convolution is this correlation
    np.testing.assert_allclose(model.predict(x), ref.conv(x, expected, (1,), 'valid', (2,)) + b,
                               rtol=1e-4, atol=1e-5)


def test_keras1_theano_th_model_into_a_tf_layer(tmp_path):
    """A 'th' Convolution2D of a Keras 1.x Theano model: transposed, then flipped, so the
    tf layer computes what Theano's true convolution computed."""
    kernel_th, b = rand(3, 2, 2, 3), rand(3)      # (nb_filter, stack, rows, cols)
    path = str(tmp_path / 'theano_th.h5')
    keras1_file(path, 'conv', [kernel_th, b], 'theano',
                {'class_name': 'Convolution2D', 'config': {'name': 'conv', 'dim_ordering': 'th'}})
    layer = Convolution2D(3, 2, 3, dim_ordering='tf', name='conv')
    model = model_of(layer, (5, 6, 2))
    model.load_weights(path)
    tf_kernel = np.transpose(kernel_th, (2, 3, 1, 0))
    np.testing.assert_array_equal(layer.get_weights()[0], tf_kernel[::-1, ::-1])
    x = rand(2, 5, 6, 2)
    true_convolution = ref.conv(x, tf_kernel[::-1, ::-1], (1, 1), 'valid')
    np.testing.assert_allclose(model.predict(x), true_convolution + b, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize('ordering', ['th', 'tf'])
def test_keras1_deconvolution2d_files(tmp_path, ordering):
    """Keras 1.x stored Deconvolution2D kernels in the Convolution2D layout, 'tf' (rows,
    cols, in, out), and its TensorFlow backend swapped the channel axes before
    conv2d_transpose; kcore stores (rows, cols, out, in)."""
    keras1_tf = rand(3, 2, 2, 4)                  # (rows, cols, in, out)
    b = rand(4)
    stored = keras1_tf if ordering == 'tf' else ref.kernel_to_th(keras1_tf)   # th (out, in, r, c)
    path = str(tmp_path / 'deconv.h5')
    keras1_file(path, 'deconv', [stored, b], 'tensorflow',
                {'class_name': 'Deconvolution2D',
                 'config': {'name': 'deconv', 'dim_ordering': ordering}})
    out_shape = (None, 6, 4, 4) if ordering == 'tf' else (None, 4, 6, 4)
    layer = Deconvolution2D(4, 3, 2, out_shape, dim_ordering=ordering, name='deconv')
    model = model_of(layer, (4, 3, 2) if ordering == 'tf' else (2, 4, 3))
    model.load_weights(path)
    x = rand(2, 4, 3, 2)
    expected = ref.deconv2d(x, np.swapaxes(keras1_tf, 2, 3), (6, 4), (1, 1), 'valid') + b
    got = model.predict(x if ordering == 'tf' else ref.to_th(x))
    np.testing.assert_allclose(got if ordering == 'tf' else np.moveaxis(got, 1, -1), expected,
                               rtol=1e-4, atol=1e-5)


def test_keras1_theano_deconvolution_is_flipped(tmp_path):
    kernel_th, b = rand(4, 2, 3, 2), rand(4)      # (out, in, rows, cols)
    path = str(tmp_path / 'deconv_theano.h5')
    keras1_file(path, 'deconv', [kernel_th, b], 'theano',
                {'class_name': 'Deconvolution2D', 'config': {'name': 'deconv',
                                                             'dim_ordering': 'th'}})
    layer = Deconvolution2D(4, 3, 2, (None, 4, 6, 4), dim_ordering='th', name='deconv')
    model_of(layer, (2, 4, 3)).load_weights(path)
    np.testing.assert_array_equal(layer.get_weights()[0], kernel_th[:, :, ::-1, ::-1])


# ----------------------------------------------------------------- kcore files
CASES = [
    (lambda o: Convolution2D(3, 2, 3, dim_ordering=o, name='k'), (5, 6, 2)),
    (lambda o: SeparableConvolution2D(3, 2, 2, depth_multiplier=2, dim_ordering=o, name='k'),
     (5, 6, 2)),
    (lambda o: Deconvolution2D(3, 3, 2, (None, 7, 7, 3) if o == 'tf' else (None, 3, 7, 7),
                               dim_ordering=o, name='k'), (5, 6, 2)),
    (lambda o: Convolution3D(2, 2, 1, 2, dim_ordering=o, name='k'), (3, 4, 3, 2)),
]


@pytest.mark.parametrize('make,shape', CASES)
def test_kcore_files_move_between_orderings(tmp_path, make, shape):
    """Saved by a 'th' layer, loaded by a 'tf' one (and back): the same outputs."""
    path = str(tmp_path / 'k.h5')
    x = rand(2, *shape)
    th_model = model_of(make('th'), (shape[-1],) + shape[:-1])
    th_model.save_weights(path)
    tf_model = model_of(make('tf'), shape)
    tf_model.load_weights(path)
    expected = np.moveaxis(th_model.predict(ref.to_th(x)), 1, -1)
    np.testing.assert_allclose(tf_model.predict(x), expected, rtol=1e-4, atol=1e-5)
    tf_model.save_weights(path)
    th_model.load_weights(path)
    np.testing.assert_allclose(np.moveaxis(th_model.predict(ref.to_th(x)), 1, -1), expected,
                               rtol=1e-4, atol=1e-5)


def test_kcore_convolution1d_file_roundtrip(tmp_path):
    path = str(tmp_path / 'c1.h5')
    first = Convolution1D(3, 2, name='c')
    model = model_of(first, (5, 2))
    model.save_weights(path)
    second = Convolution1D(3, 2, name='c')
    model_of(second, (5, 2)).load_weights(path)
    for a, b in zip(first.get_weights(), second.get_weights()):
        np.testing.assert_array_equal(a, b)


# --------------------------------------------------- convert_all_kernels_in_model
def test_convert_all_kernels_in_model_flips_every_convolution():
    from kcore.models import Sequential
    c1 = Convolution1D(2, 3, input_shape=(8, 2), border_mode='same')
    c2 = Convolution2D(2, 2, 3, dim_ordering='th')
    model = Sequential([c1, _Reshape((2, 2, 4)), c2])
    deconv = Deconvolution2D(2, 2, 3, (None, 5, 6, 2), dim_ordering='tf')
    separable = SeparableConvolution2D(2, 2, 3, depth_multiplier=2, dim_ordering='tf')
    conv3 = Convolution3D(2, 2, 2, 2, dim_ordering='th')
    others = [model_of(deconv, (4, 4, 2)), model_of(separable, (4, 4, 2)),
              model_of(conv3, (1, 3, 3, 3))]
    layers = (c1, c2, deconv, separable, conv3)
    before = [layer.get_weights() for layer in layers]
    for m in [model] + others:
        convert_all_kernels_in_model(m)
    after = [layer.get_weights() for layer in layers]
    np.testing.assert_array_equal(after[0][0], before[0][0][::-1])            # steps
    np.testing.assert_array_equal(after[1][0], before[1][0][:, :, ::-1, ::-1])
    np.testing.assert_array_equal(after[2][0], before[2][0][::-1, ::-1])      # (r, c, out, in)
    np.testing.assert_array_equal(after[3][0], before[3][0][::-1, ::-1])      # depthwise
    np.testing.assert_array_equal(after[3][1], before[3][1])                  # pointwise 1x1
    np.testing.assert_array_equal(after[4][0], before[4][0][:, :, ::-1, ::-1, ::-1])
    for b, a in zip(before, after):
        np.testing.assert_array_equal(a[-1], b[-1])                           # biases stay
    np.testing.assert_array_equal(convert_kernel(before[1][0], 'th'), after[1][0])
    for m in [model] + others:
        convert_all_kernels_in_model(m)
    np.testing.assert_array_equal(c2.get_weights()[0], before[1][0])


def _Reshape(shape):
    from kcore.layers.core import Reshape
    return Reshape(shape)


# -------------------------------------------------------- registry and imports
def test_registered_names_aliases_and_flat_imports():
    import kcore.layers
    from kcore import plugins
    from kcore.layers import convolutional
    for name in convolutional.__all__:
        cls = getattr(convolutional, name)
        assert plugins.get('layers', name) is cls
        assert getattr(kcore.layers, name) is cls
    assert plugins.get('layers', 'Conv1D') is Convolution1D
    assert plugins.get('layers', 'conv3d') is Convolution3D
    assert convolutional.Deconv2D is Deconvolution2D


def test_pooling_layers_are_reexported():
    from kcore.layers import convolutional, pooling
    for name in ('MaxPooling1D', 'MaxPooling2D', 'MaxPooling3D', 'AveragePooling1D',
                 'AveragePooling2D', 'AveragePooling3D'):
        assert getattr(convolutional, name) is getattr(pooling, name)
        assert name in dir(convolutional)
    from kcore.layers.convolutional import MaxPooling2D  # noqa: F401 (the doc's import path)
    with pytest.raises(AttributeError, match='GlobalMaxPooling9D'):
        convolutional.GlobalMaxPooling9D
