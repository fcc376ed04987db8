"""Element-wise ops whose C loop runs flat over contiguous arrays, so that gcc vectorizes it.

PyTensor 2.35's Elemwise takes a single flat loop only when every input has the same known
static shape. An optimizer's update has broadcast scalars among its inputs (lr, rho as 0-d
variables), a layer has its bias broadcast over the batch and the batch size is unknown, so
all of them run Elemwise's general loop, whose strides are read at run time: gcc leaves it
scalar.

``FlatElemwise`` is an Elemwise whose C code first checks that every array it reads or writes
is C-contiguous (all of them but broadcast scalars). Then it calls a function that loops over
the output's elements as rows (one row when no input is broadcast over leading axes) with
``__restrict__`` pointers, the scalars as values and the scalar op's own C code as the body;
otherwise it runs Elemwise's code. In-place outputs write through their input's pointer. The
loop is a function kept out of line: inside the op's long ``run`` code, gcc's guessed profile
takes it for cold code and does not vectorize it.

``flat_elemwise`` rewrites, after fusion and the in-place rewrites, each Elemwise whose inputs
are broadcast scalars, arrays of the output's shape, or arrays broadcast over the same leading
axes (a bias over the batch).
"""
import numpy as np
from pytensor.graph.rewriting.basic import in2out, node_rewriter
from pytensor.tensor.elemwise import Elemwise

# Where the rewrite runs in a mode: after the in-place rewrites (50.5 to 95), before merge3.
REWRITE_POSITION = 99


def _input_kind(var, out):
    """'scalar', 'array' (the output's shape), ('row', k) (broadcast over the k leading axes
    only, not counting axes of length 1 in the output) or None (another broadcast)."""
    broadcast = [s == 1 for s, o in zip(var.type.shape, out.type.shape) if o != 1]
    if all(broadcast):
        return 'scalar'
    leading = broadcast.index(False)
    if any(broadcast[leading:]):
        return None
    return ('row', leading) if leading else 'array'


def _ctype(var):
    return var.type.dtype_specs()[1]


class FlatElemwise(Elemwise):
    """Elemwise with a flat loop for C-contiguous arrays (see the module docstring)."""

    def _loop_operands(self, node):
        """(kind, node input or output index) of each argument of the loop function after the
        two sizes: 'scalar' (by value), 'array' (read, and written when in place), 'row' (an
        array broadcast over leading axes), 'out' (an allocated output)."""
        operands, seen = [], set()
        for i, var in enumerate(node.inputs):
            if var not in seen:
                seen.add(var)
                kind = _input_kind(var, node.outputs[0])
                operands.append((kind if isinstance(kind, str) else 'row', i))
        operands += [('out', o) for o in range(len(node.outputs))
                     if o not in self.inplace_pattern]
        return operands

    def _written_inputs(self, node):
        """{output index: the first index of the input it overwrites} (an input may repeat)."""
        return {o: node.inputs.index(node.inputs[i]) for o, i in self.inplace_pattern.items()}

    def c_support_code_apply(self, node, nodename):
        if not hasattr(node.tag, 'fake_node'):
            self.prepare_node(node, None, None, 'c')
        written = self._written_inputs(node)
        params, loads, stores, names = [], [], [], {}
        for kind, i in self._loop_operands(node):
            var = node.outputs[i] if kind == 'out' else node.inputs[i]
            ctype, arg = _ctype(var), f'{kind}{i}'
            names[var] = arg + '_v'
            if kind == 'scalar':
                params.append(f'const {ctype} {arg}_v')
            elif kind == 'out':
                params.append(f'{ctype}* __restrict__ {arg}')
            else:
                const = '' if i in written.values() else 'const '
                params.append(f'{const}{ctype}* __restrict__ {arg}')
                index = 'flat_j' if kind == 'row' else 'flat_at + flat_j'
                loads.append(f'const {ctype} {arg}_v = {arg}[{index}];')
        for o, var in enumerate(node.outputs):
            loads.append(f'{_ctype(var)} out{o}_v;')
            target = f'array{written[o]}' if o in written else f'out{o}'
            stores.append(f'{target}[flat_at + flat_j] = out{o}_v;')
        body = self.scalar_op.c_code(
            node.tag.fake_node, nodename + '_scalar_', [names[var] for var in node.inputs],
            [f'out{o}_v' for o in range(len(node.outputs))], {'fail': 'return 1;'})
        newline = '\n'
        return f"""{super().c_support_code_apply(node, nodename)}
        /* FlatElemwise's loop over rows of row_n elements; 1 when the scalar code failed. */
        static int __attribute__((noinline)) {nodename}_flat_loop(
                const npy_intp rows, const npy_intp row_n, {', '.join(params)}) {{
            for (npy_intp flat_row = 0; flat_row < rows; ++flat_row) {{
                const npy_intp flat_at = flat_row * row_n;
                for (npy_intp flat_j = 0; flat_j < row_n; ++flat_j) {{
                    {newline.join(loads)}
                    {body}
                    {newline.join(stores)}
                }}
            }}
            return 0;
        }}
        """

    def _c_all(self, node, nodename, inames, onames, sub):
        decl, checks, alloc, loop, cleanup = super()._c_all(node, nodename, inames, onames, sub)
        arrays, args, row_n = [], [], f'PyArray_SIZE({onames[0]})'
        for kind, i in self._loop_operands(node):
            name = onames[i] if kind == 'out' else inames[i]
            var = node.outputs[i] if kind == 'out' else node.inputs[i]
            data = f'(({_ctype(var)}*)PyArray_DATA({name}))'
            if kind == 'scalar':
                args.append(data + '[0]')
                continue
            if kind == 'row':
                row_n = f'PyArray_SIZE({name})'
            args.append(data)
            arrays.append(name)
        contiguous = ' && '.join(f'PyArray_IS_C_CONTIGUOUS({name})' for name in arrays)
        flat = f"""
        if ({contiguous}) {{
            const npy_intp flat_row_n = {row_n};
            const npy_intp flat_rows = flat_row_n ? PyArray_SIZE({onames[0]}) / flat_row_n : 0;
            if ({nodename}_flat_loop(flat_rows, flat_row_n, {', '.join(args)})) {{
                {sub['fail']}
            }}
        }} else {{
            {loop}
        }}
        """
        return decl, checks, alloc, flat, cleanup

    def c_compile_args(self, **kwargs):
        # Lets gcc select between branches (Maximum's NaN test, Switch) in the vectorized
        # loop: it then no longer keeps the floating-point exception flags exact (no code here
        # reads them); values, NaN and inf included, do not change.
        return [*super().c_compile_args(**kwargs), '-fno-trapping-math']

    def c_code_cache_version_apply(self, node):
        version = super().c_code_cache_version_apply(node)
        return ('flat_elemwise', 6, *version) if version else version


def _flattenable(node):
    """Whether FlatElemwise can compute ``node`` (an Elemwise): see the module docstring."""
    out = node.outputs[0]
    if out.ndim == 0 or all(s == 1 for s in out.type.shape) or node.op.openmp:
        return False
    for var in node.inputs + node.outputs:
        dtype = np.dtype(var.dtype)
        if dtype.kind not in 'biuf' or dtype == np.float16:
            return False
    kinds = [_input_kind(var, out) for var in node.inputs]
    rows = {kind for kind in kinds if isinstance(kind, tuple)}
    return None not in kinds and len(rows) <= 1


@node_rewriter([Elemwise])
def flat_elemwise_node(fgraph, node):
    op = node.op
    if type(op) is not Elemwise or not _flattenable(node):
        return None
    flat = FlatElemwise(op.scalar_op, op.inplace_pattern, name=op.name,
                        nfunc_spec=op.nfunc_spec, openmp=op.openmp)
    return flat.make_node(*node.inputs).outputs


flat_elemwise = in2out(flat_elemwise_node, name='flat_elemwise', ignore_newtrees=True)
