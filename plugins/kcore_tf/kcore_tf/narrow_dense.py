"""Products with few output columns (a classifier's last Dense layer) as one op,
``narrow_dense.cc``: TensorFlow's products run such shapes at a tenth of their speed (in
mlp_predict, 1024x512 by 512x10 and the softmax: 260 us, against 175-190 us for the op,
which then waits mostly on reading its input). ``K.dot`` of a float32 matrix by a weight
matrix of at most 16 columns makes a ``KcoreNarrowDense`` op; ``K.bias_add`` and
``K.softmax`` on its output fold into it (one op, one pass).

Unlike the recurrent kernels, this library is not built on first use (every model would
wait for a build at its first Dense layer): it is used once it is in the cache, where
``kcore build`` puts it; until then the products stay TensorFlow's.
``KCORE_TF_NARROW_DENSE=0`` turns it off.
"""
import os

import tensorflow as tf

from kcore import native

SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'narrow_dense.cc')
MAX_UNITS = 16


def _load():
    path = _build(cached_only=True)
    return None if path is None else tf.load_op_library(path)


_library = native.OnFirstUse(
    _load, 'kcore-tf: the narrow Dense kernel could not be loaded, so such products stay '
    "TensorFlow's (slower). Set KCORE_TF_NARROW_DENSE=0 to skip the attempt.",
    errors=(OSError, RuntimeError, tf.errors.OpError))


def library():
    """The loaded op library, or None where it is switched off or not built yet."""
    return None if native.switched_off('KCORE_TF_NARROW_DENSE') else _library()


def _build(cached_only=False):
    flags = tf.sysconfig.get_compile_flags() + tf.sysconfig.get_link_flags()
    return native.build('kcore_tf_narrow_dense', [SOURCE], flags, key_parts=[tf.__version__],
                        cached_only=cached_only)


def product(x, w):
    """``x w`` as the op where it applies (2D float32 tensors, w's columns known and at most
    MAX_UNITS, x's inner size known), else None."""
    if not (isinstance(x, tf.Tensor) and isinstance(w, (tf.Tensor, tf.Variable))
            and x.dtype == tf.float32 and w.dtype == tf.float32
            and x.shape.rank == 2 and w.shape.rank == 2):
        return None
    units, inner = w.shape[1], w.shape[0]
    if units is None or units > MAX_UNITS or inner is None or x.shape[1] != inner:
        return None
    lib = library()
    return None if lib is None else lib.kcore_narrow_dense(x, w, tf.zeros([0], tf.float32))


def _linear(y):
    """(op) where y is the output of a linear KcoreNarrowDense op, else None."""
    op = y.op if isinstance(y, tf.Tensor) else None
    if op is None or op.type != 'KcoreNarrowDense' or op.get_attr('activation') != b'linear':
        return None
    return op


def with_bias(y, bias):
    """``y + bias`` as one op where y is a narrow product without bias, else None."""
    op = _linear(y)
    if (op is None or op.inputs[2].shape.num_elements() != 0 or not isinstance(
            bias, (tf.Tensor, tf.Variable)) or bias.dtype != tf.float32
            or bias.shape != (y.shape[1],)):
        return None
    return library().kcore_narrow_dense(op.inputs[0], op.inputs[1], bias)


def with_softmax(y):
    """``softmax(y)`` as one op where y is a linear narrow product, else None."""
    op = _linear(y)
    if op is None:
        return None
    return library().kcore_narrow_dense(*op.inputs, activation='softmax')


@tf.RegisterGradient('KcoreNarrowDense')
def _gradient(op, grad):
    x, w, bias = op.inputs
    if op.get_attr('activation') == b'softmax':
        y = op.outputs[0]
        grad = (grad - tf.reduce_sum(grad * y, axis=-1, keepdims=True)) * y
    grad_bias = None if bias.shape.num_elements() == 0 else tf.reduce_sum(grad, axis=0)
    return (tf.matmul(grad, w, transpose_b=True), tf.matmul(x, grad, transpose_a=True),
            grad_bias)
