"""The graph and session of the TensorFlow backend, and the functions that need them.

kcore builds in graph mode (tf.compat.v1). While eager execution is on, the
backend builds in a graph of its own, made the default graph for good of every
thread that uses kcore, at its first backend call (so Python operators on kcore
tensors work in any thread, and in several threads in turn; such a thread then
runs plain TensorFlow code in graph mode too). A thread inside a graph context of
its own enters kcore's graph only for the duration of each backend call.
``clear_session`` retires the graph: a model built before it raises
:class:`SessionClearedError`. When the user disabled eager execution
before first use, kcore builds in the default graph and prefers the default
session. Variables made by ``variable`` are initialized the next time the
session is asked for, unless ``manual_variable_initialization(True)``.
"""
import atexit
import concurrent.futures
import contextlib
import numbers
import os
import sys
import threading
import weakref

import numpy as np
import tensorflow as tf
from tensorflow.core.protobuf import config_pb2

from kcore import native
from kcore.backend.arguments import check_call_inputs, ignored_kwargs

_get_default_graph = tf.compat.v1.get_default_graph
_get_default_session = tf.compat.v1.get_default_session
_executing_eagerly = tf.executing_eagerly
_NULL_CONTEXT = contextlib.nullcontext()

_lock = threading.RLock()
_graph = None            # the graph kcore builds in
_session = None          # the session set by set_session, or made by kcore
_session_owned = False   # True when kcore made _session (clear_session closes it)
_local = threading.local()  # .entered: [(context, graph)] this thread entered for good
# Every context entered for good, kept so that none is ever finalized: a finalized
# graph.as_default() pops the graph stack of whichever thread collects it.
_kept = []
_retired = weakref.WeakSet()   # graphs clear_session discarded


@atexit.register
def _quiet_exit():
    """At exit the kept contexts are finalized in the main thread, where the graph stacks of
    the threads that entered them are gone; what TensorFlow says about that is noise."""
    kept = {id(context.gen) for context in _kept if getattr(context, 'gen', None) is not None}
    previous = sys.unraisablehook

    def hook(unraisable):
        if id(unraisable.object) not in kept:
            previous(unraisable)

    sys.unraisablehook = hook
_manual_init = False


class _GraphData:
    """Per graph: the learning-phase placeholder and the variables kcore initializes."""

    def __init__(self, graph):
        with graph.as_default(), graph.name_scope(None), graph.control_dependencies(None):
            self.phase = tf.compat.v1.placeholder_with_default(
                False, shape=(), name='keras_learning_phase')
        self.variables = []


def _data(graph):
    data = getattr(graph, '_kcore_data', None)
    if data is None:
        data = graph._kcore_data = _GraphData(graph)
    return data


class SessionClearedError(RuntimeError, ValueError):
    """A tensor, variable, model or function made before ``K.clear_session()`` was used:
    clear_session discarded the graph it lives in."""


def _entered_here():
    entered = getattr(_local, 'entered', None)
    if entered is None:
        entered = _local.entered = []
    return entered


def _enter_for_good(graph):
    """Make ``graph`` this thread's default graph until clear_session or set_session."""
    context = graph.as_default()
    context.__enter__()
    _kept.append(context)
    _entered_here().append((context, graph))


def _leave():
    """Undo, in this thread, the graph.as_default() entered for good for kcore's graph.
    Other threads push the new graph over the old one at their next backend call."""
    entered = _entered_here()
    if not entered or entered[-1][1] is not _graph:
        return
    if _get_default_graph() is not _graph:
        raise RuntimeError('kcore cannot switch graphs inside a `with graph.as_default():` block '
                           'or another graph context; call clear_session/set_session outside it.')
    entered.pop()[0].__exit__(None, None, None)


def _use_graph(graph):
    """Make ``graph`` kcore's graph, and this thread's default graph if it is not already."""
    global _graph
    _leave()
    _data(graph)
    _graph = graph
    if _executing_eagerly() or _get_default_graph() is not graph:
        _enter_for_good(graph)


def _ensure():
    """Return kcore's graph, choosing it on first use."""
    if _graph is None:
        with _lock:
            if _graph is None:
                _use_graph(tf.Graph() if _executing_eagerly() else _get_default_graph())
    return _graph


def graph_context():
    """Return a context manager that makes kcore's graph the default graph (and graph mode on).

    Inside a function graph (the body of a while loop or cond being built, a tf.function
    being traced) it changes nothing, so ops are built where TensorFlow expects them.
    """
    graph = _graph if _graph is not None else _ensure()
    if _executing_eagerly():   # no graph context is open in this thread
        with _lock:
            _enter_for_good(graph)
        return _NULL_CONTEXT
    current = _get_default_graph()
    if current is graph or current.building_function:
        return _NULL_CONTEXT
    entered = _entered_here()
    if entered and entered[-1][1] is current:   # the graph clear_session discarded
        with _lock:
            _enter_for_good(graph)
        return _NULL_CONTEXT
    return graph.as_default()


def _new_session(graph):
    config = tf.compat.v1.ConfigProto(allow_soft_placement=True)
    threads = os.environ.get('OMP_NUM_THREADS')
    if threads:
        config.intra_op_parallelism_threads = int(threads)
    return tf.compat.v1.Session(graph=graph, config=config)


def _init_variables(session, graph):
    """Run the initializers of the variables made since this session was last asked for."""
    pending = graph._kcore_data.variables
    done = getattr(session, '_kcore_initialized', 0)
    if done < len(pending):
        with _lock:
            done = getattr(session, '_kcore_initialized', 0)
            new = pending[done:]
            session.run([v.initializer for v in new])
            session._kcore_initialized = done + len(new)


def _get_session():
    global _session, _session_owned
    graph = _graph if _graph is not None else _ensure()
    session = _get_default_session()
    if session is None or session.graph is not graph:
        session = _session
        if session is None:
            with _lock:
                if _session is None:
                    _session, _session_owned = _new_session(graph), True
                session = _session
    if not _manual_init:
        _init_variables(session, graph)
    return session


def _check_retired(x, what):
    """A SessionClearedError if ``x`` lives in a graph clear_session discarded."""
    graph = getattr(x, 'graph', None)
    if graph is not None and graph is not _graph and graph in _retired:
        raise SessionClearedError(
            '%s: %r was made before K.clear_session(), which discarded the graph it belongs '
            'to (with every model built before). Build or load the model again after '
            'clear_session.' % (what, x))


def _check_graph(x, what):
    graph = getattr(x, 'graph', None)
    if graph is not None and graph is not _graph:
        _check_retired(x, what)
        raise ValueError('%s: %r belongs to another graph than kcore\'s current one (was '
                         'clear_session or set_session called after it was made?).' % (what, x))


def _seed(seed):
    return np.random.randint(10e6) if seed is None else seed


def _print_size(x):
    """How many entries per axis tf.print shows: all of them for small static shapes."""
    shape = x.shape
    if shape.is_fully_defined() and shape.num_elements() <= 1000:
        return -1
    return 3


def _sparse_feed(value, dtype):
    """(indices, values, dense_shape) arrays from a scipy.sparse matrix or a SparseTensorValue."""
    if hasattr(value, 'tocoo'):
        coo = value.tocoo()
        indices = np.stack([coo.row, coo.col], axis=1)
        return (np.asarray(indices, dtype=np.int64), np.asarray(coo.data, dtype=dtype),
                np.asarray(coo.shape, dtype=np.int64))
    try:
        indices, values, shape = value
    except (TypeError, ValueError):
        raise TypeError('A sparse input needs a scipy.sparse matrix, a SparseTensorValue or '
                        'an (indices, values, dense_shape) triple; got %r.' % type(value))
    return (np.asarray(indices, dtype=np.int64), np.asarray(values, dtype=dtype),
            np.asarray(shape, dtype=np.int64))


# Elementwise ops that an optimizer's update of a variable is made of.
_ELEMENTWISE = frozenset([
    'Add', 'AddV2', 'Sub', 'Mul', 'RealDiv', 'Div', 'Sqrt', 'Rsqrt', 'Square', 'Maximum',
    'Minimum', 'Pow', 'Neg', 'Abs', 'Sign', 'Cast', 'Identity', 'Reciprocal', 'Exp', 'Log',
    'Const', 'Fill', 'ZerosLike', 'OnesLike', 'Select', 'SelectV2', 'Less', 'Greater',
    'GreaterEqual', 'LessEqual'])
_ASSIGN_OPS = frozenset(['AssignVariableOp', 'Assign', 'AssignAddVariableOp', 'AssignAdd',
                         'AssignSubVariableOp', 'AssignSub'])


def _in_process(session):
    """Whether ``session`` runs in this process (no target): only there do calls run inline
    or side by side; distributed sessions keep TensorFlow's defaults."""
    return not getattr(session, 'sess_str', True)


def _run_inline():
    """A function without updates (predict, evaluate) runs its graph's ops in the calling
    thread (TensorFlow's ``inter_op_thread_pool = -1``) unless KCORE_TF_RUN_INLINE=0: no
    hand-over to the inter-op pool and back per call (a fetch of a constant: 29 -> 3 us);
    products still use the intra-op threads. Training steps keep the pool: their gradient
    and update branches run side by side there (inline, mlp and lstm trained 10-16% slower)."""
    return not native.switched_off('KCORE_TF_RUN_INLINE')


def _jit_updates():
    """The optimizer's updates of each training step are compiled with XLA unless
    KCORE_TF_JIT_UPDATES=0 (measured: mlp +21%, lstm +12%, cnn +5% samples/s)."""
    return os.environ.get('KCORE_TF_JIT_UPDATES', '1') not in ('', '0')


def _mark_for_xla(updates):
    """Mark the elementwise ops that compute the new values of ``updates`` for XLA, so that
    each update runs as a few fused loops instead of one pass over the variable per op. The
    walk stops at the gradients (ops under 'gradients/'), variable reads and any other op,
    so the forward and backward passes are left as they are."""
    from tensorflow.core.framework import attr_value_pb2
    compile_attr = attr_value_pb2.AttrValue(b=True)
    scope_attr = attr_value_pb2.AttrValue(s=b'kcore_updates')
    stack, seen = [], set()
    for update in updates:
        if isinstance(update, (list, tuple)) and len(update) == 2:
            value = update[1]
        else:
            op = getattr(update, 'op', update)
            if getattr(op, 'type', None) not in _ASSIGN_OPS or len(op.inputs) < 2:
                continue
            value = op.inputs[1]
        if isinstance(value, tf.Tensor):
            stack.append(value.op)
    while stack:
        op = stack.pop()
        if op.name in seen or op.type not in _ELEMENTWISE or op.name.startswith('gradients'):
            continue
        seen.add(op.name)
        if op.type != 'Const':
            op._set_attr('_XlaCompile', compile_attr)
            op._set_attr('_XlaScope', scope_attr)
        stack.extend(t.op for t in op.inputs)


class Function:
    """A compiled step: call it with a list of arrays, one per input, to get the outputs.

    Inputs that are Python ints (a learning phase fixed by set_learning_phase) take a
    value that is ignored.
    """

    def __init__(self, inputs, outputs, updates=None, name=None):
        if not isinstance(inputs, (list, tuple)):
            raise TypeError('function: `inputs` must be a list of placeholders; got %r.'
                            % type(inputs))
        self.inputs, self.outputs, self.name = list(inputs), outputs, name
        self._single = not isinstance(outputs, (list, tuple))
        outs = [outputs] if self._single else list(outputs)
        for x in self.inputs + outs:
            _check_retired(x, 'function')
        feeds, self._feeders = [], []
        for x in self.inputs:
            if isinstance(x, numbers.Integral):
                self._feeders.append(None)
            elif isinstance(x, tf.SparseTensor):
                feeds += [x.indices, x.values, x.dense_shape]
                self._feeders.append((True, x.dtype.as_numpy_dtype))
            elif isinstance(x, tf.Tensor):
                feeds.append(x)
                self._feeders.append((False, x.dtype.as_numpy_dtype))
            else:
                raise TypeError('function: each input must be a placeholder (or another tensor to '
                                'feed) or the int learning phase; got %r.' % (x,))
        fetches, self._sparse_out = [], []
        for y in outs:
            if isinstance(y, tf.SparseTensor):
                fetches += [y.indices, y.values, y.dense_shape]
                self._sparse_out.append(True)
            else:
                fetches.append(tf.convert_to_tensor(y))
                self._sparse_out.append(False)
        self._n_out, self._any_sparse_out = len(fetches), any(self._sparse_out)
        fetches, self._slots = self._plan_fetches(feeds, fetches)
        self._update_op = self._group_updates(updates or [], fetches)
        self._feeds, self._fetches = feeds, fetches
        self._session = self._callable = None

    @staticmethod
    def _plan_fetches(feeds, fetches):
        """Fetch each tensor once and never a fed one (a TensorFlow callable refuses both).

        Return the tensors to fetch and, when they differ from ``fetches``, where each output
        comes from: (True, i) the i-th feed, (False, i) the i-th fetched value.
        """
        fed = {t.name: i for i, t in enumerate(feeds)}
        unique, where, slots = [], {}, []
        for t in fetches:
            if t.name in fed:
                slots.append((True, fed[t.name]))
            else:
                if t.name not in where:
                    where[t.name] = len(unique)
                    unique.append(t)
                slots.append((False, where[t.name]))
        return unique, (None if len(unique) == len(fetches) else slots)

    @staticmethod
    def _group_updates(updates, fetches):
        if not updates:
            return None
        if _jit_updates():
            _mark_for_xla(updates)
        ops = []
        # Updates run after the outputs are computed. Depending on identities of the outputs
        # (not the outputs' own ops) leaves ops an earlier session.run used untouched.
        after = [tf.identity(t) if isinstance(t, tf.Tensor) else t for t in fetches]
        with tf.control_dependencies(after):
            for update in updates:
                if isinstance(update, (list, tuple)):
                    if len(update) != 2:
                        raise ValueError('function: an update must be a (variable, new value) '
                                         'pair or an update op; got %r.' % (update,))
                    variable, value = update
                    if not hasattr(variable, 'assign'):
                        raise TypeError('function: updates assign to variables; %r is not one.'
                                        % (variable,))
                    ops.append(variable.assign(value, read_value=False))
                else:
                    ops.append(update)
        return tf.group(*ops) if ops else None

    def _build(self, session):
        make = getattr(session, '_make_callable_from_options', None)
        if not self._fetches and self._update_op is None:  # nothing to run
            self._callable = lambda *args: []
        elif make is not None:
            options = config_pb2.CallableOptions()
            options.feed.extend(t.name for t in self._feeds)
            options.fetch.extend(t.name for t in self._fetches)
            if self._update_op is not None:
                options.target.append(self._update_op.name)
            elif _run_inline() and _in_process(session):
                options.run_options.inter_op_thread_pool = -1
            self._callable = make(options)
        else:  # a session-like object without the fast path
            fetches = self._fetches + ([self._update_op] if self._update_op is not None else [])
            feeds = self._feeds
            self._callable = lambda *args: session.run(fetches, dict(zip(feeds, args)))
        self._session = session

    def __call__(self, inputs):
        check_call_inputs(inputs, self.inputs)
        for x in self._feeds[:1] + self._fetches[:1]:
            _check_retired(x, 'A function of a model')
        session = _get_session()
        if session is not self._session:
            self._build(session)
        args = []
        for feeder, value in zip(self._feeders, inputs):
            if feeder is not None:
                sparse, dtype = feeder
                if sparse:
                    args.extend(_sparse_feed(value, dtype))
                else:
                    args.append(np.asarray(value, dtype=dtype))
        values = self._callable(*args)
        if self._slots is not None:
            values = [args[i] if fed else values[i] for fed, i in self._slots]
        elif len(values) != self._n_out:
            values = values[:self._n_out]
        if self._any_sparse_out:
            values = self._pack_sparse(values)
        return values[0] if self._single else list(values)

    def _pack_sparse(self, values):
        packed, i = [], 0
        for sparse in self._sparse_out:
            if sparse:
                packed.append(tf.compat.v1.SparseTensorValue(*values[i:i + 3]))
                i += 3
            else:
                packed.append(values[i])
                i += 1
        return packed


# The threads that run calls of call_async (started by the first call that needs them).
_CALL_THREADS = concurrent.futures.ThreadPoolExecutor(2, thread_name_prefix='kcore-tf-call')


def _side_by_side(function):
    """Whether ``call_async`` runs ``function`` on a call thread: a function without updates
    (predict's), whose outputs are dense, in a session of this process; unless
    KCORE_TF_CONCURRENT_CALLS=0. Two batches then compute at once, each product on the
    intra-op threads: mlp_predict +8% (the cores idle less between and within products)."""
    return (isinstance(function, Function) and function._update_op is None
            and not function._any_sparse_out
            and not native.switched_off('KCORE_TF_CONCURRENT_CALLS')
            and _in_process(_get_session()))


class _Pending:
    """One output of a call running on a call thread: ``np.asarray`` waits for it (and
    raises what the call raised)."""

    __slots__ = ('_future', '_index')

    def __init__(self, future, index):
        self._future, self._index = future, index

    def __array__(self, dtype=None, copy=None):
        value = self._future.result()
        return np.asarray(value if self._index is None else value[self._index], dtype=dtype)


class _NewTensorInPlace:
    """Keras 1 code accumulates into a variable: ``loss = K.variable(0.); loss += term``.
    TensorFlow 1's variables answered ``+=`` with a new tensor (``loss + term``), which is
    what that code means; TensorFlow 2's resource variables raise instead."""

    def __iadd__(self, other):
        return self + other

    def __isub__(self, other):
        return self - other

    def __imul__(self, other):
        return self * other

    def __itruediv__(self, other):
        return self / other


_IN_PLACE_CLASSES = {}


def _with_keras1_in_place_ops(variable):
    """``variable`` with Keras 1's ``+=``/``-=``/``*=``/``/=`` (a class of its own that adds
    only those to TensorFlow's; created through tf.Variable, so creator scopes still apply)."""
    cls = type(variable)
    if cls not in _IN_PLACE_CLASSES:
        _IN_PLACE_CLASSES[cls] = type(cls.__name__, (_NewTensorInPlace, cls),
                                      {'__module__': __name__})
    variable.__class__ = _IN_PLACE_CLASSES[cls]
    return variable


class SessionOps:
    """Graph, session, variables, functions and random tensors."""

    # ------------------------------------------------------ session and phase
    def clear_session(self):
        global _graph, _session, _session_owned
        self._fixed_phase = None
        with _lock:
            if _graph is not None:
                _leave()
                _retired.add(_graph)
            if _session_owned and _session is not None:
                _session.close()
            _graph, _session, _session_owned = None, None, False
            if _executing_eagerly():
                _use_graph(tf.Graph())
            else:
                try:
                    tf.compat.v1.reset_default_graph()
                    _use_graph(_get_default_graph())
                except AssertionError:  # inside another graph's context: start a graph of ours
                    _use_graph(tf.Graph())
        self.reset_uids()

    def manual_variable_initialization(self, value):
        global _manual_init
        _manual_init = bool(value)

    def get_session(self):
        return _get_session()

    def set_session(self, session):
        global _session, _session_owned
        if not (hasattr(session, 'run') and isinstance(getattr(session, 'graph', None), tf.Graph)):
            raise TypeError('set_session expects a tf.compat.v1.Session; got %r.' % (session,))
        with _lock:
            if session.graph is not _graph:
                _use_graph(session.graph)
            _session, _session_owned = session, False

    def _phase_tensor(self):
        """A bool placeholder per graph that defaults to False (test)."""
        return _data(_ensure()).phase

    def name_scope(self, name):
        return _ensure().name_scope(name)

    # --------------------------------------------------- variables and tensors
    def variable(self, value, dtype=None, name=None):
        dtype = dtype or self.floatx()
        if hasattr(value, 'tocoo'):  # a scipy.sparse matrix: a constant sparse tensor
            indices, values, shape = _sparse_feed(value, tf.as_dtype(dtype).as_numpy_dtype)
            return tf.SparseTensor(indices=indices, values=values, dense_shape=shape)
        if not isinstance(value, (tf.Tensor, tf.Variable)):
            value = np.asarray(value, dtype=tf.as_dtype(dtype).as_numpy_dtype)
        v = _with_keras1_in_place_ops(
            tf.compat.v1.Variable(value, dtype=dtype, name=name, use_resource=True))
        if not _manual_init:
            _data(v.graph).variables.append(v)
        return v

    def constant(self, value, dtype=None, shape=None, name=None):
        dtype = dtype or self.floatx()
        if shape is not None and np.ndim(value) > 0:
            value = np.broadcast_to(np.asarray(value), shape)
        return tf.constant(value, dtype=dtype, shape=shape, name=name)

    def placeholder(self, shape=None, ndim=None, dtype=None, sparse=False, name=None):
        dtype = dtype or self.floatx()
        if shape is None and ndim is not None:
            shape = (None,) * ndim
        if sparse:
            return tf.compat.v1.sparse_placeholder(dtype, shape=shape, name=name)
        return tf.compat.v1.placeholder(dtype, shape=shape, name=name)

    def is_sparse(self, tensor):
        return isinstance(tensor, tf.SparseTensor)

    def to_dense(self, tensor):
        return tf.sparse.to_dense(tensor) if isinstance(tensor, tf.SparseTensor) else tensor

    def eval(self, x):
        if isinstance(x, (np.ndarray, numbers.Number)):
            return np.asarray(x)
        _check_graph(x, 'eval')
        return _get_session().run(x)

    def zeros(self, shape, dtype=None, name=None):
        dtype = dtype or self.floatx()
        return self.variable(tf.zeros(shape, dtype=dtype), dtype, name)

    def ones(self, shape, dtype=None, name=None):
        dtype = dtype or self.floatx()
        return self.variable(tf.ones(shape, dtype=dtype), dtype, name)

    def eye(self, size, dtype=None, name=None):
        dtype = dtype or self.floatx()
        return self.variable(tf.eye(size, dtype=dtype), dtype, name)

    def zeros_like(self, x, dtype=None, name=None):
        """dtype None keeps the dtype of ``x``."""
        return tf.zeros_like(x, dtype=dtype, name=name)

    def ones_like(self, x, dtype=None, name=None):
        """dtype None keeps the dtype of ``x``."""
        return tf.ones_like(x, dtype=dtype, name=name)

    def random_uniform_variable(self, shape, low, high, dtype=None, name=None, seed=None):
        dtype = dtype or self.floatx()
        value = tf.random.uniform(tuple(map(int, shape)), low, high, dtype=dtype,
                                  seed=_seed(seed))
        return self.variable(value, dtype, name)

    def random_normal_variable(self, shape, mean, scale, dtype=None, name=None, seed=None):
        dtype = dtype or self.floatx()
        value = tf.random.normal(tuple(map(int, shape)), mean, scale, dtype=dtype,
                                 seed=_seed(seed))
        return self.variable(value, dtype, name)

    # ------------------------------------------------------ values and updates
    def get_value(self, x):
        _check_graph(x, 'get_value')
        return _get_session().run(x)

    def batch_get_value(self, xs):
        for x in xs:
            _check_graph(x, 'batch_get_value')
        return _get_session().run(list(xs)) if xs else []

    def set_value(self, x, value):
        self.batch_set_value([(x, value)])

    def batch_set_value(self, tuples):
        if not tuples:
            return
        ops, feed = [], {}
        for x, value in tuples:
            if not isinstance(x, tf.Variable):
                raise TypeError('set_value: %r is not a variable (made by K.variable).' % (x,))
            _check_graph(x, 'set_value')
            assigner = getattr(x, '_kcore_assign', None)
            if assigner is None:
                placeholder = tf.compat.v1.placeholder(x.dtype.base_dtype, shape=x.shape)
                assigner = x._kcore_assign = (placeholder, x.assign(placeholder, read_value=False))
            feed[assigner[0]] = np.asarray(value, dtype=x.dtype.base_dtype.as_numpy_dtype)
            ops.append(assigner[1])
        _get_session().run(ops, feed_dict=feed)

    def get_variable_shape(self, x):
        return tuple(x.shape.as_list())

    def print_tensor(self, x, message=''):
        """Prints to the process's standard output."""
        printer = tf.print(message, x, output_stream=sys.stdout, summarize=_print_size(x))
        with tf.control_dependencies([printer]):
            return tf.identity(x)

    def update(self, x, new_x):
        return tf.compat.v1.assign(x, new_x)

    def update_add(self, x, increment):
        return tf.compat.v1.assign_add(x, increment)

    def update_sub(self, x, decrement):
        return tf.compat.v1.assign_sub(x, decrement)

    def moving_average_update(self, variable, value, momentum):
        return tf.compat.v1.assign_sub(variable, (variable - value) * (1.0 - momentum))

    # ------------------------------------------------ functions and gradients
    def function(self, inputs, outputs, updates=None, **kwargs):
        """Uses the keyword argument ``name``; warns about any other and ignores it."""
        kwargs = ignored_kwargs('function', kwargs, {'name'}, 'TensorFlow')
        return Function(inputs, outputs, updates=updates, name=kwargs.get('name'))

    def call_async(self, function, arrays):
        """A function without updates runs on one of two call threads (``_side_by_side``):
        its outputs come back at once, as values that ``np.asarray`` waits for."""
        if not _side_by_side(function):
            return function(arrays)
        future = _CALL_THREADS.submit(function, arrays)
        if function._single:
            return _Pending(future, None)
        return [_Pending(future, i) for i in range(function._n_out)]

    def gradients(self, loss, variables):
        """A variable that ``loss`` does not depend on gets None (TensorFlow's convention)."""
        _check_retired(loss, 'gradients')
        return tf.compat.v1.gradients(loss, variables, colocate_gradients_with_ops=True)

    def stop_gradient(self, variables):
        if isinstance(variables, (list, tuple)):
            return [tf.stop_gradient(v) for v in variables]
        return tf.stop_gradient(variables)

    # ----------------------------------------------------------------- random
    def random_normal(self, shape, mean=0.0, std=1.0, dtype=None, seed=None):
        return tf.random.normal(shape, mean, std, dtype=dtype or self.floatx(), seed=_seed(seed))

    def random_uniform(self, shape, low=0.0, high=1.0, dtype=None, seed=None):
        return tf.random.uniform(shape, low, high, dtype=dtype or self.floatx(),
                                 seed=_seed(seed))

    def random_binomial(self, shape, p=0.0, dtype=None, seed=None):
        dtype = dtype or self.floatx()
        draws = tf.random.uniform(shape, dtype=dtype, seed=_seed(seed))
        return tf.cast(draws < p, dtype)
