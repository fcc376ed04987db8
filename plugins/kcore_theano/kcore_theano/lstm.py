"""``K.lstm`` on PyTensor: the fused loop of kcore/native/lstm.h as two Ops, the sequence
and its gradient, whose ``perform`` calls the compiled kernel (``lstm_kernel.cc``, in
kcore-theano's native library, see native.py) through ctypes, without the GIL. Its matrix
products are lstm.h's SmallGemm; the batch is split into blocks of rows that run the whole
sequence on ``threads()`` threads. Where the library can't be built, ``K.lstm`` runs the
generic scan; ``KCORE_THEANO_FUSED_LSTM=0`` turns it off.
"""

import os

import numpy as np
import pytensor.tensor as pt
from pytensor.gradient import DisconnectedType
from pytensor.graph.basic import Apply
from pytensor.graph.op import Op

from kcore.native import switched_off
from kcore_theano import native, native_conv


def library():
    """The native library when the fused LSTM is on and built, else None."""
    return None if switched_off('KCORE_THEANO_FUSED_LSTM') else native.library()


def threads():
    """Threads per call of the recurrent kernels (LSTM, GRU, SimpleRNN):
    ``KCORE_THEANO_RNN_THREADS``, else the cores this process may use (as the native
    convolutions: ``native_conv.threads``). Read at every call."""
    value = os.environ.get('KCORE_THEANO_RNN_THREADS', '').strip()
    if not value:
        return native_conv.threads()
    if not value.isdigit() or int(value) < 1:
        raise ValueError('KCORE_THEANO_RNN_THREADS must be a positive integer; got %r.' % value)
    return int(value)


def _call(function, sizes, arrays, names, outputs):
    """Run the kernel's ``function`` on (batch, steps, units, dropout gates), the input
    arrays (an empty mask or dropout as a null pointer), the activation names and the
    output arrays."""
    if native.call_kernel(function, sizes, arrays, names, outputs, threads()) != 0:
        raise ValueError('lstm: unknown activation in %s.' % (names,))


def _check(op, zx, kernel, h0, c0, mask, dropout):
    batch, steps, width = zx.shape
    units = kernel.shape[0]
    if kernel.shape != (units, 4 * units) or width != 4 * units:
        raise ValueError('%s: the recurrent kernel must be (units, 4 units) and the inputs '
                         'must end in 4 units; got kernel %s, inputs %s.'
                         % (op, kernel.shape, zx.shape))
    if h0.shape != (batch, units) or c0.shape != (batch, units):
        raise ValueError('%s: the initial states must be %s; got %s and %s.'
                         % (op, (batch, units), h0.shape, c0.shape))
    if mask.size and mask.shape != (batch, steps):
        raise ValueError('%s: the mask must be (batch, time) = %s; got %s.'
                         % (op, (batch, steps), mask.shape))
    if dropout.size and dropout.shape not in ((batch, units), (batch, 4, units)):
        raise ValueError('%s: the recurrent dropout mask must be (batch, units) = %s or '
                         '(batch, 4, units); got %s.' % (op, (batch, units), dropout.shape))
    return batch, steps, units, (dropout.shape[1] if dropout.ndim == 3 else 1)


class LstmOp(Op):
    """(zx, U, h0, c0, mask, dropout) -> h, c at every step and the gate activations; an
    empty mask or dropout means none."""

    __props__ = ('activation', 'inner_activation')

    def __init__(self, activation, inner_activation):
        self.activation, self.inner_activation = activation, inner_activation

    def make_node(self, zx, kernel, h0, c0, mask, dropout):
        inputs = [pt.as_tensor_variable(v) for v in (zx, kernel, h0, c0, mask, dropout)]
        sequence = pt.tensor3(dtype='float32')
        return Apply(self, inputs, [sequence.type(), sequence.type(), sequence.type()])

    def perform(self, node, inputs, output_storage):
        zx, kernel, h0, c0, mask, dropout = map(native.float32_array, inputs)
        batch, steps, units, drop_gates = _check('lstm', zx, kernel, h0, c0, mask, dropout)
        h = np.empty((batch, steps, units), np.float32)
        c, gates = np.empty_like(h), np.empty_like(zx)
        _call(native.library().kcore_lstm_forward, (batch, steps, units, drop_gates),
              (zx, kernel, h0, c0, mask, dropout),
              (self.activation, self.inner_activation), (h, c, gates))
        for storage, value in zip(output_storage, (h, c, gates)):
            storage[0] = value

    def infer_shape(self, fgraph, node, shapes):
        zx, kernel = shapes[:2]
        sequence = (zx[0], zx[1], kernel[0])
        return [sequence, sequence, zx]

    def L_op(self, inputs, outputs, output_grads):
        zx, kernel, h0, c0, mask, dropout = inputs
        h, c, gates = outputs
        grad_h, grad_c = [pt.zeros_like(out) if isinstance(grad.type, DisconnectedType)
                          else grad for grad, out in zip(output_grads[:2], (h, c))]
        grad_zx, grad_h0, grad_c0 = LstmGradOp(self.activation, self.inner_activation)(
            kernel, h0, c0, mask, dropout, h, c, gates, grad_h, grad_c)
        # dU = sum over steps of h_{t-1}^T dz_t (with dropout: of (h_{t-1} m_g)^T dz_g for
        # each gate g): one product over all samples and steps per mask.
        units = kernel.shape[0]
        h_prev = pt.concatenate([h0[:, None], h[:, :-1]], axis=1)
        product = lambda hp, dz, width: pt.dot(hp.reshape((-1, units)).T,
                                               dz.reshape((-1, width)))
        if dropout.ndim == 1:   # the empty array: no dropout
            grad_kernel = product(h_prev, grad_zx, 4 * units)
        elif dropout.ndim == 2:
            grad_kernel = product(h_prev * dropout[:, None], grad_zx, 4 * units)
        else:
            grad_kernel = pt.concatenate(
                [product(h_prev * dropout[:, None, g], grad_zx[:, :, g * units:(g + 1) * units],
                         units) for g in range(4)], axis=1)
        # The masks are constants of the training step: no gradient.
        return [grad_zx, grad_kernel, grad_h0, grad_c0, pt.zeros_like(mask),
                pt.zeros_like(dropout)]


class LstmGradOp(Op):
    """(U, h0, c0, mask, dropout, h, c, gates, dh, dc) -> the gradients of zx, h0, c0."""

    __props__ = ('activation', 'inner_activation')

    def __init__(self, activation, inner_activation):
        self.activation, self.inner_activation = activation, inner_activation

    def make_node(self, *inputs):
        inputs = [pt.as_tensor_variable(v) for v in inputs]
        return Apply(self, inputs, [inputs[7].type(), inputs[1].type(), inputs[2].type()])

    def perform(self, node, inputs, output_storage):
        (kernel, h0, c0, mask, dropout, h, c, gates, grad_h,
         grad_c) = map(native.float32_array, inputs)
        batch, steps, units, drop_gates = _check('lstm gradient', gates, kernel, h0, c0, mask,
                                                 dropout)
        grad_zx = np.empty_like(gates)
        grad_h0, grad_c0 = np.empty_like(h0), np.empty_like(c0)
        _call(native.library().kcore_lstm_backward, (batch, steps, units, drop_gates),
              (kernel, h0, c0, mask, dropout), (self.activation, self.inner_activation),
              (h, c, gates, grad_h, grad_c, grad_zx, grad_h0, grad_c0))
        for storage, value in zip(output_storage, (grad_zx, grad_h0, grad_c0)):
            storage[0] = value

    def infer_shape(self, fgraph, node, shapes):
        return [shapes[7], shapes[1], shapes[2]]


def run(x, kernel, h0, c0, mask, activation, inner_activation, dropout=None):
    """The fused Ops over float32 ``x`` (batch, time, 4 units): (h, c) at every step. ``mask``
    is a float32 (batch, time) tensor or None (an empty array for the Op); ``dropout`` the
    recurrent dropout mask, (batch, units) or (batch, 4, units), or None."""
    mask = pt.zeros((0, 0), 'float32') if mask is None else mask
    dropout = pt.zeros((0,), 'float32') if dropout is None else dropout
    h, c, _ = LstmOp(activation, inner_activation)(x, kernel, h0, c0, mask, dropout)
    return h, c
