"""Shape operations, padding and resizing."""
import numpy as np
import pytest

from ._helpers import check, check_gradient, evaluate, rng

ORDERINGS = ('th', 'tf')


def data(*shape, seed=0):
    return rng(seed).randn(*shape)


def spatial_axes(ndim, dim_ordering):
    return tuple(range(2, ndim)) if dim_ordering == 'th' else tuple(range(1, ndim - 1))


def pad_spatial(x, pads, dim_ordering):
    """np.pad of the spatial axes (per-axis (before, after) pairs) in either ordering."""
    widths = [(0, 0)] * x.ndim
    for axis, p in zip(spatial_axes(x.ndim, dim_ordering), pads):
        widths[axis] = p
    return np.pad(x, widths)


class ShapeChecks:

    def test_concatenate(self, K):
        a, b, c = data(2, 3), data(2, 1, seed=1), data(2, 2, seed=2)
        check(K, lambda *t: K.concatenate(list(t)), lambda *t: np.concatenate(t, axis=-1), a, b, c)
        check(K, lambda *t: K.concatenate(list(t), axis=0), lambda *t: np.concatenate(t, axis=0),
              a.T, b.T)
        check_gradient(K, lambda *t: K.concatenate(list(t), axis=1),
                       lambda *t: np.concatenate(t, axis=1), a, b, wrt=(0, 1))

    def test_split(self, K):
        x = data(3, 8)
        for i in range(4):
            check(K, lambda t: K.split(t, 4)[i], lambda t: t[:, 2 * i:2 * i + 2], x)
        sizes = [1, 3, 4]
        for i, (start, stop) in enumerate([(0, 1), (1, 4), (4, 8)]):
            check(K, lambda t: K.split(t, sizes, axis=1)[i], lambda t: t[:, start:stop], x)
        check(K, lambda t: K.split(t, 3, axis=0)[2], lambda t: t[2:], x)
        # Parts used twice, one unused: the gradient sums and leaves zeros.
        check_gradient(K, lambda t: K.split(t, 4)[0] * K.split(t, 4)[3] + K.split(t, 4)[0],
                       lambda t: t[:, :2] * t[:, 6:] + t[:, :2], x)

    def test_reshape(self, K):
        x = data(2, 3, 4)
        check(K, lambda t: K.reshape(t, (4, 6)), lambda t: t.reshape(4, 6), x)
        check(K, lambda t: K.reshape(t, (-1, 12)), lambda t: t.reshape(-1, 12), x)
        check_gradient(K, lambda t: K.reshape(t, (6, 4)), lambda t: t.reshape(6, 4), x)

    def test_permute_dimensions(self, K):
        x = data(2, 3, 4)
        check(K, lambda t: K.permute_dimensions(t, (0, 2, 1)), lambda t: t.transpose(0, 2, 1), x)
        check(K, lambda t: K.permute_dimensions(t, (2, 0, 1)), lambda t: t.transpose(2, 0, 1), x)
        check_gradient(K, lambda t: K.permute_dimensions(t, (1, 2, 0)),
                       lambda t: t.transpose(1, 2, 0), x)

    def test_identity(self, K):
        x = data(2, 3, 4)
        check(K, K.identity, lambda t: t, x)
        check_gradient(K, K.identity, lambda t: t, x)
        t = K.placeholder(shape=(None, 3, 4))
        y = K.identity(t)
        assert y is not t
        assert K.int_shape(y) == (None, 3, 4) and K.dtype(y) == K.dtype(t)

    @pytest.mark.parametrize('dim_ordering', ORDERINGS)
    def test_resize_images(self, K, dim_ordering):
        x = data(2, 3, 4, 5)
        rows, cols = spatial_axes(4, dim_ordering)
        ref = lambda t: np.repeat(np.repeat(t, 2, axis=rows), 3, axis=cols)
        fn = lambda t: K.resize_images(t, 2, 3, dim_ordering)
        check(K, fn, ref, x)
        check_gradient(K, fn, ref, x)

    @pytest.mark.parametrize('dim_ordering', ORDERINGS)
    def test_resize_volumes(self, K, dim_ordering):
        x = data(2, 3, 2, 3, 2)
        d, r, c = spatial_axes(5, dim_ordering)
        ref = lambda t: np.repeat(np.repeat(np.repeat(t, 2, axis=d), 1, axis=r), 3, axis=c)
        fn = lambda t: K.resize_volumes(t, 2, 1, 3, dim_ordering)
        check(K, fn, ref, x)
        check_gradient(K, fn, ref, x)

    def test_repeat_elements(self, K):
        x = data(2, 3, 4)
        # As np.repeat: (s1, s2, s3) with axis=1 -> (s1, s2 * rep, s3).
        for axis in (0, 1, 2):
            check(K, lambda t: K.repeat_elements(t, 3, axis), lambda t: np.repeat(t, 3, axis), x)
        check_gradient(K, lambda t: K.repeat_elements(t, 2, 1), lambda t: np.repeat(t, 2, 1), x)

    def test_repeat(self, K):
        x = data(2, 3)
        ref = lambda t: np.repeat(t[:, None, :], 4, axis=1)  # (samples, n, dim)
        check(K, lambda t: K.repeat(t, 4), ref, x)
        check_gradient(K, lambda t: K.repeat(t, 4), ref, x)

    def test_arange(self, K):
        out = K.eval(K.arange(5))
        np.testing.assert_array_equal(out, np.arange(5))
        assert K.dtype(K.arange(5)) == 'int32'
        np.testing.assert_array_equal(K.eval(K.arange(2, 11, 3)), [2, 5, 8])
        np.testing.assert_array_equal(K.eval(K.arange(5, 0, -2)), [5, 3, 1])
        assert K.dtype(K.arange(3, dtype='float32')) == 'float32'

    def test_tile(self, K):
        x = data(2, 3)
        check(K, lambda t: K.tile(t, (2, 3)), lambda t: np.tile(t, (2, 3)), x)
        check(K, lambda t: K.tile(t, 3), lambda t: np.tile(t, 3), data(4))  # an int for 1D
        check_gradient(K, lambda t: K.tile(t, (3, 2)), lambda t: np.tile(t, (3, 2)), x)

    def test_flatten(self, K):
        x = data(2, 3, 4)
        check(K, K.flatten, np.ravel, x)
        check_gradient(K, K.flatten, np.ravel, x)

    def test_batch_flatten(self, K):
        x = data(2, 3, 4)
        ref = lambda t: t.reshape(2, 12)
        check(K, K.batch_flatten, ref, x)
        check_gradient(K, K.batch_flatten, ref, x)
        ph = K.placeholder(shape=(None, 3, 4))
        out = K.function([ph], [K.batch_flatten(ph)])([data(5, 3, 4)])[0]
        assert out.shape == (5, 12)

    def test_expand_dims(self, K):
        x = data(2, 3)
        check(K, K.expand_dims, lambda t: t[:, :, None], x)  # dim=-1 by default
        check(K, lambda t: K.expand_dims(t, 0), lambda t: t[None], x)
        check(K, lambda t: K.expand_dims(t, 1), lambda t: t[:, None], x)

    def test_squeeze(self, K):
        x = data(2, 1, 3)
        check(K, lambda t: K.squeeze(t, 1), lambda t: t[:, 0], x)
        check(K, lambda t: K.squeeze(t, -1), lambda t: t[..., 0], data(2, 3, 1))
        check_gradient(K, lambda t: K.squeeze(t, 1), lambda t: t[:, 0], x)

    def test_stack(self, K):
        a, b = data(2, 3), data(2, 3, seed=1)
        check(K, lambda *t: K.stack(list(t)), lambda *t: np.stack(t), a, b)
        check(K, lambda *t: K.stack(list(t), axis=1), lambda *t: np.stack(t, axis=1), a, b)
        check(K, lambda *t: K.stack(list(t), axis=-1), lambda *t: np.stack(t, axis=-1), a, b)
        check_gradient(K, lambda *t: K.stack(list(t), axis=1), lambda *t: np.stack(t, axis=1),
                       a, b, wrt=(0, 1))

    def test_pack(self, K):
        a, b = data(2, 3), data(2, 3, seed=1)
        check(K, lambda *t: K.pack(list(t)), lambda *t: np.stack(t), a, b)

    def test_one_hot(self, K):
        indices = np.array([[0, 3, 1], [2, 2, 0]])
        out = evaluate(K, lambda t: K.one_hot(t, 4), indices)
        assert out.shape == (2, 3, 4)
        np.testing.assert_array_equal(out, np.eye(4)[indices])

    def test_reverse(self, K):
        x = data(2, 3, 4)
        check(K, lambda t: K.reverse(t, 1), lambda t: t[:, ::-1], x)
        check(K, lambda t: K.reverse(t, [0, 2]), lambda t: t[::-1, :, ::-1], x)
        check(K, lambda t: K.reverse(t, -1), lambda t: t[..., ::-1], x)
        check_gradient(K, lambda t: K.reverse(t, [0, 2]), lambda t: t[::-1, :, ::-1], x)

    # ------------------------------------------------------------- padding
    def test_temporal_padding(self, K):
        x = data(2, 3, 4)
        check(K, K.temporal_padding, lambda t: np.pad(t, [(0, 0), (1, 1), (0, 0)]), x)
        ref = lambda t: np.pad(t, [(0, 0), (2, 2), (0, 0)])
        check(K, lambda t: K.temporal_padding(t, 2), ref, x)
        check_gradient(K, lambda t: K.temporal_padding(t, 2), ref, x)

    def test_asymmetric_temporal_padding(self, K):
        x = data(2, 3, 4)
        check(K, K.asymmetric_temporal_padding, lambda t: np.pad(t, [(0, 0), (1, 1), (0, 0)]), x)
        ref = lambda t: np.pad(t, [(0, 0), (0, 3), (0, 0)])
        check(K, lambda t: K.asymmetric_temporal_padding(t, 0, 3), ref, x)
        check_gradient(K, lambda t: K.asymmetric_temporal_padding(t, 2, 1),
                       lambda t: np.pad(t, [(0, 0), (2, 1), (0, 0)]), x)

    @pytest.mark.parametrize('dim_ordering', ORDERINGS)
    def test_spatial_2d_padding(self, K, dim_ordering):
        x = data(2, 3, 4, 5)
        ref = lambda t: pad_spatial(t, [(1, 1), (2, 2)], dim_ordering)
        fn = lambda t: K.spatial_2d_padding(t, (1, 2), dim_ordering=dim_ordering)
        check(K, fn, ref, x)
        check_gradient(K, fn, ref, x)

    @pytest.mark.parametrize('config', ORDERINGS)
    def test_spatial_2d_padding_default_ordering(self, K, config):
        # Decision: dim_ordering='default' is the config's ordering (the doc prints 'th').
        K.set_image_dim_ordering(config)
        x = data(2, 3, 4, 5)
        check(K, K.spatial_2d_padding, lambda t: pad_spatial(t, [(1, 1)] * 2, config), x)

    @pytest.mark.parametrize('dim_ordering', ORDERINGS)
    def test_asymmetric_spatial_2d_padding(self, K, dim_ordering):
        x = data(2, 3, 4, 5)
        ref = lambda t: pad_spatial(t, [(1, 2), (0, 3)], dim_ordering)
        fn = lambda t: K.asymmetric_spatial_2d_padding(t, top_pad=1, bottom_pad=2, left_pad=0,
                                                       right_pad=3, dim_ordering=dim_ordering)
        check(K, fn, ref, x)
        check_gradient(K, fn, ref, x)

    @pytest.mark.parametrize('config', ORDERINGS)
    def test_asymmetric_spatial_2d_padding_default_ordering(self, K, config):
        K.set_image_dim_ordering(config)
        x = data(2, 3, 4, 5)
        check(K, K.asymmetric_spatial_2d_padding,
              lambda t: pad_spatial(t, [(1, 1)] * 2, config), x)

    @pytest.mark.parametrize('dim_ordering', ORDERINGS)
    def test_spatial_3d_padding(self, K, dim_ordering):
        x = data(2, 3, 2, 3, 2)
        ref = lambda t: pad_spatial(t, [(1, 1), (0, 0), (2, 2)], dim_ordering)
        fn = lambda t: K.spatial_3d_padding(t, (1, 0, 2), dim_ordering=dim_ordering)
        check(K, fn, ref, x)
        check_gradient(K, fn, ref, x)

    @pytest.mark.parametrize('config', ORDERINGS)
    def test_spatial_3d_padding_default_ordering(self, K, config):
        K.set_image_dim_ordering(config)
        x = data(2, 3, 2, 3, 2)
        check(K, K.spatial_3d_padding, lambda t: pad_spatial(t, [(1, 1)] * 3, config), x)
