"""Adam's step on PyTensor as one native Op per parameter (``fused_update.cc``), the answer
to kcore's ``_fused_update`` hook: one threaded pass over the parameter and its two
moments, in place, instead of PyTensor's element-wise graph (several passes and new arrays
every step, on one thread).

- The Op is built out of place; a rewrite after PyTensor's destroy handler makes it work in
  place, so the function's updates write back into the variables' own arrays. Where the
  destroy handler refuses that, the out-of-place Op (a copy, then the pass) stays.
- An embedding's gradient is ``inc_subtensor`` of its rows into a zero array of the whole
  matrix (kcore's gather). A rewrite gives the Op those (index, value) pairs instead, which
  skips the zero fill and the scatter: duplicates are summed, and every row still takes
  the step, zero gradient or not (Keras 1's Adam is dense).
- Only float32 dense parameters of Adam; everything else (float64, sparse variables,
  constrained weights, which kcore's optimizer keeps on its formulas) takes the formulas.
  ``KCORE_THEANO_FUSED_UPDATES=0`` turns it off, and so does a library that can't be built.
"""
import ctypes

import numpy as np
import pytensor.tensor as pt
from pytensor.compile import SharedVariable, optdb
from pytensor.graph.basic import Apply
from pytensor.graph.op import Op
from pytensor.graph.rewriting.basic import in2out, node_rewriter
from pytensor.tensor.basic import Alloc
from pytensor.tensor.exceptions import NotScalarConstantError
from pytensor.tensor.shape import Reshape
from pytensor.tensor.subtensor import AdvancedIncSubtensor1

from kcore.native import switched_off
from kcore_theano import native, native_conv

SWITCH = 'KCORE_THEANO_FUSED_UPDATES'
# Where the rewrites run: the sparse gradient after PyTensor's specialization (its graph is
# final by then), the in-place form right after the destroy handler is added (49.5).
SPARSE_POSITION, INPLACE_POSITION = 48.5, 50.0


class Updates(tuple):
    """Several (variable, new value) pairs that one op computes: a function's updates take
    them as one entry (kcore's optimizer appends a fused step as one)."""


def library():
    """The native library when fused updates are on and it is built, else None."""
    return None if switched_off(SWITCH) else native.library()


def _pointer(array):
    return array.ctypes.data_as(ctypes.c_void_p)


def _rows_cols(shape):
    """``shape`` as (rows, columns) of its flat C-ordered array."""
    size = int(np.prod(shape, dtype=np.int64))
    rows = int(shape[0]) if len(shape) else 1
    return rows, (size // rows if rows else 0)


class _AdamBase(Op):
    """(p, m, v, gradient..., hyper) -> the new p, m and v; ``hyper`` is the float32 vector
    [lr_t, beta_1, 1 - beta_1, beta_2, 1 - beta_2, epsilon]."""

    __props__ = ('inplace',)

    def __init__(self, inplace=False):
        self.inplace = bool(inplace)
        if self.inplace:
            self.destroy_map = {0: [0], 1: [1], 2: [2]}

    def _state(self, inputs):
        """p, m and v as C-contiguous float32 arrays this step may overwrite."""
        arrays = [native.float32_array(a) for a in inputs[:3]]
        if not self.inplace:
            arrays = [a.copy() if a is b else a for a, b in zip(arrays, inputs[:3])]
        return arrays

    def infer_shape(self, fgraph, node, shapes):
        return list(shapes[:3])

    def grad(self, inputs, output_grads):
        raise NotImplementedError('%s is an optimizer step; it has no gradient.'
                                  % type(self).__name__)


class AdamOp(_AdamBase):
    """Adam's step with a dense gradient g: (p, m, v, g, hyper)."""

    def make_node(self, p, m, v, g, hyper):
        inputs = [pt.as_tensor_variable(x) for x in (p, m, v, g, hyper)]
        return Apply(self, inputs, [x.type() for x in inputs[:3]])

    def perform(self, node, inputs, output_storage):
        p, m, v = self._state(inputs)
        g, hyper = native.float32_array(inputs[3]), native.float32_array(inputs[4])
        if g.shape != p.shape or not p.shape == m.shape == v.shape:
            raise ValueError('Adam (fused): the parameter %s, its moments %s and %s and its '
                             'gradient %s must have one shape.' % (p.shape, m.shape, v.shape,
                                                                   g.shape))
        rows, cols = _rows_cols(p.shape)
        native.library().kcore_adam_dense(
            ctypes.c_int64(rows), ctypes.c_int64(cols), _pointer(p), _pointer(m),
            _pointer(v), _pointer(g), _pointer(hyper), native_conv.threads())
        for storage, value in zip(output_storage, (p, m, v)):
            storage[0] = value


class AdamRowsOp(_AdamBase):
    """Adam's step whose gradient is zero but for the elements ``index`` of the flattened
    parameter, which get ``values`` (repeated ones summed): (p, m, v, size, index, values,
    hyper); ``size`` is the length of the gradient's flat array, p's size."""

    def make_node(self, p, m, v, size, index, values, hyper):
        inputs = [pt.as_tensor_variable(x) for x in (p, m, v, size, index, values, hyper)]
        return Apply(self, inputs, [x.type() for x in inputs[:3]])

    def perform(self, node, inputs, output_storage):
        p, m, v = self._state(inputs)
        size, index, values, hyper = inputs[3:]
        index = np.ascontiguousarray(index, dtype=np.int64)
        values, hyper = native.float32_array(values), native.float32_array(hyper)
        if int(size) != p.size or index.shape != values.shape or index.ndim != 1:
            raise ValueError('Adam (fused): the gradient of a parameter of %d elements %s has '
                             '%d elements, %s indices and %s values (expected as many, one '
                             'axis).' % (p.size, p.shape, int(size), index.shape, values.shape))
        rows, cols = _rows_cols(p.shape)
        status = native.library().kcore_adam_sparse(
            ctypes.c_int64(rows), ctypes.c_int64(cols), _pointer(p), _pointer(m),
            _pointer(v), ctypes.c_int64(index.size), _pointer(index), _pointer(values),
            _pointer(hyper), native_conv.threads())
        if status != 0:
            raise IndexError('Adam (fused): a gradient index is outside the parameter of '
                             '%d elements %s.' % (p.size, p.shape))
        for storage, value in zip(output_storage, (p, m, v)):
            storage[0] = value


def _adam(param, grad, state, lr, beta_1, beta_2, beta_1_power, beta_2_power, epsilon):
    m, v = state
    f32 = lambda x: pt.cast(pt.as_tensor_variable(x), 'float32')
    lr, beta_1, beta_2 = f32(lr), f32(beta_1), f32(beta_2)
    # Adam's lr_t as kcore's formula computes it: the bias correction in the step size.
    lr_t = lr * pt.sqrt(1. - f32(beta_2_power)) / (1. - f32(beta_1_power))
    hyper = pt.stack([f32(x) for x in (lr_t, beta_1, 1. - beta_1, beta_2, 1. - beta_2,
                                       np.float32(epsilon))])
    new = AdamOp()(param, m, v, grad, hyper)
    return Updates(zip((param, m, v), new))


RULES = {'adam': _adam}


def _fusable(variable):
    return (isinstance(variable, SharedVariable) and isinstance(variable.type, pt.TensorType)
            and variable.dtype == 'float32')


def fused_update(rule, param, grad, state, hyper):
    """The updates (an ``Updates``) of one step of ``rule`` on ``param`` and its ``state``
    by one native Op, or None (off, not built, another rule, not float32 tensors)."""
    make = RULES.get(rule)
    if make is None or library() is None:
        return None
    if not all(_fusable(x) for x in [param] + list(state)):
        return None
    grad = pt.as_tensor_variable(grad)
    if not isinstance(grad.type, pt.TensorType) or grad.dtype != 'float32' \
            or grad.ndim != param.ndim:
        return None
    return make(param, grad, state, **hyper)


def _is_zero(variable):
    try:
        return pt.get_underlying_scalar_constant_value(variable) == 0
    except NotScalarConstantError:
        return False


@node_rewriter([AdamOp])
def _sparse_gradient(fgraph, node):
    """AdamOp(p, m, v, reshape(inc_subtensor(zeros(n)[index], values)), hyper) ->
    AdamRowsOp(p, m, v, n, index, values, hyper)."""
    if node.op.inplace:
        return None
    p, m, v, grad, hyper = node.inputs
    flat = grad
    if grad.owner is not None and isinstance(grad.owner.op, Reshape):
        flat = grad.owner.inputs[0]
    increment = flat.owner
    if increment is None or not isinstance(increment.op, AdvancedIncSubtensor1) \
            or increment.op.set_instead_of_inc:
        return None
    zeros, values, index = increment.inputs
    if zeros.ndim != 1 or values.ndim != 1 or zeros.owner is None \
            or not isinstance(zeros.owner.op, Alloc) or not _is_zero(zeros.owner.inputs[0]):
        return None
    if values.dtype != 'float32' or len(fgraph.clients[flat]) != 1:
        return None   # the dense gradient is used elsewhere too: nothing saved
    return AdamRowsOp()(p, m, v, zeros.owner.inputs[1], index, values, hyper)


@node_rewriter([AdamOp, AdamRowsOp])
def _in_place(fgraph, node):
    if node.op.inplace:
        return None
    return type(node.op)(inplace=True)(*node.inputs)


def register():
    """Add both rewrites to PyTensor's database (once per process); they only touch graphs
    with the Ops above."""
    if 'kcore_adam_sparse_gradient' not in optdb:
        optdb.register('kcore_adam_sparse_gradient',
                       in2out(_sparse_gradient, name='kcore_adam_sparse_gradient'),
                       'fast_run', position=SPARSE_POSITION)
        optdb.register('kcore_adam_in_place', in2out(_in_place, name='kcore_adam_in_place'),
                       'fast_run', 'inplace', position=INPLACE_POSITION)
