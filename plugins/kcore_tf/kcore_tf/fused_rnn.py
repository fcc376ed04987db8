"""The fused GRU and SimpleRNN kernels (``rnn_kernels.cc`` on kcore/native/gru.h and
simple_rnn.h) as TensorFlow custom ops with their gradients: built on first use with
kcore.native.build into the library ``kcore_tf_rnn`` and cached. Where it cannot be built,
``K.gru``/``K.simple_rnn`` warn once and fall back to the generic ``K.rnn`` loop.
``KCORE_TF_FUSED_GRU=0`` / ``KCORE_TF_FUSED_SIMPLE_RNN=0`` turn a kernel off.
"""
import os

import tensorflow as tf

from kcore import native

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.join(HERE, 'rnn_kernels.cc')

_library = native.OnFirstUse(
    lambda: tf.load_op_library(_build()),
    'kcore-tf: the fused GRU and SimpleRNN kernels could not be built, so these layers run '
    'the generic rnn loop (slower). Set KCORE_TF_FUSED_GRU=0 and KCORE_TF_FUSED_SIMPLE_RNN=0 '
    'to skip the attempt.',
    errors=(OSError, RuntimeError, tf.errors.OpError))


def library(switch):
    """The loaded op library, or None where the environment variable ``switch`` turns the
    kernel off or the library can't be built (with a warning, once)."""
    return None if native.switched_off(switch) else _library()


def _build():
    flags = tf.sysconfig.get_compile_flags() + tf.sysconfig.get_link_flags()
    return native.build('kcore_tf_rnn', [SOURCE], flags,
                        key_parts=[tf.__version__])


def _empty(tensor):
    return tf.zeros([0], tf.float32) if tensor is None else tensor


def gru(zx, recurrent_kernel, h0, mask, dropout, activation, inner_activation):
    """Run the GRU kernel: h at every step (batch, time, units). ``mask`` is a float
    (batch, time) tensor, ``dropout`` the masks of z, r, h side by side (batch, 3 units);
    either may be None."""
    h, _ = _library().kcore_gru(zx, recurrent_kernel, h0, _empty(mask), _empty(dropout),
                                activation=activation, inner_activation=inner_activation)
    return h


def simple_rnn(zx, recurrent_kernel, h0, mask, dropout, activation):
    """Run the SimpleRNN kernel: h at every step (batch, time, units); ``mask`` (batch,
    time) and ``dropout`` (batch, units) may be None."""
    return _library().kcore_simple_rnn(zx, recurrent_kernel, h0, _empty(mask),
                                       _empty(dropout), activation=activation)


def _previous(h0, h):
    """h_{t-1} at every step: (batch, time, units)."""
    return tf.concat([h0[:, None], h[:, :-1]], axis=1)


def _product(left, right):
    """sum over samples and steps of left^T right: (units, width)."""
    return tf.matmul(tf.reshape(left, [-1, tf.shape(left)[-1]]),
                     tf.reshape(right, [-1, tf.shape(right)[-1]]), transpose_a=True)


def _dropped(dropout):
    return dropout.shape.num_elements() != 0


@tf.RegisterGradient('KcoreGru')
def _gru_gradient(op, grad_h, _grad_gates):
    zx, kernel, h0, mask, dropout = op.inputs
    h, gates = op.outputs
    grad_h = tf.zeros_like(h) if grad_h is None else grad_h
    grad_zx, grad_h0 = _library().kcore_gru_grad(
        kernel, h0, mask, dropout, h, gates, grad_h, activation=op.get_attr('activation'),
        inner_activation=op.get_attr('inner_activation'))
    # dU: per gate, one product over all samples and steps of what multiplied U_g.
    previous = _previous(h0, h)
    grad_z, grad_r, grad_hh = tf.split(grad_zx, 3, axis=-1)
    r = tf.split(gates, 3, axis=-1)[1]
    if _dropped(dropout):
        d_z, d_r, d_h = [d[:, None] for d in tf.split(dropout, 3, axis=-1)]
        parts = [_product(previous * d_z, grad_z), _product(previous * d_r, grad_r),
                 _product(r * previous * d_h, grad_hh)]
    else:
        parts = [_product(previous, grad_zx[..., :-tf.shape(kernel)[0]]),
                 _product(r * previous, grad_hh)]
    return grad_zx, tf.concat(parts, axis=1), grad_h0, None, None


@tf.RegisterGradient('KcoreSimpleRnn')
def _simple_rnn_gradient(op, grad_h):
    zx, kernel, h0, mask, dropout = op.inputs
    h = op.outputs[0]
    grad_zx, grad_h0 = _library().kcore_simple_rnn_grad(
        kernel, h0, mask, dropout, h, grad_h, activation=op.get_attr('activation'))
    previous = _previous(h0, h)
    if _dropped(dropout):
        previous = previous * dropout[:, None]
    return grad_zx, _product(previous, grad_zx), grad_h0, None, None
