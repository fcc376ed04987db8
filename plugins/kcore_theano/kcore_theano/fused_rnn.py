"""``K.gru`` and ``K.simple_rnn`` on PyTensor: the fused loops of kcore/native/gru.h and
simple_rnn.h as Ops (each sequence and its gradient), whose ``perform`` calls the compiled
kernels (``rnn_kernel.cc``, in kcore-theano's native library, see native.py) through
ctypes, without the GIL, the batch split into blocks of rows on ``lstm.threads()`` threads.
Where the library can't be built, the layers run the generic scan;
``KCORE_THEANO_FUSED_GRU=0`` / ``KCORE_THEANO_FUSED_SIMPLE_RNN=0`` turn one off.
"""

import numpy as np
import pytensor.tensor as pt
from pytensor.gradient import DisconnectedType
from pytensor.graph.basic import Apply
from pytensor.graph.op import Op

from kcore.native import switched_off
from kcore_theano import lstm, native

#: Per cell: (gates, the switch that turns its kernel off, the C functions' prefix).
CELLS = {'gru': (3, 'KCORE_THEANO_FUSED_GRU', 'kcore_gru'),
         'simple_rnn': (1, 'KCORE_THEANO_FUSED_SIMPLE_RNN', 'kcore_simple_rnn')}


def library(cell):
    """The native library when ``cell``'s fused kernel is on and built, else None."""
    return None if switched_off(CELLS[cell][1]) else native.library()


def _check(cell, zx, kernel, h0, mask, dropout):
    """(batch, steps, units) of consistent inputs; ValueError naming the wrong one."""
    gates = CELLS[cell][0]
    batch, steps, width = zx.shape
    units = kernel.shape[0]
    if kernel.shape != (units, gates * units) or width != gates * units:
        raise ValueError('%s: the recurrent kernel must be (units, %d units) and the inputs '
                         'must end in %d units; got kernel %s, inputs %s.'
                         % (cell, gates, gates, kernel.shape, zx.shape))
    if h0.shape != (batch, units):
        raise ValueError('%s: the initial state must be %s; got %s.'
                         % (cell, (batch, units), h0.shape))
    if mask.size and mask.shape != (batch, steps):
        raise ValueError('%s: the mask must be (batch, time) = %s; got %s.'
                         % (cell, (batch, steps), mask.shape))
    if dropout.size and dropout.shape != (batch, gates * units):
        raise ValueError('%s: the recurrent dropout mask must be %s; got %s.'
                         % (cell, (batch, gates * units), dropout.shape))
    return batch, steps, units


def _run(cell, direction, sizes, arrays, names, outputs):
    """Call ``<cell>_<direction>`` on the sizes, input arrays, activation names and output
    arrays, in the C function's order."""
    function = getattr(native.library(), '%s_%s' % (CELLS[cell][2], direction))
    if native.call_kernel(function, sizes, arrays, names, outputs, lstm.threads()) != 0:
        raise ValueError('%s: unknown activation in %s.' % (cell, names))


class CellOp(Op):
    """(zx, U, h0, mask, dropout) -> h at every step (and, for the GRU, the gates); an empty
    mask or dropout means none."""

    __props__ = ('cell', 'activations')

    def __init__(self, cell, activations):
        self.cell, self.activations = cell, tuple(activations)

    def make_node(self, zx, kernel, h0, mask, dropout):
        inputs = [pt.as_tensor_variable(v) for v in (zx, kernel, h0, mask, dropout)]
        count = 2 if self.cell == 'gru' else 1
        return Apply(self, inputs, [pt.tensor3(dtype='float32').type() for _ in range(count)])

    def perform(self, node, inputs, output_storage):
        zx, kernel, h0, mask, dropout = map(native.float32_array, inputs)
        batch, steps, units = _check(self.cell, zx, kernel, h0, mask, dropout)
        outputs = [np.empty((batch, steps, units), np.float32)]
        if self.cell == 'gru':
            outputs.append(np.empty_like(zx))
        _run(self.cell, 'forward', (batch, steps, units), (zx, kernel, h0, mask, dropout),
             self.activations, outputs)
        for storage, value in zip(output_storage, outputs):
            storage[0] = value

    def infer_shape(self, fgraph, node, shapes):
        zx, kernel = shapes[:2]
        return [(zx[0], zx[1], kernel[0]), zx][:len(node.outputs)]

    def L_op(self, inputs, outputs, output_grads):
        zx, kernel, h0, mask, dropout = inputs
        h = outputs[0]
        grad_h = (pt.zeros_like(h) if isinstance(output_grads[0].type, DisconnectedType)
                  else output_grads[0])
        grad_zx, grad_h0 = CellGradOp(self.cell, self.activations)(
            kernel, h0, mask, dropout, *outputs, grad_h)
        grad_kernel = _kernel_gradient(self.cell, kernel, h0, dropout, outputs, grad_zx)
        return [grad_zx, grad_kernel, grad_h0, pt.zeros_like(mask), pt.zeros_like(dropout)]


def _kernel_gradient(cell, kernel, h0, dropout, outputs, grad_zx):
    """dU: per gate, one product over all samples and steps of what multiplied U_g (h_{t-1}
    times its dropout mask; for the GRU's U_h, r h_{t-1} times it) with the gradient of zx.
    ``dropout`` is a (batch, gates units) matrix, or an empty vector for none."""
    n = kernel.shape[0]
    previous = pt.concatenate([h0[:, None], outputs[0][:, :-1]], axis=1)
    masks = ([dropout[:, None, g * n:(g + 1) * n] for g in range(CELLS[cell][0])]
             if dropout.ndim == 2 else None)

    def product(a, b, width=1):
        return pt.dot(a.reshape((-1, n)).T, b.reshape((-1, width * n)))

    if cell == 'simple_rnn':
        return product(previous if masks is None else previous * masks[0], grad_zx)
    r = outputs[1][:, :, n:2 * n]
    grad_hh = grad_zx[:, :, 2 * n:]
    if masks is None:   # z and r share the factor h_{t-1}: one product
        return pt.concatenate([product(previous, grad_zx[:, :, :2 * n], 2),
                               product(r * previous, grad_hh)], axis=1)
    return pt.concatenate([product(previous * masks[0], grad_zx[:, :, :n]),
                           product(previous * masks[1], grad_zx[:, :, n:2 * n]),
                           product(r * previous * masks[2], grad_hh)], axis=1)


class CellGradOp(Op):
    """(U, h0, mask, dropout, h[, gates], dh) -> the gradients of zx and h0."""

    __props__ = ('cell', 'activations')

    def __init__(self, cell, activations):
        self.cell, self.activations = cell, tuple(activations)

    def make_node(self, *inputs):
        inputs = [pt.as_tensor_variable(v) for v in inputs]
        zx_like = inputs[5] if self.cell == 'gru' else inputs[4]
        return Apply(self, inputs, [zx_like.type(), inputs[1].type()])

    def perform(self, node, inputs, output_storage):
        kernel, h0, mask, dropout, *sequences = map(native.float32_array, inputs)
        zx_like = sequences[1] if self.cell == 'gru' else sequences[0]
        sizes = _check(self.cell, zx_like, kernel, h0, mask, dropout)
        grad_zx, grad_h0 = np.empty_like(zx_like), np.empty_like(h0)
        _run(self.cell, 'backward', sizes, (kernel, h0, mask, dropout), self.activations,
             sequences + [grad_zx, grad_h0])
        output_storage[0][0], output_storage[1][0] = grad_zx, grad_h0

    def infer_shape(self, fgraph, node, shapes):
        return [shapes[5] if self.cell == 'gru' else shapes[4], shapes[1]]


def gru(x, kernel, h0, mask, dropout, activation, inner_activation):
    """The fused GRU Ops over float32 ``x`` (batch, time, 3 units): h at every step.
    ``mask`` (batch, time) and ``dropout`` (batch, 3 units) are float32 tensors or None."""
    op = CellOp('gru', (activation, inner_activation))
    return op(x, kernel, h0, *_optional(mask, dropout))[0]


def simple_rnn(x, kernel, h0, mask, dropout, activation):
    """The fused SimpleRNN Ops over float32 ``x`` (batch, time, units): h at every step;
    ``mask`` (batch, time) and ``dropout`` (batch, units) may be None."""
    return CellOp('simple_rnn', (activation,))(x, kernel, h0, *_optional(mask, dropout))


def _optional(mask, dropout):
    """``mask`` and ``dropout`` with None as empty tensors (a matrix, a vector: the Ops
    tell "no dropout" from the number of axes)."""
    return (pt.zeros((0, 0), 'float32') if mask is None else mask,
            pt.zeros((0,), 'float32') if dropout is None else dropout)
