"""Graph rewrites kcore-theano adds to PyTensor's own rewrite database.

``split_wide_sums``: PyTensor's Python linker (FAST_COMPILE, or any mode without a C
compiler) computes an Elemwise with a numpy ufunc, and a ufunc takes at most 32 operands;
beyond that Elemwise.perform fails with "'Scratchpad' object has no attribute 'ufunc'".
Such nodes come from PyTensor itself: a tensor used n times gets the sum of n gradient
terms, which the canonicalizer flattens into one n-input Add. kcore's convolutions make
one slice of the padded input per kernel tap, so ConvLSTM2D's 3x3 kernels on 4 gates sum
36 terms, and a single 7x7 convolution 49. The rewrite replaces every Add or Mul of more
than 31 inputs by a balanced tree of two-input nodes (numpy's own add and multiply, the
fastest form for the Python linker).

It is registered in PyTensor's ``py_only`` database, which runs after canonicalization
and only in modes that execute Elemwise in Python; the C linker keeps its wide nodes. The
registration is global, not part of kcore's mode: a scan's inner graph is compiled with
PyTensor's configured mode, which kcore does not choose.
"""
import pytensor.scalar as ps
from pytensor.compile import optdb
from pytensor.graph.rewriting.basic import node_rewriter
from pytensor.tensor.elemwise import Elemwise

# A ufunc takes at most 32 operands, inputs and outputs together.
MAX_INPUTS = 31
_REWRITE_NAME = 'kcore_split_wide_sums'


def _pairwise(op, terms):
    """``op`` (a variadic Elemwise) over ``terms`` as a balanced tree of two-input nodes."""
    while len(terms) > 1:
        pairs = [op(a, b) for a, b in zip(terms[0::2], terms[1::2])]
        terms = pairs + terms[len(pairs) * 2:]
    return terms[0]


@node_rewriter([Elemwise])
def split_wide_sums(fgraph, node):
    """An Add or Mul of more than MAX_INPUTS inputs as a tree of two-input ones."""
    scalar_op = node.op.scalar_op
    if len(node.inputs) <= MAX_INPUTS or type(scalar_op) not in (ps.Add, ps.Mul):
        return None
    if node.op.inplace_pattern:
        return None     # the in-place rewrites run after this one; never seen here
    out = _pairwise(node.op, list(node.inputs))
    if out.dtype != node.outputs[0].dtype:
        out = out.astype(node.outputs[0].dtype)
    return [out]


def register():
    """Add the rewrites to PyTensor's database (once per process)."""
    py_only = optdb['py_only']
    if _REWRITE_NAME not in py_only:
        py_only.register(_REWRITE_NAME, split_wide_sums, 'fast_compile', 'fast_run')
