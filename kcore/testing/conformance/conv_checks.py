"""Convolutions and pooling, in both image orderings and both border modes.

Inputs and kernels are drawn in the 'tf' layout and converted for 'th'; the references
(``kcore.testing.reference``) compute in 'tf' layout.
"""
import numpy as np
import pytest

from kcore.testing import reference as R
from ._helpers import ATOL_SUM, RTOL_SUM, check, check_gradient, rng

ORDERINGS_BORDERS = [(o, b) for o in ('th', 'tf') for b in ('valid', 'same')]
ORDERINGS = ('th', 'tf')


def data(*shape, seed=0):
    return rng(seed).randn(*shape)


def image(x_tf, dim_ordering):
    return R.from_tf(x_tf, dim_ordering)


def kernel(k_tf, dim_ordering):
    return R.kernel_from_tf(k_tf, dim_ordering)


def conv_ref(dim_ordering, strides, border_mode, dilation=None):
    def ref(x, k):
        out = R.conv(R.to_tf(x, dim_ordering), R.kernel_to_tf(k, dim_ordering), strides,
                     border_mode, dilation)
        return R.from_tf(out, dim_ordering)
    return ref


def pool_ref(dim_ordering, pool_size, strides, border_mode, pool_mode):
    def ref(x):
        out = R.pool(R.to_tf(x, dim_ordering), pool_size, strides, border_mode, pool_mode)
        return R.from_tf(out, dim_ordering)
    return ref


def check_conv(K, fn, ref, x, k, gradient=True):
    # Sums of up to ~50 products: float32 accumulation needs the looser tolerances.
    check(K, fn, ref, x, k, rtol=RTOL_SUM, atol=ATOL_SUM)
    if gradient:
        check_gradient(K, fn, ref, x, k, wrt=(0, 1))


class ConvChecks:

    # -------------------------------------------------------------- conv1d
    @pytest.mark.parametrize('border_mode', ('valid', 'same'))
    @pytest.mark.parametrize('strides', (1, 2))
    def test_conv1d(self, K, border_mode, strides):
        x, k = data(2, 7, 3), data(3, 3, 4, seed=1)  # (samples, steps, dim), (length, dim, filters)
        fn = lambda x, k: K.conv1d(x, k, strides=strides, border_mode=border_mode)
        check_conv(K, fn, lambda x, k: R.conv(x, k, (strides,), border_mode), x, k)

    @pytest.mark.parametrize('border_mode', ('valid', 'same'))
    def test_conv1d_dilation(self, K, border_mode):
        x, k = data(2, 8, 3), data(3, 3, 2, seed=1)
        fn = lambda x, k: K.conv1d(x, k, border_mode=border_mode, filter_dilation=2)
        check_conv(K, fn, lambda x, k: R.conv(x, k, (1,), border_mode, (2,)), x, k)

    # -------------------------------------------------------------- conv2d
    @pytest.mark.parametrize('dim_ordering, border_mode', ORDERINGS_BORDERS)
    @pytest.mark.parametrize('strides', [(1, 1), (2, 1)])
    def test_conv2d(self, K, dim_ordering, border_mode, strides):
        # 3 input channels, 4 filters, a 3 x 2 kernel on 5 x 6 images.
        x, k = image(data(2, 5, 6, 3), dim_ordering), kernel(data(3, 2, 3, 4, seed=1), dim_ordering)
        fn = lambda x, k: K.conv2d(x, k, strides=strides, border_mode=border_mode,
                                   dim_ordering=dim_ordering)
        check_conv(K, fn, conv_ref(dim_ordering, strides, border_mode), x, k)

    @pytest.mark.parametrize('dim_ordering, border_mode', ORDERINGS_BORDERS)
    def test_conv2d_dilation(self, K, dim_ordering, border_mode):
        x, k = image(data(2, 7, 6, 2), dim_ordering), kernel(data(3, 2, 2, 3, seed=1), dim_ordering)
        fn = lambda x, k: K.conv2d(x, k, border_mode=border_mode, dim_ordering=dim_ordering,
                                   filter_dilation=(2, 2))
        check_conv(K, fn, conv_ref(dim_ordering, (1, 1), border_mode, (2, 2)), x, k)

    @pytest.mark.parametrize('config', ORDERINGS)
    def test_conv2d_default_ordering(self, K, config):
        # Decision: dim_ordering='default' follows the config (the doc prints 'th').
        K.set_image_dim_ordering(config)
        x, k = image(data(2, 5, 4, 3), config), kernel(data(3, 3, 3, 2, seed=1), config)
        check(K, K.conv2d, conv_ref(config, (1, 1), 'valid'), x, k, rtol=RTOL_SUM, atol=ATOL_SUM)

    # ------------------------------------------------------------ deconv2d
    @pytest.mark.parametrize('dim_ordering, border_mode', ORDERINGS_BORDERS)
    @pytest.mark.parametrize('strides', [(1, 1), (2, 2)])
    def test_deconv2d(self, K, dim_ordering, border_mode, strides):
        # 3 input channels to 5 output channels with a 3 x 2 kernel; kernels are
        # (rows, cols, out, in) in 'tf' and (out, in, rows, cols) in 'th'.
        x_tf, k_tf = data(2, 3, 4, 3), data(3, 2, 5, 3, seed=1)
        if border_mode == 'valid':
            rows, cols = 2 * strides[0] + 3, 3 * strides[1] + 2
        else:
            rows, cols = 3 * strides[0], 4 * strides[1]
        out_tf = (2, rows, cols, 5)
        output_shape = out_tf if dim_ordering == 'tf' else (2, 5, rows, cols)
        x = image(x_tf, dim_ordering)
        k = k_tf if dim_ordering == 'tf' else k_tf.transpose(2, 3, 0, 1)

        def ref(x, k):
            k_tf = k if dim_ordering == 'tf' else k.transpose(2, 3, 0, 1)
            out = R.deconv2d(R.to_tf(x, dim_ordering), k_tf, out_tf[1:3], strides, border_mode)
            return R.from_tf(out, dim_ordering)

        fn = lambda x, k: K.deconv2d(x, k, output_shape, strides=strides,
                                     border_mode=border_mode, dim_ordering=dim_ordering)
        check_conv(K, fn, ref, x, k)

    def test_deconv2d_is_conv2d_gradient(self, K):
        # <conv2d(y, W), x> == <y, deconv2d(x, W)>: deconv2d is the adjoint of conv2d.
        y, x = data(1, 6, 5, 2), data(1, 3, 3, 4, seed=1)
        w = data(3, 3, 2, 4, seed=2)  # conv2d: 2 -> 4 channels; deconv2d: 4 -> 2 channels
        conv = K.eval(K.conv2d(K.variable(y), K.variable(w), strides=(2, 2), border_mode='same',
                               dim_ordering='tf'))
        deconv = K.eval(K.deconv2d(K.variable(x), K.variable(w), (1, 6, 5, 2), strides=(2, 2),
                                   border_mode='same', dim_ordering='tf'))
        np.testing.assert_allclose(np.sum(conv * x), np.sum(y * deconv), rtol=1e-4)

    @pytest.mark.parametrize('config', ORDERINGS)
    def test_deconv2d_default_ordering(self, K, config):
        K.set_image_dim_ordering(config)
        x_tf, k_tf = data(2, 3, 3, 2), data(2, 2, 3, 2, seed=1)
        x = image(x_tf, config)
        k = k_tf if config == 'tf' else k_tf.transpose(2, 3, 0, 1)
        output_shape = (2, 4, 4, 3) if config == 'tf' else (2, 3, 4, 4)
        ref = lambda x, k: image(R.deconv2d(x_tf, k_tf, (4, 4), (1, 1), 'valid'), config)
        check(K, lambda x, k: K.deconv2d(x, k, output_shape), ref, x, k,
              rtol=RTOL_SUM, atol=ATOL_SUM)

    # ---------------------------------------------------- separable_conv2d
    @pytest.mark.parametrize('dim_ordering, border_mode', ORDERINGS_BORDERS)
    @pytest.mark.parametrize('strides', [(1, 1), (2, 2)])
    def test_separable_conv2d(self, K, dim_ordering, border_mode, strides):
        # 3 channels, depth multiplier 2, 4 filters. The 'th' kernels follow the protocol's
        # 'th' kernel layout, (filters, stack, rows, cols): (2, 3, 3, 2) and (4, 6, 1, 1).
        x = image(data(2, 5, 6, 3), dim_ordering)
        dk = kernel(data(3, 2, 3, 2, seed=1), dim_ordering)
        pk = kernel(data(1, 1, 6, 4, seed=2), dim_ordering)

        def ref(x, dk, pk):
            out = R.separable_conv2d(R.to_tf(x, dim_ordering),
                                     R.kernel_to_tf(dk, dim_ordering),
                                     R.kernel_to_tf(pk, dim_ordering), strides, border_mode)
            return R.from_tf(out, dim_ordering)

        fn = lambda x, dk, pk: K.separable_conv2d(x, dk, pk, strides=strides,
                                                  border_mode=border_mode,
                                                  dim_ordering=dim_ordering)
        check(K, fn, ref, x, dk, pk, rtol=RTOL_SUM, atol=ATOL_SUM)
        check_gradient(K, fn, ref, x, dk, pk, wrt=(0, 1, 2))

    @pytest.mark.parametrize('config', ORDERINGS)
    def test_separable_conv2d_default_ordering(self, K, config):
        K.set_image_dim_ordering(config)
        x = image(data(2, 4, 4, 2), config)
        dk, pk = kernel(data(2, 2, 2, 1, seed=1), config), kernel(data(1, 1, 2, 3, seed=2), config)

        def ref(x, dk, pk):
            out = R.separable_conv2d(R.to_tf(x, config), R.kernel_to_tf(dk, config),
                                     R.kernel_to_tf(pk, config), (1, 1), 'valid')
            return R.from_tf(out, config)

        check(K, K.separable_conv2d, ref, x, dk, pk, rtol=RTOL_SUM, atol=ATOL_SUM)

    # -------------------------------------------------------------- conv3d
    @pytest.mark.parametrize('dim_ordering, border_mode', ORDERINGS_BORDERS)
    @pytest.mark.parametrize('strides', [(1, 1, 1), (2, 1, 2)])
    def test_conv3d(self, K, dim_ordering, border_mode, strides):
        x = image(data(1, 4, 3, 5, 2), dim_ordering)
        k = kernel(data(2, 2, 3, 2, 3, seed=1), dim_ordering)  # 2 channels -> 3 filters
        fn = lambda x, k: K.conv3d(x, k, strides=strides, border_mode=border_mode,
                                   dim_ordering=dim_ordering)
        check_conv(K, fn, conv_ref(dim_ordering, strides, border_mode), x, k)

    @pytest.mark.parametrize('config', ORDERINGS)
    def test_conv3d_default_ordering(self, K, config):
        K.set_image_dim_ordering(config)
        x, k = image(data(1, 3, 3, 3, 2), config), kernel(data(2, 2, 2, 2, 2, seed=1), config)
        check(K, K.conv3d, conv_ref(config, (1, 1, 1), 'valid'), x, k,
              rtol=RTOL_SUM, atol=ATOL_SUM)

    # ------------------------------------------------------------- pooling
    @pytest.mark.parametrize('dim_ordering, border_mode', ORDERINGS_BORDERS)
    @pytest.mark.parametrize('pool_mode', ('max', 'avg'))
    @pytest.mark.parametrize('strides', [(1, 1), (2, 2)])
    def test_pool2d(self, K, dim_ordering, border_mode, pool_mode, strides):
        # A 2 x 3 window on 5 x 7 images: 'same' windows hang over the border, and 'avg'
        # averages only the pixels inside the image.
        x = image(data(2, 5, 7, 3), dim_ordering)
        fn = lambda x: K.pool2d(x, (2, 3), strides=strides, border_mode=border_mode,
                                dim_ordering=dim_ordering, pool_mode=pool_mode)
        ref = pool_ref(dim_ordering, (2, 3), strides, border_mode, pool_mode)
        check(K, fn, ref, x)
        check_gradient(K, fn, ref, x)

    @pytest.mark.parametrize('config', ORDERINGS)
    def test_pool2d_default_ordering(self, K, config):
        K.set_image_dim_ordering(config)
        x = image(data(2, 4, 4, 3), config)
        check(K, lambda x: K.pool2d(x, (2, 2)), pool_ref(config, (2, 2), (1, 1), 'valid', 'max'), x)

    @pytest.mark.parametrize('dim_ordering, border_mode', ORDERINGS_BORDERS)
    @pytest.mark.parametrize('pool_mode', ('max', 'avg'))
    @pytest.mark.parametrize('strides', [(1, 1, 1), (2, 2, 1)])
    def test_pool3d(self, K, dim_ordering, border_mode, pool_mode, strides):
        x = image(data(1, 3, 4, 5, 2), dim_ordering)
        fn = lambda x: K.pool3d(x, (2, 2, 3), strides=strides, border_mode=border_mode,
                                dim_ordering=dim_ordering, pool_mode=pool_mode)
        ref = pool_ref(dim_ordering, (2, 2, 3), strides, border_mode, pool_mode)
        check(K, fn, ref, x)
        check_gradient(K, fn, ref, x)

    @pytest.mark.parametrize('config', ORDERINGS)
    def test_pool3d_default_ordering(self, K, config):
        K.set_image_dim_ordering(config)
        x = image(data(1, 3, 3, 4, 2), config)
        check(K, lambda x: K.pool3d(x, (2, 2, 2), pool_mode='avg'),
              pool_ref(config, (2, 2, 2), (1, 1, 1), 'valid', 'avg'), x)
