"""The fused LSTM kernel (``lstm_kernel.cc`` on kcore/native/lstm.h) as TensorFlow custom
ops with their gradient: built on first use with kcore.native.build (against the installed
TensorFlow's headers) and cached. Where it cannot be built, ``K.lstm`` warns once and falls
back to the generic ``K.rnn`` loop. ``KCORE_TF_FUSED_LSTM=0`` turns the kernel off.
"""
import os

import tensorflow as tf

from kcore import native

SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'lstm_kernel.cc')

_library = native.OnFirstUse(
    lambda: tf.load_op_library(_build()),
    'kcore-tf: the fused LSTM kernel could not be built, so LSTM layers run the generic rnn '
    'loop (slower). Set KCORE_TF_FUSED_LSTM=0 to skip the attempt.',
    errors=(OSError, RuntimeError, tf.errors.OpError))


def library():
    """The loaded op library, or None (with a warning, once) where it can't be built."""
    return None if native.switched_off('KCORE_TF_FUSED_LSTM') else _library()


def _build():
    flags = tf.sysconfig.get_compile_flags() + tf.sysconfig.get_link_flags()
    return native.build('kcore_tf_lstm', [SOURCE], flags, key_parts=[tf.__version__])


def lstm(zx, recurrent_kernel, h0, c0, mask, activation, inner_activation, dropout=None):
    """Run the kernel: (h, c) at every step, each (batch, time, units). ``mask`` is a float
    (batch, time) tensor or None; ``dropout`` the recurrent dropout mask, (batch, units) or
    (batch, 4, units), or None."""
    empty = tf.zeros([0], tf.float32)
    h, c, _ = library().kcore_lstm(zx, recurrent_kernel, h0, c0,
                                   empty if mask is None else mask,
                                   empty if dropout is None else dropout,
                                   activation=activation, inner_activation=inner_activation)
    return h, c


@tf.RegisterGradient('KcoreLstm')
def _lstm_gradient(op, grad_h, grad_c, _grad_gates):
    zx, kernel, h0, c0, mask, dropout = op.inputs
    h, c, gates = op.outputs
    grad_h = tf.zeros_like(h) if grad_h is None else grad_h
    grad_c = tf.zeros_like(c) if grad_c is None else grad_c
    grad_zx, grad_h0, grad_c0 = library().kcore_lstm_grad(
        kernel, h0, c0, mask, dropout, h, c, gates, grad_h, grad_c,
        activation=op.get_attr('activation'), inner_activation=op.get_attr('inner_activation'))
    # dU = sum over steps of h_{t-1}^T dz_t (with dropout: of (h_{t-1} m_g)^T dz_g for each
    # gate g): one product over all samples and steps per mask.
    units = tf.shape(kernel)[0]
    h_prev = tf.concat([h0[:, None], h[:, :-1]], axis=1)
    masks = _dropout_masks(dropout)
    if masks is None:
        grad_kernel = _steps_product(h_prev, grad_zx, units, 4 * units)
    elif len(masks) == 1:
        grad_kernel = _steps_product(h_prev * masks[0][:, None], grad_zx, units, 4 * units)
    else:
        parts = tf.split(grad_zx, 4, axis=2)
        grad_kernel = tf.concat([_steps_product(h_prev * m[:, None], part, units, units)
                                 for m, part in zip(masks, parts)], axis=1)
    # The masks are constants of the training step (dropout draws them): no gradient.
    return grad_zx, grad_kernel, grad_h0, grad_c0, None, None


def _dropout_masks(dropout):
    """The recurrent dropout masks (batch, units) of the op's input: None, one, or four."""
    if dropout.shape.rank == 1:   # the empty tensor: no dropout
        return None
    if dropout.shape.rank == 2:
        return [dropout]
    return tf.unstack(dropout, 4, axis=1)


def _steps_product(h_prev, grad_zx, units, width):
    return tf.matmul(tf.reshape(h_prev, [-1, units]), tf.reshape(grad_zx, [-1, width]),
                     transpose_a=True)
