"""Winograd F(2x2, 3x3) in kcore-theano's native convolution (winograd.h): the 3x3, stride
1, undilated convolutions it takes against a numpy correlation, and against the im2col path
(KCORE_THEANO_WINOGRAD=0) in Conv2dFused with its bias, relu and pooling."""
import ctypes

import numpy as np
import pytensor
import pytensor.tensor as pt
import pytest

from kcore_theano import native, native_conv

pytestmark = pytest.mark.skipif(native_conv.library() is None,
                                reason='the native convolutions could not be built here')


def _correlate(x, kernel, border_mode):
    """numpy reference: channels-last cross-correlation, 3x3 kernel, stride 1."""
    if border_mode == 'same':
        x = np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)))
    n, rows, cols, _ = x.shape
    out = np.zeros((n, rows - 2, cols - 2, kernel.shape[3]), np.float64)
    for a in range(3):
        for b in range(3):
            out += np.einsum('nijc,cf->nijf', x[:, a:a + rows - 2, b:b + cols - 2],
                             kernel[a, b].astype(np.float64))
    return out


def _forward(x, kernel, border_mode, winograd, threads=2):
    op = native_conv.Conv2d((3, 3), (1, 1), (1, 1), border_mode)
    geometry, out = op.geometry(x.shape, kernel.shape[3])
    y = np.empty(out + (kernel.shape[3],), np.float32)
    pointer = lambda a: a.ctypes.data_as(ctypes.c_void_p)
    native.library().kcore_conv2d_forward(pointer(geometry), pointer(x), pointer(kernel),
                                          pointer(y), winograd, threads)
    return y


# (n, rows, cols, channels, filters): the cnn's second layer, odd sizes (a last block
# row and column half outside the output), filters a multiple of 64 (the register
# product), 32 (the narrower one) and neither (sgemm), a single output pixel.
SHAPES = [(3, 26, 26, 32, 64), (2, 9, 7, 5, 3), (4, 6, 11, 16, 128), (1, 3, 3, 8, 64),
          (5, 5, 8, 40, 17), (3, 10, 10, 24, 32)]


@pytest.mark.parametrize('shape', SHAPES)
@pytest.mark.parametrize('border_mode', ['valid', 'same'])
@pytest.mark.parametrize('threads', [1, 2])
def test_winograd_matches_numpy(shape, border_mode, threads):
    n, rows, cols, channels, filters = shape
    rng = np.random.default_rng(sum(shape))
    x = rng.standard_normal((n, rows, cols, channels)).astype(np.float32)
    kernel = rng.standard_normal((3, 3, channels, filters)).astype(np.float32)
    expected = _correlate(x, kernel, border_mode)
    for winograd in (1, 0):
        y = _forward(x, kernel, border_mode, winograd, threads)
        np.testing.assert_allclose(y, expected, rtol=1e-4, atol=1e-4 * np.abs(expected).max())


@pytest.mark.parametrize('pool', [None, ((2, 2), (2, 2), 'valid', 'max'),
                                  ((3, 3), (2, 2), 'same', 'avg')])
def test_fused_winograd_matches_im2col(monkeypatch, pool):
    """Conv2dFused (bias, relu, pooling in the epilogue) with Winograd on and off, and the
    gradients of a training graph's Conv2d (its forward runs Winograd)."""
    rng = np.random.default_rng(7)
    x = rng.standard_normal((5, 13, 10, 32)).astype(np.float32)
    kernel = (0.2 * rng.standard_normal((3, 3, 32, 64))).astype(np.float32)
    bias = rng.standard_normal(64).astype(np.float32)
    results = []
    for on in ('1', '0'):
        monkeypatch.setenv('KCORE_THEANO_WINOGRAD', on)
        xs, ks, bs = pt.tensor4('x'), pt.tensor4('k'), pt.vector('b')
        fused = native_conv.Conv2dFused((3, 3), (1, 1), (1, 1), 'valid', 'relu', pool)
        assert fused.winograd == int(on == '1')
        conv = native_conv.Conv2d((3, 3), (1, 1), (1, 1), 'same')(xs, ks)
        grads = pytensor.grad(pt.sum(conv ** 2), [xs, ks])
        f = pytensor.function([xs, ks, bs], [fused(xs, ks, bs), conv] + grads)
        results.append(f(x, kernel, bias))
    for on, off in zip(*results):
        np.testing.assert_allclose(on, off, rtol=1e-4, atol=1e-4 * np.abs(off).max())


def test_the_switch(monkeypatch):
    monkeypatch.setenv('KCORE_THEANO_WINOGRAD', '0')
    assert native_conv.winograd() == 0
    monkeypatch.delenv('KCORE_THEANO_WINOGRAD')
    assert native_conv.winograd() == 1


def _input_gradient(dy, kernel, border_mode, image_shape):
    """numpy reference: the gradient w.r.t. x of sum(correlate(x, kernel) * dy)."""
    pad = 1 if border_mode == 'same' else 0
    n, rows, cols, channels = image_shape
    dx = np.zeros((n, rows + 2 * pad, cols + 2 * pad, channels), np.float64)
    out_rows, out_cols = dy.shape[1:3]
    for a in range(3):
        for b in range(3):
            dx[:, a:a + out_rows, b:b + out_cols] += np.einsum(
                'nijf,cf->nijc', dy.astype(np.float64), kernel[a, b].astype(np.float64))
    return dx[:, pad:pad + rows, pad:pad + cols]


@pytest.mark.parametrize('shape', SHAPES)
@pytest.mark.parametrize('border_mode', ['valid', 'same'])
def test_backward_input_gradient_matches_numpy(monkeypatch, shape, border_mode):
    """Conv2dBackward's x gradient by Winograd (on) and col2im (off) against numpy, with its
    kernel and bias gradients."""
    n, rows, cols, channels, filters = shape
    rng = np.random.default_rng(sum(shape) + 1)
    x = rng.standard_normal((n, rows, cols, channels)).astype(np.float32)
    kernel = rng.standard_normal((3, 3, channels, filters)).astype(np.float32)
    out = _correlate(x, kernel, border_mode)
    dy = rng.standard_normal(out.shape).astype(np.float32)
    expected_dx = _input_gradient(dy, kernel, border_mode, x.shape)
    padded = np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0))) if border_mode == 'same' else x
    expected_dk = np.stack([np.stack([np.einsum(
        'nijc,nijf->cf', padded[:, a:a + out.shape[1], b:b + out.shape[2]].astype(np.float64),
        dy.astype(np.float64)) for b in range(3)]) for a in range(3)])
    for on in ('1', '0'):
        monkeypatch.setenv('KCORE_THEANO_WINOGRAD', on)
        op = native_conv.Conv2dBackward((3, 3), (1, 1), (1, 1), border_mode, 'linear', True)
        xs, ks, ys, dys = pt.tensor4('x'), pt.tensor4('k'), pt.tensor4('y'), pt.tensor4('dy')
        dk, db, dx = pytensor.function([xs, ks, ys, dys], op(xs, ks, ys, dys))(
            x, kernel, out.astype(np.float32), dy)
        for got, expected in ((dx, expected_dx), (dk, expected_dk),
                              (db, dy.astype(np.float64).sum(axis=(0, 1, 2)))):
            np.testing.assert_allclose(got, expected, rtol=1e-4,
                                       atol=1e-4 * np.abs(expected).max())
