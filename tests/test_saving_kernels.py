"""Convolution kernels across backends and orderings: the conv_utils helpers, the
``convert_loaded_weights`` hook during loading, and convert_all_kernels_in_model."""
import json

import h5py
import numpy as np
import pytest

from kcore import backend as K
from kcore.engine import saving
from kcore.engine.saving.hdf5_format import text
from kcore.utils import conv_utils
from kcore.utils.conv_utils import (KernelConversionWarning, convert_all_kernels_in_model,
                                    convert_loaded_kernel, needs_flip, transpose_kernel)
from kcore_test_helpers.saving import FakeConv, FakeLayer, FakeModel, values

KCORE_FILE = {'backend': 'theano', 'image_dim_ordering': 'th', 'kcore_version': '0.1.0'}
KERAS1_THEANO = {'backend': 'theano', 'image_dim_ordering': None, 'kcore_version': None}
KERAS1_TF = {'backend': 'tensorflow', 'image_dim_ordering': None, 'kcore_version': None}
KERAS1_UNKNOWN = {'backend': None, 'image_dim_ordering': None, 'kcore_version': None}


@pytest.fixture(autouse=True)
def fresh_graph():
    K.clear_session()
    yield


def test_transpose_kernel_between_th_and_tf_layouts():
    th = np.random.RandomState(0).rand(4, 3, 2, 5)      # (nb_filter, stack, rows, cols)
    tf = transpose_kernel(th, 'th', 'tf')
    assert tf.shape == (2, 5, 3, 4)                      # (rows, cols, stack, nb_filter)
    assert tf[1, 4, 2, 3] == th[3, 2, 1, 4]
    np.testing.assert_array_equal(transpose_kernel(tf, 'tf', 'th'), th)
    th3 = np.random.RandomState(1).rand(4, 3, 2, 5, 6)
    tf3 = transpose_kernel(th3, 'th', 'tf')
    assert tf3.shape == (2, 5, 6, 3, 4) and tf3[1, 2, 3, 0, 1] == th3[1, 0, 1, 2, 3]
    np.testing.assert_array_equal(transpose_kernel(tf3, 'tf', 'th'), th3)
    k1 = np.zeros((3, 2, 4))
    assert transpose_kernel(k1, 'th', 'tf') is k1        # 1D kernels have one layout
    assert transpose_kernel(th, 'th', 'th') is th


def test_needs_flip_only_for_keras1_theano_files():
    assert needs_flip(KERAS1_THEANO) is True
    assert needs_flip(KERAS1_TF) is False
    assert needs_flip(KCORE_FILE) is False   # every kcore backend computes correlations
    assert needs_flip(KERAS1_UNKNOWN) is None


def test_convert_loaded_kernel_transposes_then_flips():
    th = np.random.RandomState(2).rand(3, 2, 2, 3)
    kernel = convert_loaded_kernel(th, dict(KERAS1_THEANO, image_dim_ordering='th'), 'tf')
    np.testing.assert_array_equal(kernel, transpose_kernel(th, 'th', 'tf')[::-1, ::-1])
    same = convert_loaded_kernel(th, KCORE_FILE, 'th')
    np.testing.assert_array_equal(same, th)
    np.testing.assert_array_equal(convert_loaded_kernel(th, KERAS1_TF, 'th'), th)


def test_a_keras1_file_without_a_backend_record_warns():
    th = np.zeros((1, 1, 2, 2))
    with pytest.warns(KernelConversionWarning, match='conv_1.*Keras 1.x.*Theano.*'
                                                     'convert_all_kernels_in_model'):
        out = convert_loaded_kernel(th, KERAS1_UNKNOWN, 'th', 'conv_1')
    assert out is th


def test_flipped_theano_kernel_computes_the_same_correlation():
    """A true-convolution kernel, flipped, gives the cross-correlation kcore computes."""
    rng = np.random.RandomState(3)
    image, kernel = rng.rand(5, 5), rng.rand(3, 3)
    true_convolution = np.array([[np.sum(image[i:i + 3, j:j + 3] * kernel[::-1, ::-1])
                                  for j in range(3)] for i in range(3)])
    flipped = convert_loaded_kernel(kernel.reshape(1, 1, 3, 3), KERAS1_THEANO, 'th')[0, 0]
    correlation = np.array([[np.sum(image[i:i + 3, j:j + 3] * flipped)
                             for j in range(3)] for i in range(3)])
    np.testing.assert_allclose(correlation, true_convolution)


def test_loading_a_th_file_into_a_tf_layer_transposes_through_the_hook(tmp_path):
    path = str(tmp_path / 'conv.h5')
    th_model = FakeModel([FakeConv('conv_1', 'th', seed=1)])
    saving.save_weights(th_model, path)
    with h5py.File(path, 'r') as f:
        assert text(f['conv_1']['conv_1_W'].attrs['dim_ordering']) == 'th'
    tf_model = FakeModel([FakeConv('conv_1', 'tf', seed=2)])
    saving.load_weights(tf_model, path)
    kernel, bias = values(tf_model.layers[0])
    np.testing.assert_array_equal(kernel, transpose_kernel(values(th_model.layers[0])[0],
                                                           'th', 'tf'))
    np.testing.assert_array_equal(bias, values(th_model.layers[0])[1])
    assert tf_model.layers[0].calls[-1]['image_dim_ordering'] == 'th'


def _keras1_conv_file(path, kernel, backend=None, dim_ordering=None):
    with h5py.File(path, 'w') as f:
        if backend:
            f.attrs['backend'] = np.bytes_(backend.encode())
        if dim_ordering:
            config = {'class_name': 'Sequential', 'config': [
                {'class_name': 'Convolution2D',
                 'config': {'name': 'conv_1', 'dim_ordering': dim_ordering}}]}
            f.attrs['model_config'] = np.bytes_(json.dumps(config).encode())
            f = f.create_group('model_weights')
        f.attrs['layer_names'] = np.array([b'conv_1'])
        g = f.create_group('conv_1')
        g.attrs['weight_names'] = np.array([b'conv_1_W', b'conv_1_b'])
        g['conv_1_W'] = kernel
        g['conv_1_b'] = np.zeros(kernel.shape[0] if dim_ordering == 'th' else kernel.shape[-1])


def test_keras1_theano_file_kernels_are_flipped_on_load(tmp_path):
    path = str(tmp_path / 'keras1_theano.h5')
    kernel = np.random.RandomState(4).rand(2, 3, 2, 3).astype('float32')      # 'tf' layout
    _keras1_conv_file(path, kernel, backend='theano')
    model = FakeModel([FakeConv('conv_1', 'tf', nb_filter=3, stack=2, rows=2, cols=3)])
    saving.load_weights(model, path)
    np.testing.assert_array_equal(values(model.layers[0])[0], kernel[::-1, ::-1])


def test_source_says_what_wrote_a_file_that_records_nothing(tmp_path):
    # The published Keras 1 application weights record neither backend nor ordering.
    path = str(tmp_path / 'published.h5')
    kernel = np.random.RandomState(6).rand(3, 2, 2, 3).astype('float32')      # 'th' layout
    _keras1_conv_file(path, kernel)
    model = FakeModel([FakeConv('conv_1', 'tf', nb_filter=3, stack=2, rows=2, cols=3)])
    saving.load_weights(model, path, source={'backend': 'theano', 'image_dim_ordering': 'th'})
    expected = transpose_kernel(kernel, 'th', 'tf')[::-1, ::-1]   # transposed, then flipped
    np.testing.assert_array_equal(values(model.layers[0])[0], expected)


def test_what_the_file_records_wins_over_source(tmp_path):
    path = str(tmp_path / 'recorded.h5')
    kernel = np.random.RandomState(7).rand(2, 3, 2, 3).astype('float32')      # 'tf' layout
    _keras1_conv_file(path, kernel, backend='tensorflow')
    model = FakeModel([FakeConv('conv_1', 'tf', nb_filter=3, stack=2, rows=2, cols=3)])
    saving.load_weights(model, path, source={'backend': 'theano'})
    np.testing.assert_array_equal(values(model.layers[0])[0], kernel)   # not flipped


def test_keras1_model_file_tells_the_ordering_through_its_config(tmp_path):
    path = str(tmp_path / 'keras1_th_model.h5')
    kernel = np.random.RandomState(5).rand(3, 2, 2, 3).astype('float32')      # 'th' layout
    _keras1_conv_file(path, kernel, backend='tensorflow', dim_ordering='th')
    model = FakeModel([FakeConv('conv_1', 'tf', nb_filter=3, stack=2, rows=2, cols=3)])
    saving.load_weights(model, path)
    np.testing.assert_array_equal(values(model.layers[0])[0], transpose_kernel(kernel, 'th', 'tf'))


def test_layers_inside_nested_models_convert_their_own_weights(tmp_path):
    path = str(tmp_path / 'nested.h5')
    inner_th = FakeModel([FakeLayer('dense_1', [(2, 2)], 1), FakeConv('conv_1', 'th', seed=2)],
                         name='inner')
    saving.save_weights(FakeModel([inner_th]), path)
    inner_tf = FakeModel([FakeLayer('dense_1', [(2, 2)], 3), FakeConv('conv_1', 'tf', seed=4)],
                         name='inner')
    saving.load_weights(FakeModel([inner_tf]), path)
    np.testing.assert_array_equal(values(inner_tf.layers[1])[0],
                                  transpose_kernel(values(inner_th.layers[1])[0], 'th', 'tf'))
    np.testing.assert_array_equal(values(inner_tf.layers[0])[0], values(inner_th.layers[0])[0])
    assert inner_tf.layers[0].calls[0]['image_dim_ordering'] == K.image_dim_ordering()


def test_a_hook_returning_the_wrong_count_is_an_error(tmp_path):
    path = str(tmp_path / 'w.h5')
    saving.save_weights(FakeModel([FakeLayer('dense_1', [(3, 2), (2,)])]), path)
    layer = FakeLayer('dense_1', [(3, 2), (2,)])
    layer.convert_loaded_weights = lambda weights, source: weights[:1]
    with pytest.raises(ValueError, match="'dense_1': convert_loaded_weights returned 1 array"):
        saving.load_weights(FakeModel([layer]), path)


class Convolution2D(FakeConv):
    """Named like kcore's layer: convert_all_kernels_in_model finds it by class name."""


class MyConv(Convolution2D):
    pass


class PluginConv(FakeLayer):
    conv_kernel_attributes = ('kernel',)

    def __init__(self, name):
        super().__init__(name, [(2, 2, 1, 1)])
        self.kernel = self.weights[0]


def test_convert_all_kernels_in_model_flips_every_conv_kernel_in_place():
    conv_th, conv_tf = Convolution2D('c1', 'th', seed=1), MyConv('c2', 'tf', seed=2)
    plugin, dense = PluginConv('p1'), FakeLayer('dense_1', [(3, 2)], 3)
    model = FakeModel([conv_th, FakeModel([conv_tf, dense], name='inner'), plugin])
    before = {layer.name: values(layer)[0] for layer in (conv_th, conv_tf, plugin, dense)}
    bias = values(conv_th)[1]
    convert_all_kernels_in_model(model)
    np.testing.assert_array_equal(values(conv_th)[0], before['c1'][:, :, ::-1, ::-1])
    np.testing.assert_array_equal(values(conv_tf)[0], before['c2'][::-1, ::-1])
    np.testing.assert_array_equal(values(plugin)[0], before['p1'][::-1, ::-1])
    np.testing.assert_array_equal(values(dense)[0], before['dense_1'])
    np.testing.assert_array_equal(values(conv_th)[1], bias)   # biases stay
    convert_all_kernels_in_model(model)   # its own inverse
    np.testing.assert_array_equal(values(conv_th)[0], before['c1'])


def test_kernel_attributes_come_from_the_class_hierarchy():
    assert conv_utils.kernel_attributes(MyConv('c', 'th')) == ('W',)
    assert conv_utils.kernel_attributes(FakeLayer('d', [(1,)])) == ()
    assert conv_utils.kernel_attributes(PluginConv('p')) == ('kernel',)


def test_pre_keras1_files_go_through_the_hook_too(tmp_path):
    path = str(tmp_path / 'old_layout.h5')
    kernel = np.ones((3, 2, 2, 3), dtype='float32')
    with h5py.File(path, 'w') as f:
        f.attrs['nb_layers'] = 1
        g = f.create_group('layer_0')
        g.attrs['nb_params'] = 2
        g['param_0'], g['param_1'] = kernel, np.zeros(3, dtype='float32')
    model = FakeModel([FakeConv('conv_1', 'th', nb_filter=3, stack=2, rows=2, cols=3)])
    with pytest.warns(KernelConversionWarning, match='conv_1'):
        saving.load_weights(model, path)
    assert model.layers[0].calls == [KERAS1_UNKNOWN]
