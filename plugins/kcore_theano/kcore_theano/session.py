"""Variables, placeholders, compiled functions, gradients and random tensors on PyTensor.

There is no graph object and no session: PyTensor variables are free-standing
expressions, and ``function`` compiles the expressions it is given (once, with
PyTensor's C backend unless ``PYTENSOR_FLAGS`` says otherwise).

- Variables are shared variables with the static shape of their value.
- The learning phase is one symbolic uint8 scalar; a compiled function whose
  outputs or updates use it and that does not take it as an input gets it as an
  extra input that defaults to 0 (test). ``set_learning_phase`` fixes it to a
  Python int instead, until ``clear_session``.
- kcore keeps PyTensor's ``config.floatX`` equal to its own floatx, so that Python
  floats in expressions (``x * 0.1``) become floatx constants and a float32 graph
  stays float32.
"""
import contextlib
import numbers
import sys

import numpy as np
import pytensor
import pytensor.sparse as pts
import pytensor.tensor as pt
from pytensor.compile.sharedvalue import SharedVariable
from pytensor.gradient import disconnected_grad
from pytensor.graph.basic import Constant, Variable
from pytensor.graph.rewriting.basic import in2out, node_rewriter
from pytensor.graph.traversal import graph_inputs
from pytensor.ifelse import IfElse
from pytensor.printing import Print
from pytensor.tensor.exceptions import NotScalarConstantError
from pytensor.tensor.random.op import RandomVariable
from pytensor.tensor.random.utils import RandomStream

from kcore import config
from kcore.backend.arguments import check_call_inputs, ignored_kwargs
from kcore_theano import conv_fusion, flat_elemwise, graph_rewrites, native, threaded_dot
from kcore_theano import fused_update

_phase_var = None   # the symbolic learning phase (made on first use)
_manual_init = False
_scopes = []        # the names of the open name_scope blocks

# Keyword arguments of pytensor.function that kcore's function passes through.
_FUNCTION_KWARGS = frozenset(['name', 'mode', 'profile', 'on_unused_input', 'givens',
                              'no_default_updates', 'allow_input_downcast'])


def _sync_floatx():
    """Make PyTensor's floatX kcore's floatx (Python floats in graphs take that dtype)."""
    floatx = config.floatx()
    if pytensor.config.floatX != floatx:
        pytensor.config.floatX = floatx


_sync_floatx()
graph_rewrites.register()  # Python-linker fixes: see graph_rewrites.py
fused_update.register()    # Adam's native step: see fused_update.py


def phase_variable():
    """The symbolic learning phase (uint8 scalar: 0 test, 1 train)."""
    global _phase_var
    if _phase_var is None:
        _phase_var = pt.scalar(name='keras_learning_phase', dtype='uint8')
    return _phase_var


def _scoped(name):
    if name is None or not _scopes:
        return name
    return '/'.join(_scopes + [name])


def _seed(seed):
    """A seed for a random stream: None draws one from numpy's global generator."""
    return np.random.randint(10e6) if seed is None else int(seed)


def _is_sparse(x):
    return isinstance(getattr(x, 'type', None), pts.SparseTensorType)


def _as_graph(x):
    """``x`` as a PyTensor variable (numbers and numpy arrays become constants)."""
    if isinstance(x, Variable):
        return x
    if hasattr(x, 'tocoo'):
        return pts.as_sparse_variable(x)
    return pt.as_tensor_variable(x)


def _sparse_value(value, fmt, dtype):
    """A scipy.sparse matrix of format ``fmt`` from a sparse matrix, a dense array or an
    (indices, values, dense_shape) triple."""
    import scipy.sparse as sparse
    if sparse.issparse(value):
        matrix = value
    elif isinstance(value, (tuple, list)) and len(value) == 3:
        indices, values, shape = value
        indices = np.asarray(indices).reshape(-1, 2)
        matrix = sparse.coo_matrix((np.asarray(values), (indices[:, 0], indices[:, 1])),
                                   shape=tuple(int(s) for s in shape))
    else:
        matrix = sparse.csr_matrix(np.asarray(value))
    if matrix.format != fmt:
        matrix = matrix.asformat(fmt)
    if matrix.dtype != dtype:
        matrix = matrix.astype(dtype)
    return matrix


def _uses(variables, target):
    """Whether ``target`` is among the graph inputs of ``variables``."""
    return any(v is target for v in graph_inputs(variables))


def _updates_list(updates):
    """``updates`` (None, a dict, or a list of (variable, value) pairs) as checked pairs,
    each value with the variable's dtype."""
    if updates is None:
        return []
    if isinstance(updates, dict):
        updates = list(updates.items())
    pairs = []
    for update in updates:
        if isinstance(update, fused_update.Updates):   # one op's several pairs
            pairs.extend(update)
            continue
        if not (isinstance(update, (list, tuple)) and len(update) == 2):
            raise ValueError('function: an update must be a (variable, new value) pair (as '
                             'K.update, K.update_add... return); got %r.' % (update,))
        variable, value = update
        if not isinstance(variable, SharedVariable):
            raise TypeError('function: updates assign to variables (made by K.variable); %r '
                            'is not one.' % (variable,))
        value = _as_graph(value)
        if not _is_sparse(variable) and value.dtype != variable.dtype:
            value = pt.cast(value, variable.dtype)
        pairs.append((variable, value))
    return pairs


class Function:
    """A compiled step: call it with a list of arrays, one per input, to get the outputs.

    Inputs that are Python ints (a learning phase fixed by set_learning_phase) take a
    value that is ignored. Sparse inputs take scipy.sparse matrices.
    """

    def __init__(self, inputs, outputs, updates=None, **kwargs):
        if not isinstance(inputs, (list, tuple)):
            raise TypeError('function: `inputs` must be a list of placeholders; got %r.'
                            % type(inputs))
        self.inputs, self.outputs = list(inputs), outputs
        self.name = kwargs.get('name')
        self._single = not isinstance(outputs, (list, tuple))
        outs = [_as_graph(y) for y in ([outputs] if self._single else outputs)]
        pairs = _updates_list(updates)
        ins, keep, self._sparse_in = [], [], []
        for i, x in enumerate(self.inputs):
            if isinstance(x, numbers.Integral):
                continue
            if not isinstance(x, Variable) or isinstance(x, (Constant, SharedVariable)):
                raise TypeError('function: each input must be a placeholder (or another tensor '
                                'to feed) or the int learning phase; got %r.' % (x,))
            if _is_sparse(x):
                self._sparse_in.append((len(ins), x.type.format, x.dtype))
            keep.append(i)
            ins.append(x)
        phase = _phase_var
        if phase is not None and not any(x is phase for x in ins) \
                and _uses(outs + [v for _, v in pairs], phase):
            ins.append(pytensor.In(phase, value=np.uint8(0)))  # unfed: test phase
        self._n_inputs = len(self.inputs)
        self._keep = None if len(keep) == self._n_inputs else keep
        options = {'on_unused_input': 'ignore', 'allow_input_downcast': True}
        mode = _default_mode()
        if mode is not None:
            rewrite = threaded_dot.rewrite_for(training=bool(pairs))
            if rewrite is not None:
                mode = mode.register((rewrite, threaded_dot.REWRITE_POSITION))
            options['mode'] = mode
        options.update(kwargs)
        self._fn = pytensor.function(ins, outs, updates=pairs, **options)
        # A fed learning phase, without updates (predict and test): calls at phase 0 run a
        # second function compiled with the phase a constant 0, on the first such call.
        # PyTensor fuses both branches of in_train_phase into one loop, so the generic
        # function draws the dropout masks of every batch even at phase 0.
        self._phase_at = next((i for i, x in enumerate(ins) if x is phase), None)
        if pairs or 'givens' in kwargs or phase is None:
            self._phase_at = None
        self._test_fn, self._test_args = None, (ins, outs, phase, options)

    def _at_test_phase(self):
        if self._test_fn is None:
            ins, outs, phase, options = self._test_args
            rest = [x for i, x in enumerate(ins) if i != self._phase_at]
            options = dict(options)
            mode = pytensor.compile.mode.get_mode(options.get('mode'))
            options['mode'] = mode.register((_constant_ifelse, 1.3))
            options['givens'] = [(phase, pt.constant(np.uint8(0), dtype='uint8'))]
            # Without the random generators' updates, the draws that only dropout used are
            # dead code; a graph that still draws at phase 0 keeps its updates.
            user_setting = options.pop('no_default_updates', False)
            fn = pytensor.function(rest, outs, no_default_updates=True, **options)
            if any(isinstance(node.op, RandomVariable) for node in fn.maker.fgraph.apply_nodes):
                fn = pytensor.function(rest, outs, no_default_updates=user_setting, **options)
            self._test_fn = fn
        return self._test_fn

    def __call__(self, inputs):
        check_call_inputs(inputs, self.inputs)
        if self._keep is not None:
            inputs = [inputs[i] for i in self._keep]
        if self._sparse_in:
            inputs = list(inputs)
            for i, fmt, dtype in self._sparse_in:
                inputs[i] = _sparse_value(inputs[i], fmt, dtype)
        fn = self._fn
        if self._phase_at is not None and not np.any(inputs[self._phase_at]):
            fn = self._at_test_phase()
            inputs = [v for i, v in enumerate(inputs) if i != self._phase_at]
        with native.denormals_flushed():
            values = fn(*inputs)
        return values[0] if self._single else values


@node_rewriter([IfElse])
def _constant_ifelse_node(fgraph, node):
    """ifelse on a constant condition -> the branch it takes (PyTensor keeps the IfElse)."""
    try:
        condition = pt.get_underlying_scalar_constant_value(node.inputs[0])
    except NotScalarConstantError:
        return None
    n = node.op.n_outs
    return list(node.inputs[1:1 + n] if condition else node.inputs[1 + n:])


_constant_ifelse = in2out(_constant_ifelse_node, name='kcore_constant_ifelse')

_kcore_mode = []  # the mode made by _default_mode, once


def _default_mode():
    """The mode ``function`` compiles with, unless the user configured PyTensor's mode,
    linker or allow_gc (then None: PyTensor's own default). It is PyTensor's default mode
    with two changes:

    - ``allow_gc=False``: a compiled function keeps its intermediate arrays between calls
      instead of freeing them after use and allocating them again. A training step of the
      LSTM benchmark (its gradient has several arrays of 5 to 10 MB) ran about 30% faster,
      for that much memory held.
    - without the rewrite ``local_dot22_to_dot22scalar``: it turns ``lr * dot(a, b)`` into a
      second matrix product scaled by lr even when ``dot(a, b)`` is needed unscaled too, as
      in RMSprop and Adam (g and g**2): the MLP benchmark computed three of its eleven
      products twice. The scaling is left to the element-wise code around the product.
    - with the rewrite ``flat_elemwise`` (flat_elemwise.py): element-wise code over
      contiguous arrays runs a loop that gcc vectorizes, also when some inputs are broadcast
      scalars (optimizer updates) or rows (biases) or the batch size is unknown. RMSprop's
      update of a 512x512 weight ran 5 times faster, a training step of the MLP benchmark
      about 1.6 times as fast.
    - with the rewrite ``conv_fusion`` (conv_fusion.py): a native convolution's bias, relu
      and, in predict, the pooling after it run in the convolution's own pass, and its
      gradients (with relu's and the pooling's) in one pass too.
    """
    cfg = pytensor.config
    if any(not getattr(type(cfg), name).is_default for name in ('mode', 'linker', 'allow_gc')):
        return None
    if not _kcore_mode:
        mode = pytensor.compile.mode.get_default_mode()
        _kcore_mode.append(mode.clone(link_kwargs={'allow_gc': False})
                           .excluding('local_dot22_to_dot22scalar')
                           .register((flat_elemwise.flat_elemwise,
                                     flat_elemwise.REWRITE_POSITION),
                                     (conv_fusion.conv_fusion, conv_fusion.REWRITE_POSITION)))
    return _kcore_mode[0]


class _StandardUniform(RandomVariable):
    """float32 uniform numbers in [0, 1) from numpy's ``Generator.random``, which takes no
    parameters (``uniform`` with PyTensor's broadcast bounds is 3 times slower)."""

    name = 'standard_uniform'
    signature = '->()'
    dtype = 'float32'

    def rng_fn(self, rng, size):
        return rng.random(size, dtype=np.float32)


_standard_uniform = _StandardUniform()


def _show(op, value):
    """How print_tensor's op prints: the message, then the value."""
    print(op.message, value, file=sys.stdout, flush=True)


class SessionOps:
    """Learning phase, variables, placeholders, functions, gradients and random tensors."""

    def set_floatx(self, floatx):
        """Also sets PyTensor's ``config.floatX`` (see the module docstring)."""
        super().set_floatx(floatx)
        _sync_floatx()

    # ------------------------------------------------------ session and phase
    def clear_session(self):
        """PyTensor has no graph to reset: this restarts the uids and unfixes the phase."""
        self._fixed_phase = None
        _sync_floatx()
        self.reset_uids()

    def manual_variable_initialization(self, value):
        """Recorded for compatibility: PyTensor's shared variables always hold a value
        (the one they were made with), so there is nothing to initialize."""
        global _manual_init
        _manual_init = bool(value)

    def get_session(self):
        """PyTensor has no sessions: always None."""
        return None

    def set_session(self, session):
        """Accepts only None: sessions are TensorFlow-only."""
        if session is not None:
            raise ValueError('set_session: sessions are TensorFlow-only; the theano (PyTensor) '
                             'backend has none (get_session() returns None). Got %r.'
                             % (session,))

    def _phase_tensor(self):
        return phase_variable()

    def name_scope(self, name):
        """Names given to variables and placeholders inside get the prefix ``name/``."""
        @contextlib.contextmanager
        def scope():
            _scopes.append(str(name))
            try:
                yield name
            finally:
                _scopes.pop()
        return scope()

    # --------------------------------------------------- variables and tensors
    def variable(self, value, dtype=None, name=None):
        """A shared variable with the static shape of ``value``; a scipy.sparse matrix gives
        a sparse one (csr, or csc when given csc)."""
        _sync_floatx()
        dtype = dtype or self.floatx()
        name = _scoped(name)
        if hasattr(value, 'tocoo'):
            fmt = 'csc' if getattr(value, 'format', None) == 'csc' else 'csr'
            return pts.shared(_sparse_value(value, fmt, dtype), name=name)
        if isinstance(value, Variable):
            value = self.eval(value)
        value = np.asarray(value, dtype=dtype)
        return pytensor.shared(value, name=name, shape=value.shape)

    def constant(self, value, dtype=None, shape=None, name=None):
        """``shape`` broadcasts ``value`` or, as TensorFlow, reshapes one of as many entries."""
        _sync_floatx()
        value = np.asarray(value, dtype=dtype or self.floatx())
        if shape is not None:
            shape = tuple(int(s) for s in shape)
            if value.size == int(np.prod(shape, dtype=np.int64)) and value.ndim:
                value = value.reshape(shape)
            else:
                value = np.broadcast_to(value, shape).copy()
        return pt.constant(value, name=_scoped(name))

    def placeholder(self, shape=None, ndim=None, dtype=None, sparse=False, name=None):
        """PyTensor needs the number of axes: ``shape`` or ``ndim`` must be given. A sparse
        placeholder is a csr matrix (2D); it takes scipy.sparse matrices when fed."""
        _sync_floatx()
        dtype = dtype or self.floatx()
        name = _scoped(name)
        if shape is None:
            if ndim is None:
                raise ValueError('placeholder: give `shape` or `ndim` (PyTensor tensors have a '
                                 'known number of axes).')
            shape = (None,) * int(ndim)
        shape = tuple(None if s is None else int(s) for s in shape)
        if sparse:
            if len(shape) != 2:
                raise ValueError('placeholder: sparse placeholders are 2D (csr matrices); got '
                                 'shape %s.' % (shape,))
            x = pts.csr_matrix(name=name, dtype=dtype)
            x._keras_shape = shape
            return x
        return pt.tensor(name=name, dtype=dtype, shape=shape)

    def is_sparse(self, tensor):
        return _is_sparse(tensor)

    def to_dense(self, tensor):
        return pts.dense_from_sparse(tensor) if _is_sparse(tensor) else tensor

    def eval(self, x):
        """Compiles ``x`` once (the function is kept on ``x``); an unfed learning phase is 0."""
        if isinstance(x, (np.ndarray, numbers.Number)):
            return np.asarray(x)
        if isinstance(x, SharedVariable):
            return x.get_value()
        if isinstance(x, Constant):
            return np.array(x.data)
        fn = getattr(x, '_kcore_eval', None)
        if fn is None:
            fn = Function([], x)
            try:
                x._kcore_eval = fn
            except AttributeError:
                pass
        value = fn([])
        return value if hasattr(value, 'tocoo') else np.asarray(value)

    def zeros(self, shape, dtype=None, name=None):
        dtype = dtype or self.floatx()
        return self.variable(np.zeros(tuple(map(int, shape)), dtype=dtype), dtype, name)

    def ones(self, shape, dtype=None, name=None):
        dtype = dtype or self.floatx()
        return self.variable(np.ones(tuple(map(int, shape)), dtype=dtype), dtype, name)

    def eye(self, size, dtype=None, name=None):
        dtype = dtype or self.floatx()
        return self.variable(np.eye(int(size), dtype=dtype), dtype, name)

    def zeros_like(self, x, dtype=None, name=None):
        """dtype None keeps the dtype of ``x``."""
        out = pt.zeros_like(_as_graph(x), dtype=dtype)
        if name is not None:
            out.name = name
        return out

    def ones_like(self, x, dtype=None, name=None):
        """dtype None keeps the dtype of ``x``."""
        out = pt.ones_like(_as_graph(x), dtype=dtype)
        if name is not None:
            out.name = name
        return out

    def random_uniform_variable(self, shape, low, high, dtype=None, name=None, seed=None):
        """Drawn by numpy (seed None: a seed from numpy's global generator)."""
        value = np.random.RandomState(_seed(seed)).uniform(low, high, tuple(map(int, shape)))
        return self.variable(value, dtype, name)

    def random_normal_variable(self, shape, mean, scale, dtype=None, name=None, seed=None):
        """Drawn by numpy (seed None: a seed from numpy's global generator)."""
        value = np.random.RandomState(_seed(seed)).normal(mean, scale, tuple(map(int, shape)))
        return self.variable(value, dtype, name)

    # ------------------------------------------------------ values and updates
    def get_value(self, x):
        """A copy of a variable's value (any other tensor is evaluated)."""
        if isinstance(x, SharedVariable):
            return x.get_value()
        return self.eval(x)

    def batch_get_value(self, xs):
        return [self.get_value(x) for x in xs]

    def set_value(self, x, value):
        if not isinstance(x, SharedVariable):
            raise TypeError('set_value: %r is not a variable (made by K.variable).' % (x,))
        if _is_sparse(x):
            x.set_value(_sparse_value(value, x.type.format, x.dtype))
        else:
            x.set_value(np.asarray(value, dtype=x.dtype))

    def batch_set_value(self, tuples):
        for x, value in tuples:
            self.set_value(x, value)

    def get_variable_shape(self, x):
        if isinstance(x, SharedVariable):
            return tuple(x.get_value(borrow=True, return_internal_type=True).shape)
        return self.int_shape(x)

    def print_tensor(self, x, message=''):
        """Prints ``message`` and the value to the standard output at each evaluation."""
        return Print(message, global_fn=_show)(x)

    # ------------------------------------------------ functions and gradients
    def function(self, inputs, outputs, updates=None, **kwargs):
        """Compiles with ``pytensor.function`` now; keyword arguments ``name``, ``mode``,
        ``profile``, ``on_unused_input``, ``givens``, ``no_default_updates`` and
        ``allow_input_downcast`` are passed to it, any other is ignored with a warning."""
        kwargs = ignored_kwargs('function', kwargs, _FUNCTION_KWARGS, 'theano')
        return Function(inputs, outputs, updates=updates, **kwargs)

    def gradients(self, loss, variables):
        """A variable that ``loss`` does not depend on gets None (as on TensorFlow)."""
        if isinstance(variables, Variable):
            variables = [variables]
        return list(pytensor.grad(loss, list(variables), disconnected_inputs='ignore',
                                  return_disconnected='none'))

    def stop_gradient(self, variables):
        if isinstance(variables, (list, tuple)):
            return [disconnected_grad(v) for v in variables]
        return disconnected_grad(variables)

    # ----------------------------------------------------------------- random
    def random_normal(self, shape, mean=0.0, std=1.0, dtype=None, seed=None):
        return RandomStream(_seed(seed)).normal(mean, std, size=shape,
                                                dtype=dtype or self.floatx())

    def random_uniform(self, shape, low=0.0, high=1.0, dtype=None, seed=None):
        return RandomStream(_seed(seed)).uniform(low, high, size=shape,
                                                 dtype=dtype or self.floatx())

    def random_binomial(self, shape, p=0.0, dtype=None, seed=None):
        """1 with probability ``p``, else 0: a uniform draw in [0, 1) below ``p``. Dropout
        masks are these; numpy draws them about 4 times faster than binomials. The 0 or 1
        is selected by a switch, not cast from the bool: gcc 12 vectorizes no loop that
        converts a bool to a float, so a cast would keep the fused dropout code scalar."""
        draws = RandomStream(_seed(seed)).gen(_standard_uniform, size=shape)
        dtype = dtype or self.floatx()
        return pt.switch(pt.lt(draws, p), np.ones((), dtype), np.zeros((), dtype))
