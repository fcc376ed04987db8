"""2D convolution and pooling on PyTensor as native Ops: channels-last float32 tensors,
computed by ``conv_kernel.cc`` in kcore-theano's native library (see native.py) through
ctypes, without the GIL. A convolution is im2col and one sgemm per sample, or Winograd
F(2x2, 3x3) for 3x3 stride-1 ones (``winograd()``); the samples are shared among threads
(``threads()``). Gradients are Ops too, so ``pytensor.grad`` works.

``K.conv1d``/``K.conv2d`` and ``K.pool2d`` of float32 tensors use them (nn.py); where the
library can't be built, or with ``KCORE_THEANO_NATIVE_CONV=0``, they run the graph of
strided slices and one product instead. Compiled functions replace a convolution with its
bias, relu and pooling by Conv2dFused, and its gradients by Conv2dBackward
(conv_fusion.py).
"""
import ctypes
import os

import numpy as np
import pytensor
import pytensor.tensor as pt
from pytensor.graph.basic import Apply
from pytensor.graph.op import Op

from kcore.native import switched_off
from kcore.utils.conv_utils import same_padding
from kcore_theano import native


def library():
    """The native library when the native convolutions are on and built, else None."""
    return None if switched_off('KCORE_THEANO_NATIVE_CONV') else native.library()


def winograd():
    """Whether 3x3, stride-1 convolutions run Winograd F(2x2, 3x3) (winograd.h: 4/9 of the
    multiply-adds) rather than im2col; ``KCORE_THEANO_WINOGRAD=0`` turns it off (read when
    an Op is made)."""
    return int(not switched_off('KCORE_THEANO_WINOGRAD'))


def threads():
    """Threads per call: ``KCORE_THEANO_CONV_THREADS``, else the cores this process may use.
    Each thread takes the next sample when it is free, so a thread on a core that another
    process keeps busy takes fewer samples rather than holding the others up."""
    value = os.environ.get('KCORE_THEANO_CONV_THREADS', '').strip()
    if value:
        if not value.isdigit() or int(value) < 1:
            raise ValueError('KCORE_THEANO_CONV_THREADS must be a positive integer; got %r.'
                             % value)
        return int(value)
    if hasattr(os, 'sched_getaffinity'):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _out_size(size, k, stride, dilation, border_mode):
    """The output size of one axis; ``size`` an int or a symbolic scalar."""
    if border_mode == 'valid':
        return (size - ((k - 1) * dilation + 1)) // stride + 1
    return (size + stride - 1) // stride


def _output(storage, shape):
    """The array of ``shape`` left in ``storage`` by the last call, or a new one: the
    compiled functions keep their intermediate arrays (session.py), so a large output is
    not allocated (and its pages faulted in) again at every call."""
    kept = storage[0]
    if isinstance(kept, np.ndarray) and kept.shape == shape and kept.dtype == np.float32:
        return kept
    storage[0] = np.empty(shape, np.float32)
    return storage[0]


#: The activations Conv2dFused computes, with their codes in conv_kernel.cc.
ACTIVATIONS = {'linear': 0, 'relu': 1}


def _pointer(array):
    return array.ctypes.data_as(ctypes.c_void_p)


class _Spatial(Op):
    """What the convolution and pooling Ops share: the window of each output position."""

    __props__ = ('window', 'strides', 'dilation', 'border_mode')

    def __init__(self, window, strides, dilation, border_mode):
        self.window, self.strides = tuple(window), tuple(strides)
        self.dilation, self.border_mode = tuple(dilation), border_mode
        self.winograd = winograd()  # read once, when the graph is built or rewritten

    def out_size(self, rows, cols):
        return tuple(_out_size(size, k, s, d, self.border_mode) for size, k, s, d in
                     zip((rows, cols), self.window, self.strides, self.dilation))

    def geometry(self, image_shape, filters):
        """The int64 array that the kernels take (see conv_kernel.cc)."""
        n, rows, cols, channels = image_shape
        out_rows, out_cols = self.out_size(rows, cols)
        top, left = (0, 0) if self.border_mode == 'valid' else [
            same_padding(size, k, s, d)[0] for size, k, s, d in
            zip((rows, cols), self.window, self.strides, self.dilation)]
        if out_rows < 1 or out_cols < 1:
            raise ValueError("%s: a window of %s does not fit in an image of %s with "
                             "border_mode='valid'." % (type(self).__name__.lower(), self.window,
                                                       (rows, cols)))
        values = (n, rows, cols, channels) + self.window + (filters, out_rows, out_cols) \
            + self.strides + self.dilation + (top, left)
        return np.array(values, np.int64), (n, out_rows, out_cols)

    def out_type(self, x, last):
        """A float32 4D type: x's batch, the output's rows and cols where x's are static,
        and ``last`` channels."""
        rows, cols = x.type.shape[1:3]
        out = self.out_size(rows or 0, cols or 0)
        for size, out_size in zip((rows, cols), out):
            if size is not None and out_size < 1:
                self.geometry((0, rows, cols, 0), 0)  # raises: the window does not fit
        shape = (x.type.shape[0], out[0] if rows else None, out[1] if cols else None, last)
        return pt.tensor(dtype='float32', shape=shape)


class Conv2d(_Spatial):
    """(x (n, rows, cols, channels), kernel (kr, kc, channels, filters)) -> the
    cross-correlation (n, out rows, out cols, filters)."""

    def make_node(self, x, kernel):
        x, kernel = pt.as_tensor_variable(x), pt.as_tensor_variable(kernel)
        return Apply(self, [x, kernel], [self.out_type(x, kernel.type.shape[3])])

    def perform(self, node, inputs, output_storage):
        x, kernel = map(native.float32_array, inputs)
        _check_kernel(x.shape, kernel.shape, self.window)
        geometry, out = self.geometry(x.shape, kernel.shape[3])
        y = _output(output_storage[0], out + (kernel.shape[3],))
        native.library().kcore_conv2d_forward(_pointer(geometry), _pointer(x), _pointer(kernel),
                                              _pointer(y), self.winograd, threads())

    def infer_shape(self, fgraph, node, shapes):
        x, kernel = shapes
        return [(x[0],) + self.out_size(x[1], x[2]) + (kernel[3],)]

    def L_op(self, inputs, outputs, output_grads):
        x, kernel = inputs
        props = (self.window, self.strides, self.dilation, self.border_mode)
        dy = pt.cast(output_grads[0], 'float32')
        return [Conv2dGradInput(*props)(x, kernel, dy), Conv2dGradKernel(*props)(x, kernel, dy)]


class Conv2dFused(_Spatial):
    """(x, kernel, bias (filters,)) -> ``activation`` ('linear' or 'relu') of Conv2d's
    output plus the bias, then, where ``pool`` is (window, strides, border_mode, mode), that
    pooled: one pass in each sample's epilogue instead of separate ones over the whole
    output. conv_fusion.py puts it in compiled graphs; with ``pool``, the convolution's
    output is never stored (a predict function's conv + relu + pool)."""

    __props__ = _Spatial.__props__ + ('activation', 'pool')

    def __init__(self, window, strides, dilation, border_mode, activation='linear', pool=None):
        super().__init__(window, strides, dilation, border_mode)
        if activation not in ACTIVATIONS:
            raise ValueError('Conv2dFused: activation must be one of %s; got %r.'
                             % (sorted(ACTIVATIONS), activation))
        self.activation = activation
        self.pool = None if pool is None else (tuple(pool[0]), tuple(pool[1])) + tuple(pool[2:])

    def pooling(self):
        """The Pool2d Op of ``pool`` (None without)."""
        return None if self.pool is None else Pool2d(*self.pool)

    def make_node(self, x, kernel, bias):
        x, kernel, bias = map(pt.as_tensor_variable, (x, kernel, bias))
        out = self.out_type(x, kernel.type.shape[3])
        if self.pool is not None:
            out = self.pooling().out_type(out, kernel.type.shape[3])
        return Apply(self, [x, kernel, bias], [out])

    def perform(self, node, inputs, output_storage):
        x, kernel, bias = map(native.float32_array, inputs)
        _check_kernel(x.shape, kernel.shape, self.window)
        if bias.shape != (kernel.shape[3],):
            raise ValueError('conv2d: the bias must have shape (%d,) for a kernel of shape %s; '
                             'got %s.' % (kernel.shape[3], kernel.shape, bias.shape))
        geometry, out = self.geometry(x.shape, kernel.shape[3])
        pool, pool_geometry = self.pooling(), None
        if pool is not None:
            pool_geometry, out = pool.geometry((1,) + out[1:] + (kernel.shape[3],), 0)
            pool_geometry[0], out = x.shape[0], (x.shape[0],) + out[1:]
        y = _output(output_storage[0], out + (kernel.shape[3],))
        native.library().kcore_conv2d_forward_fused(
            _pointer(geometry), _pointer(x), _pointer(kernel), _pointer(bias),
            ACTIVATIONS[self.activation],
            None if pool is None else _pointer(pool_geometry), pool is not None and
            pool.mode == 'max', _pointer(y), self.winograd, threads())

    def infer_shape(self, fgraph, node, shapes):
        x, kernel, _ = shapes
        out = (x[0],) + self.out_size(x[1], x[2]) + (kernel[3],)
        pool = self.pooling()
        return [out if pool is None else (x[0],) + pool.out_size(out[1], out[2]) + (kernel[3],)]

    def L_op(self, inputs, outputs, output_grads):
        if self.pool is not None:
            raise NotImplementedError('Conv2dFused with pooling is built for predict '
                                      'functions only; it has no gradient.')
        x, kernel, _ = inputs
        dz = pt.cast(output_grads[0], 'float32')
        if self.activation == 'relu':  # 0 at a pre-activation of exactly 0, as TensorFlow
            dz = pt.switch(pt.gt(outputs[0], 0), dz, pt.zeros((), 'float32'))
        props = (self.window, self.strides, self.dilation, self.border_mode)
        return [Conv2dGradInput(*props)(x, kernel, dz), Conv2dGradKernel(*props)(x, kernel, dz),
                pt.sum(dz, axis=(0, 1, 2))]


class Conv2dGradInput(_Spatial):
    """(x, kernel, dy) -> the gradient w.r.t. x (x is only read for its shape)."""

    def make_node(self, x, kernel, dy):
        x, kernel, dy = map(pt.as_tensor_variable, (x, kernel, dy))
        return Apply(self, [x, kernel, dy], [pt.tensor(dtype='float32', shape=x.type.shape)])

    def perform(self, node, inputs, output_storage):
        x, kernel, dy = inputs
        kernel, dy = native.float32_array(kernel), native.float32_array(dy)
        geometry, out = self.geometry(x.shape, kernel.shape[3])
        _check_grad(dy.shape, out + (kernel.shape[3],))
        dx = _output(output_storage[0], x.shape)
        native.library().kcore_conv2d_grad_input(_pointer(geometry), _pointer(kernel),
                                                 _pointer(dy), _pointer(dx), threads())

    def infer_shape(self, fgraph, node, shapes):
        return [shapes[0]]


class Conv2dGradKernel(_Spatial):
    """(x, kernel, dy) -> the gradient w.r.t. the kernel (the kernel is read for its shape)."""

    def make_node(self, x, kernel, dy):
        x, kernel, dy = map(pt.as_tensor_variable, (x, kernel, dy))
        return Apply(self, [x, kernel, dy],
                     [pt.tensor(dtype='float32', shape=kernel.type.shape)])

    def perform(self, node, inputs, output_storage):
        x, kernel, dy = inputs
        x, dy = native.float32_array(x), native.float32_array(dy)
        geometry, out = self.geometry(x.shape, kernel.shape[3])
        _check_grad(dy.shape, out + (kernel.shape[3],))
        dkernel = _output(output_storage[0], kernel.shape)
        native.library().kcore_conv2d_grad_kernel(_pointer(geometry), _pointer(x), _pointer(dy),
                                                  _pointer(dkernel), threads())

    def infer_shape(self, fgraph, node, shapes):
        return [shapes[1]]


class Conv2dBackward(_Spatial):
    """(x, kernel, y, dy) -> (the kernel's gradient, the bias's, and where ``input_grad``
    x's) of y = ``activation``(conv2d(x, kernel) + bias), in one pass over the samples
    instead of an element-wise loop, a sum and two gradient Ops, each over the whole dy
    (conv_fusion.py). With ``pool`` (as Conv2dFused's), dy is the gradient of y's pooling
    and y that pooling's input; without, y is only read for relu."""

    __props__ = _Spatial.__props__ + ('activation', 'input_grad', 'pool')

    def __init__(self, window, strides, dilation, border_mode, activation, input_grad,
                 pool=None):
        super().__init__(window, strides, dilation, border_mode)
        self.activation, self.input_grad = activation, bool(input_grad)
        self.pool = None if pool is None else (tuple(pool[0]), tuple(pool[1])) + tuple(pool[2:])

    def make_node(self, x, kernel, y, dy):
        x, kernel, y, dy = map(pt.as_tensor_variable, (x, kernel, y, dy))
        outputs = [pt.tensor(dtype='float32', shape=kernel.type.shape),
                   pt.tensor(dtype='float32', shape=kernel.type.shape[3:])]
        if self.input_grad:
            outputs.append(pt.tensor(dtype='float32', shape=x.type.shape))
        return Apply(self, [x, kernel, y, dy], outputs)

    def perform(self, node, inputs, output_storage):
        x, kernel, y, dy = map(native.float32_array, inputs)
        geometry, out = self.geometry(x.shape, kernel.shape[3])
        out += (kernel.shape[3],)
        pool, pool_geometry, dy_shape = None, None, out
        if self.pool is not None:
            pool = Pool2d(*self.pool)
            pool_geometry, pooled = pool.geometry((1,) + out[1:], 0)
            dy_shape = out[:1] + pooled[1:] + out[3:]
        _check_grad(dy.shape, dy_shape)
        if self.activation != 'linear' or pool is not None:
            _check_grad(y.shape, out)
        dkernel = _output(output_storage[0], kernel.shape)
        dbias = _output(output_storage[1], kernel.shape[3:])
        dx = _output(output_storage[2], x.shape) if self.input_grad else None
        native.library().kcore_conv2d_backward(
            _pointer(geometry), _pointer(x), _pointer(kernel), _pointer(y), _pointer(dy),
            ACTIVATIONS[self.activation],
            None if pool is None else _pointer(pool_geometry), pool is not None and
            pool.mode == 'max', None if dx is None else _pointer(dx), _pointer(dkernel),
            _pointer(dbias), self.winograd, threads())

    def infer_shape(self, fgraph, node, shapes):
        x, kernel = shapes[:2]
        return [kernel, kernel[3:]] + ([x] if self.input_grad else [])


class Pool2d(_Spatial):
    """x (n, rows, cols, channels) -> the max or mean ('max'/'avg' in ``mode``) of each
    window's in-image pixels."""

    __props__ = _Spatial.__props__ + ('mode',)

    def __init__(self, window, strides, border_mode, mode):
        super().__init__(window, strides, (1, 1), border_mode)
        self.mode = mode

    def make_node(self, x):
        x = pt.as_tensor_variable(x)
        return Apply(self, [x], [self.out_type(x, x.type.shape[3])])

    def perform(self, node, inputs, output_storage):
        x = native.float32_array(inputs[0])
        geometry, out = self.geometry(x.shape, 0)
        y = _output(output_storage[0], out + (x.shape[3],))
        native.library().kcore_pool2d_forward(_pointer(geometry), self.mode == 'max',
                                              _pointer(x), _pointer(y), threads())

    def infer_shape(self, fgraph, node, shapes):
        x = shapes[0]
        return [(x[0],) + self.out_size(x[1], x[2]) + (x[3],)]

    def L_op(self, inputs, outputs, output_grads):
        grad = Pool2dGrad(self.window, self.strides, self.border_mode, self.mode)
        return [grad(inputs[0], pt.cast(output_grads[0], 'float32'))]


class Pool2dGrad(Pool2d):
    """(x, dy) -> the gradient w.r.t. x: max pooling sends each output's gradient to the
    first maximum of its window (row-major), as TensorFlow does."""

    def make_node(self, x, dy):
        x, dy = pt.as_tensor_variable(x), pt.as_tensor_variable(dy)
        return Apply(self, [x, dy], [pt.tensor(dtype='float32', shape=x.type.shape)])

    def perform(self, node, inputs, output_storage):
        x, dy = map(native.float32_array, inputs)
        geometry, out = self.geometry(x.shape, 0)
        _check_grad(dy.shape, out + (x.shape[3],))
        dx = _output(output_storage[0], x.shape)
        native.library().kcore_pool2d_grad(_pointer(geometry), self.mode == 'max', _pointer(x),
                                           _pointer(dy), _pointer(dx), threads())

    def infer_shape(self, fgraph, node, shapes):
        return [shapes[0]]

    def L_op(self, inputs, outputs, output_grads):
        """Second order (a model trained on a pooling gradient, as the what-where
        autoencoder): the result is linear in dy, dx = P(x)^T dy, so the gradient w.r.t. dy
        is P(x) g: average pooling of g, or for max pooling g at each window's maximum, taken
        as a Jacobian-vector product of the graph path's pooling (nn.py). Zero w.r.t. x
        (piecewise constant in it)."""
        x, dy = inputs
        g = pt.cast(output_grads[0], 'float32')
        if self.mode == 'avg':
            return [pt.zeros_like(x), Pool2d(self.window, self.strides, self.border_mode,
                                             'avg')(g)]
        from kcore_theano import nn
        y = x
        for axis in (1, 2):
            y = nn._pool_axis(y, axis, self.window[axis - 1], self.strides[axis - 1],
                              self.border_mode, 'max')
        u = y.type()   # J^T u is linear in u: its gradient w.r.t. u is J g, whatever u is
        jvp = pytensor.grad(pt.sum(pytensor.grad(None, x, known_grads={y: u}) * g), u)
        return [pt.zeros_like(x), pytensor.clone_replace(jvp, {u: pt.zeros_like(y)})]


def _check_kernel(x_shape, kernel_shape, window):
    if tuple(kernel_shape[:2]) != window or kernel_shape[2] != x_shape[3]:
        raise ValueError('conv2d: the kernel must be (%d, %d, %d, filters) for an input of '
                         'shape %s (channels last); got %s.'
                         % (window + (x_shape[3], tuple(x_shape), tuple(kernel_shape))))


def _check_grad(dy_shape, expected):
    if tuple(dy_shape) != tuple(expected):
        raise ValueError('conv2d/pool2d gradient: the output gradient must have the shape of '
                         'the output, %s; got %s.' % (tuple(expected), tuple(dy_shape)))


def conv2d(x, kernel, kshape, strides, border_mode, dilation):
    """Channels-last float32 ``x`` and ``kernel`` of shape ``kshape`` (kr, kc, stack,
    filters) -> the Op's output."""
    if kernel.type.shape != tuple(kshape):
        kernel = pt.specify_shape(kernel, kshape)
    return Conv2d(tuple(kshape[:2]), strides, dilation, border_mode)(x, kernel)


def pool2d(x, pool_size, strides, border_mode, pool_mode):
    return Pool2d(pool_size, strides, border_mode, pool_mode)(x)
