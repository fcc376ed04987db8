"""Large float32 matrix products on several threads: PyTensor's Dot22 runs on one thread
(scipy-openblas32 stays at one: see blas.py), so ThreadedDot replaces it, sharing the rows
among threads by ``kcore_sgemm_rows`` (conv_kernel.cc) without the GIL. A thread that finds
its core busy takes fewer row blocks instead of holding the others up, and small products
stay on one thread. Predict (functions without updates) uses it for products with large
weights; training also for products along the batch (or batch x time) axis, which there
share rows among threads only from ``MIN_TRAINING_WORK`` multiply-adds and otherwise go to
numpy's own (threaded) BLAS: the lstm, mlp and cnn benchmarks train 1.22x, 1.20x and
1.08x faster (plugin README).
``KCORE_THEANO_THREADED_DOT=0`` (or ``KCORE_THEANO_NATIVE_CONV=0``) keeps Dot22 everywhere;
``KCORE_THEANO_THREADED_TRAINING=0`` keeps it in training.
"""
import ctypes

import numpy as np
import pytensor.tensor as pt
from pytensor.graph.basic import Apply
from pytensor.graph.op import Op
from pytensor.graph.rewriting.basic import in2out, node_rewriter
from pytensor.tensor.blas import Dot22

from kcore.native import switched_off
from kcore_theano import native, native_conv

# After PyTensor's in-place rewrites and flat_elemwise (99): Dot22 is final by then.
REWRITE_POSITION = 99.5


def _operand(array):
    """(array, leading dimension, transposed) for sgemm without a copy where the array is
    C- or Fortran-contiguous."""
    if array.dtype != np.float32:
        array = array.astype(np.float32)
    if array.flags.c_contiguous:
        return array, max(array.shape[1], 1), False
    if array.flags.f_contiguous:
        return array, max(array.shape[0], 1), True
    array = np.ascontiguousarray(array)
    return array, max(array.shape[1], 1), False


class ThreadedDot(Op):
    """(a (m, k), b (k, n)) float32 -> a b, the rows shared among threads; products under
    ``min_work`` multiply-adds are numpy's."""

    __props__ = ('min_work',)

    def __init__(self, min_work=0):
        self.min_work = int(min_work)

    def make_node(self, a, b):
        a, b = pt.as_tensor_variable(a), pt.as_tensor_variable(b)
        if a.ndim != 2 or b.ndim != 2:
            raise ValueError('ThreadedDot: expected two matrices; got %d and %d axes.'
                             % (a.ndim, b.ndim))
        shape = (a.type.shape[0], b.type.shape[1])
        return Apply(self, [a, b], [pt.tensor(dtype='float32', shape=shape)])

    def perform(self, node, inputs, output_storage):
        x, y = inputs
        if x.shape[0] * x.shape[1] * y.shape[-1] < self.min_work:
            output_storage[0][0] = np.dot(x, y).astype(np.float32, copy=False)
            return
        (a, lda, ta), (b, ldb, tb) = map(_operand, inputs)
        if a.shape[1] != b.shape[0]:
            raise ValueError('ThreadedDot: shapes %s and %s do not fit a matrix product.'
                             % (a.shape, b.shape))
        m, k, n = a.shape[0], a.shape[1], b.shape[1]
        c = native_conv._output(output_storage[0], (m, n))
        if c.size and k == 0:
            c.fill(0)
        elif c.size:
            native.library().kcore_sgemm_rows(
                ctypes.c_int64(m), ctypes.c_int64(n), ctypes.c_int64(k), native_conv._pointer(a),
                ctypes.c_int64(lda), int(ta), native_conv._pointer(b), ctypes.c_int64(ldb),
                int(tb), native_conv._pointer(c), native_conv.threads())

    def infer_shape(self, fgraph, node, shapes):
        return [(shapes[0][0], shapes[1][1])]


# The least (k x n) a product's second operand must have, statically: a Python Op's call
# costs some microseconds more than Dot22's, which would show in small products (a
# recurrent step's inside a scan) and be won back only in large ones (a layer's weights).
MIN_WEIGHTS = 1 << 18


# Training: also a product with an axis of unknown length (the batch, or batch x time) and
# at least this many multiply-adds per unit of it (the lstm benchmark's input, state and
# weight-gradient products: 128 x 512)...
MIN_PER_ROW = 1 << 16
# ... on threads from this many multiply-adds (the lstm's 2560 x 128 x 512: 1.27x); below
# it numpy's BLAS was faster than both Dot22 and one sgemm (the mlp's 128-row products).
MIN_TRAINING_WORK = 1 << 26


def _eligible(a, b, training):
    if None not in b.type.shape and b.type.shape[0] * b.type.shape[1] >= MIN_WEIGHTS:
        return True
    known = [d for d in a.type.shape + b.type.shape[1:] if d is not None]
    return training and len(known) < 3 and int(np.prod(known)) >= MIN_PER_ROW


def _rewrite(training):
    @node_rewriter([Dot22])
    def threaded_dot_node(fgraph, node):
        a, b = node.inputs
        if node.outputs[0].dtype != 'float32' or a.dtype != 'float32' or b.dtype != 'float32':
            return None
        if not _eligible(a, b, training):
            return None
        return [ThreadedDot(MIN_TRAINING_WORK if training else 0)(a, b)]
    return in2out(threaded_dot_node, name='kcore_threaded_dot')


threaded_dot, threaded_dot_training = _rewrite(False), _rewrite(True)


def available():
    """Whether the native library is built and both switches are on."""
    return not switched_off('KCORE_THEANO_THREADED_DOT') and native_conv.library() is not None


def rewrite_for(training):
    """The rewrite for a function with updates (``training``) or without; None: keep Dot22."""
    if not available() or (training and switched_off('KCORE_THEANO_THREADED_TRAINING')):
        return None
    return threaded_dot_training if training else threaded_dot
