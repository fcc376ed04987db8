"""The fused LSTM kernel (``lstm_kernel.cc`` on kcore/native/lstm.h) as TensorFlow custom
ops with their gradient: built on first use with kcore.native.build (against the installed
TensorFlow's headers) and cached. Where it cannot be built, ``K.lstm`` warns once and falls
back to the generic ``K.rnn`` loop. ``KCORE_TF_FUSED_LSTM=0`` turns the kernel off;
``KCORE_TF_LSTM_FOLD_BIAS=0`` leaves the input's BiasAdd to TensorFlow (``_unbiased``) and
``KCORE_TF_LSTM_FLAT_GRAD=0`` forms the recurrent kernel's gradient from a copy of the
shifted outputs instead of ``_shifted_product``.
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
    zx, bias = _unbiased(zx)
    h, c, _ = library().kcore_lstm(zx, recurrent_kernel, h0, c0,
                                   empty if mask is None else mask,
                                   empty if dropout is None else dropout,
                                   empty if bias is None else bias,
                                   activation=activation, inner_activation=inner_activation)
    return h, c


def _unbiased(zx):
    """(x, b) where zx is BiasAdd(x, b) over its last axis (the layer's input product), which
    the op then adds itself (saving the BiasAdd and its BiasAddGrad); else (zx, None)."""
    op = zx.op
    if (op.type != 'BiasAdd' or op.get_attr('data_format') != b'NHWC'
            or native.switched_off('KCORE_TF_LSTM_FOLD_BIAS')):
        return zx, None
    return op.inputs[0], op.inputs[1]


@tf.RegisterGradient('KcoreLstm')
def _lstm_gradient(op, grad_h, grad_c, _grad_gates):
    zx, kernel, h0, c0, mask, dropout, bias = op.inputs
    h, c, gates = op.outputs
    grad_h = tf.zeros_like(h) if grad_h is None else grad_h
    grad_c = tf.zeros_like(c) if grad_c is None else grad_c
    grad_zx, grad_h0, grad_c0, grad_bias = library().kcore_lstm_grad(
        kernel, h0, c0, mask, dropout, h, c, gates, grad_h, grad_c, bias,
        activation=op.get_attr('activation'), inner_activation=op.get_attr('inner_activation'))
    grad_bias = None if bias.shape.rank == 1 and bias.shape[0] == 0 else grad_bias
    # dU = sum over steps of h_{t-1}^T dz_t (with dropout: of (h_{t-1} m_g)^T dz_g for each
    # gate g): one product over all samples and steps per mask.
    units = tf.shape(kernel)[0]
    masks = _dropout_masks(dropout)
    if masks is None and h.shape[1] and not native.switched_off('KCORE_TF_LSTM_FLAT_GRAD'):
        grad_kernel = _shifted_product(h0, h, grad_zx, units)
        return grad_zx, grad_kernel, grad_h0, grad_c0, None, None, grad_bias
    h_prev = tf.concat([h0[:, None], h[:, :-1]], axis=1)
    if masks is None:
        grad_kernel = _steps_product(h_prev, grad_zx, units, 4 * units)
    elif len(masks) == 1:
        grad_kernel = _steps_product(h_prev * masks[0][:, None], grad_zx, units, 4 * units)
    else:
        parts = tf.split(grad_zx, 4, axis=2)
        grad_kernel = tf.concat([_steps_product(h_prev * m[:, None], part, units, units)
                                 for m, part in zip(masks, parts)], axis=1)
    # The masks are constants of the training step (dropout draws them): no gradient.
    return grad_zx, grad_kernel, grad_h0, grad_c0, None, None, grad_bias


def _dropout_masks(dropout):
    """The recurrent dropout masks (batch, units) of the op's input: None, one, or four."""
    if dropout.shape.rank == 1:   # the empty tensor: no dropout
        return None
    if dropout.shape.rank == 2:
        return [dropout]
    return tf.unstack(dropout, 4, axis=1)


def _shifted_product(h0, h, grad_zx, units):
    """sum over samples b and steps t of h_{t-1}^T dz_t, without building h_{t-1}: one
    product of the flattened (batch * time) rows of h and of dz one row further (slices
    along the first axis alias their tensors: no copy), which pairs h[b - 1, T - 1] with
    dz[b, 0] where h0[b] belongs; one small product of the first steps swaps those."""
    h_rows, dz_rows = tf.reshape(h, [-1, units]), tf.reshape(grad_zx, [-1, 4 * units])
    count = tf.shape(h_rows)[0]
    pairs = tf.maximum(count - 1, 0)
    inner = tf.matmul(tf.slice(h_rows, [0, 0], [pairs, -1]),
                      tf.slice(dz_rows, [tf.minimum(count, 1), 0], [pairs, -1]),
                      transpose_a=True)
    crossing = tf.concat([tf.zeros_like(h0[:1]), h[:-1, -1]], axis=0)
    return inner + tf.matmul(h0 - crossing, grad_zx[:, 0], transpose_a=True)


def _steps_product(h_prev, grad_zx, units, width):
    return tf.matmul(tf.reshape(h_prev, [-1, units]), tf.reshape(grad_zx, [-1, width]),
                     transpose_a=True)
