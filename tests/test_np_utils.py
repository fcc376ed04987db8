"""kcore.utils.np_utils: the Keras 1 numpy helpers, pinned with numpy references."""
import numpy as np
import pytest

from kcore.utils import np_utils
from kcore.utils.np_utils import (accuracy, binary_logloss, categorical_probas_to_classes,
                                  conv_input_length, conv_output_length, convert_kernel,
                                  kernel_convert, multiclass_logloss, normalize,
                                  probas_to_classes, to_categorical)


def test_to_categorical_as_the_doc_uses_it():
    y = to_categorical([0, 2, 1, 2], 3)
    np.testing.assert_array_equal(y, [[1, 0, 0], [0, 0, 1], [0, 1, 0], [0, 0, 1]])


def test_to_categorical_infers_nb_classes_and_accepts_column_vectors():
    y = to_categorical(np.array([[1], [3]]))
    assert y.shape == (2, 4)
    np.testing.assert_array_equal(y.argmax(axis=1), [1, 3])


def test_to_categorical_rejects_out_of_range_and_non_integer_labels():
    with pytest.raises(ValueError, match=r'0\.\.2 \(nb_classes=3\).*from 0 to 3'):
        to_categorical([0, 3], 3)
    with pytest.raises(ValueError, match='integer class indices'):
        to_categorical([0.5, 1])
    with pytest.raises(ValueError, match='give nb_classes'):
        to_categorical([])
    with pytest.raises(ValueError, match=r'shape \(2, 2\)'):
        to_categorical(np.zeros((2, 2)))


def test_normalize_divides_by_the_norm_and_keeps_zero_rows():
    a = np.array([[3., 4.], [0., 0.]])
    np.testing.assert_allclose(normalize(a), [[0.6, 0.8], [0., 0.]])
    np.testing.assert_allclose(normalize(a, axis=0, order=1), [[1., 1.], [0., 0.]])


def test_binary_logloss_matches_the_formula_and_clips():
    p, y = np.array([0.9, 0.2, 1.0]), np.array([1, 0, 0])
    eps = 1e-15
    q = np.clip(p, eps, 1 - eps)
    expected = -np.mean(y * np.log(q) + (1 - y) * np.log(1 - q))
    assert binary_logloss(p, y) == pytest.approx(expected)
    assert np.isfinite(binary_logloss(p, y))


def test_multiclass_logloss_uses_zero_based_labels():
    P = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]])
    assert multiclass_logloss(P, [0, 2]) == pytest.approx(-(np.log(0.7) + np.log(0.8)) / 2)
    with pytest.raises(ValueError, match=r'\(2, 3\) and \(3,\)'):
        multiclass_logloss(P, [0, 1, 2])


def test_accuracy_and_class_helpers():
    assert accuracy([1, 0, 2, 2], [1, 1, 2, 0]) == 0.5
    with pytest.raises(ValueError, match='shape'):
        accuracy([1, 2], [1])
    probas = np.array([[0.1, 0.9], [0.8, 0.2]])
    np.testing.assert_array_equal(categorical_probas_to_classes(probas), [1, 0])
    np.testing.assert_array_equal(probas_to_classes(probas), [1, 0])
    np.testing.assert_array_equal(probas_to_classes(np.array([[0.7], [0.2]])), [1, 0])
    np.testing.assert_array_equal(probas_to_classes(np.array([0.7, 0.2])), [1, 0])


def test_convert_kernel_flips_the_spatial_axes_per_ordering():
    k_th = np.arange(2 * 3 * 4 * 5).reshape(2, 3, 4, 5)
    np.testing.assert_array_equal(convert_kernel(k_th, 'th'), k_th[:, :, ::-1, ::-1])
    np.testing.assert_array_equal(convert_kernel(k_th, 'tf'), k_th[::-1, ::-1, :, :])
    k3 = np.arange(2 * 2 * 2 * 3 * 4).reshape(2, 2, 2, 3, 4)
    np.testing.assert_array_equal(convert_kernel(k3, 'tf'), k3[::-1, ::-1, ::-1])
    k1 = np.arange(24).reshape(4, 3, 2)   # 1D convolution: (length, input_dim, nb_filter)
    np.testing.assert_array_equal(convert_kernel(k1, 'th'), k1[::-1])


def test_convert_kernel_is_its_own_inverse_and_copies():
    k = np.random.RandomState(0).rand(3, 3, 2, 4)
    flipped = convert_kernel(k, 'tf')
    np.testing.assert_array_equal(convert_kernel(flipped, 'tf'), k)
    flipped[...] = 0
    assert k.any()


def test_convert_kernel_default_ordering_follows_the_config():
    from kcore import config
    config.set_image_dim_ordering('th')
    k = np.arange(16).reshape(1, 1, 4, 4)
    np.testing.assert_array_equal(convert_kernel(k), k[:, :, ::-1, ::-1])


def test_convert_kernel_rejects_bad_kernels_and_orderings():
    with pytest.raises(ValueError, match='3, 4 or 5 axes; got 2'):
        convert_kernel(np.zeros((2, 2)), 'th')
    with pytest.raises(ValueError, match="Unknown dim_ordering 'xy'"):
        convert_kernel(np.zeros((2, 2, 2, 2)), 'xy')


def test_kernel_convert_is_the_pitfalls_page_alias():
    """SEED_API §20 item 32: both names exist; they are the same function."""
    assert kernel_convert is convert_kernel
    assert 'kernel_convert' in np_utils.__all__


@pytest.mark.parametrize('args, expected', [
    ((10, 3, 'valid', 1), 8), ((10, 3, 'same', 1), 10), ((10, 3, 'full', 1), 12),
    ((10, 3, 'valid', 2), 4), ((10, 3, 'same', 3), 4), ((10, 3, 'valid', 1, 2), 6),
    ((None, 3, 'valid', 1), None)])
def test_conv_output_length(args, expected):
    assert conv_output_length(*args) == expected


@pytest.mark.parametrize('args, expected', [
    ((8, 3, 'valid', 1), 10), ((10, 3, 'same', 1), 10), ((12, 3, 'full', 1), 10),
    ((4, 3, 'valid', 2), 9), ((None, 3, 'same', 1), None)])
def test_conv_input_length_as_keras_1(args, expected):
    assert conv_input_length(*args) == expected


def test_conv_lengths_reject_unknown_border_modes():
    with pytest.raises(ValueError, match="Unknown border_mode 'causal'.*'full'"):
        conv_output_length(10, 3, 'causal', 1)
    with pytest.raises(ValueError, match="Unknown border_mode 'wide'"):
        conv_input_length(10, 3, 'wide', 1)


def test_np_utils_has_every_keras_1_name():
    from kcore import backend as K
    assert np_utils.K is K
    for name in ('accuracy', 'binary_logloss', 'categorical_probas_to_classes',
                 'conv_input_length', 'conv_output_length', 'convert_kernel',
                 'multiclass_logloss', 'normalize', 'probas_to_classes', 'to_categorical'):
        assert callable(getattr(np_utils, name))
