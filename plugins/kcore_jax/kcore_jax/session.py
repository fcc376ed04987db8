"""Variables, placeholders, the learning phase and ``function``: one ``jax.jit`` program
per function and learning phase, the updated variables' buffers donated to it."""
import contextlib
import itertools
import os

import jax
import jax.numpy as jnp
import numpy as np

from kcore.backend import arguments, common
from kcore_jax import graph
from kcore_jax.graph import Context, Leaf, Phase, Tensor, Variable


def as_tensor(x, dtype=None):
    """``x`` as a node (numbers and arrays become constants)."""
    if isinstance(x, Tensor):
        return x
    value = np.asarray(x, dtype=dtype)
    if value.dtype == object:
        raise TypeError('The jax backend cannot use %r as a tensor: expected a tensor, a '
                        'number or a numeric array.' % (x,))
    if dtype is None and value.dtype == np.float64 and not isinstance(x, np.ndarray):
        value = value.astype(common.floatx())
    return constant_node(value)


def constant_node(value):
    value = np.asarray(value)
    return Tensor(lambda ctx: value, probes=(value, value))


def _unsupported(what):
    return NotImplementedError('%s is not supported on the jax backend: it belongs to '
                               'TensorFlow (use kcore-tf for it).' % what)


class Function:
    """``K.function``: inputs, outputs and updates compiled together on first call."""

    def __init__(self, backend, inputs, outputs, updates):
        self.backend = backend
        self.inputs = list(inputs)
        for x in self.inputs:
            # Any tensor may be fed (as TensorFlow's feed_dict): its value replaces it.
            if not isinstance(x, Tensor):
                raise TypeError('K.function: inputs must be tensors (placeholders, the '
                                'learning phase); got %r.' % (x,))
        self.single = not isinstance(outputs, (list, tuple))
        self.outputs = [as_tensor(o) for o in ([outputs] if self.single else outputs)]
        self.pairs = _update_pairs(updates or [])
        targets = {}
        for var, _ in self.pairs:
            targets[var.uid] = var
        self.updated = list(targets.values())
        values = [v for _, v in self.pairs]
        nodes = graph.topological(self.outputs + values)
        self.others = [n for n in nodes if isinstance(n, Variable) and n.uid not in targets]
        self.feeds = [x for x in self.inputs if not isinstance(x, Phase)]
        # What each fed array is checked against, looked up once (not at every call).
        self._feed_specs = [(x, x.dtype, getattr(x, 'declared_shape', None))
                            for x in self.feeds]
        # No derivative in the program (predict, test): the forward forms and options.
        self.forward_only = not any(isinstance(n, GradientGroup) for n in nodes)
        self._compiled = {}

    def _program(self, phase):
        feeds, updated, others = self.feeds, self.updated, self.others
        seed = self.backend.seed
        # Update values first: their gradient groups leave the loss for the outputs.
        nodes = [v for _, v in self.pairs] + self.outputs
        pairs = self.pairs
        n_upd = len(pairs)
        forward_only = self.forward_only

        def step(updated_values, other_values, feed_values, counter):
            env = {v.uid: x for v, x in zip(updated, updated_values)}
            env.update((v.uid, x) for v, x in zip(others, other_values))
            env.update((p.uid, x) for p, x in zip(feeds, feed_values))
            ctx = Context(jax.random.fold_in(graph.new_key(seed), counter), phase, forward_only)
            values = graph.evaluate(nodes, env, ctx)
            new = {}
            for (var, _), value in zip(pairs, values[:n_upd]):
                new[var.uid] = jnp.asarray(value, var.value.dtype).reshape(var.value.shape)
            return values[n_upd:], tuple(new.get(v.uid, env[v.uid]) for v in updated)
        return jax.jit(step, donate_argnums=(0,), **compile_options(forward_only))

    def __call__(self, arrays):
        outs = self.dispatch(arrays)
        if self.single:
            return np.asarray(outs)
        return [np.asarray(o) for o in outs]

    def dispatch(self, arrays):
        """Run the program on ``arrays``; return its outputs as JAX arrays as soon as it is
        dispatched (JAX computes them asynchronously), the updates applied."""
        arrays = list(arrays)
        if len(arrays) != len(self.inputs):
            raise ValueError('K.function: expected %d input arrays (one per input: %s); got %d.'
                             % (len(self.inputs), ', '.join(str(x.name or x) for x in self.inputs),
                                len(arrays)))
        phase, feeds = self.backend.default_phase(), []
        specs = iter(self._feed_specs)
        for x, a in zip(self.inputs, arrays):
            if isinstance(x, Phase):
                phase = int(np.asarray(a))
            else:
                feeds.append(_feed(*next(specs), a))
        program = self._compiled.get(phase)
        if program is None:
            program = self._compiled[phase] = self._program(phase)
        outs, new = program(tuple(v.value for v in self.updated),
                            tuple(v.value for v in self.others), tuple(feeds),
                            np.uint32(self.backend.next_counter()))
        for v, value in zip(self.updated, new):
            v.value = value
        return outs[0] if self.single else outs


#: XLA's CPU options for kcore's programs that take a derivative (training). YNNPACK's
#: convolutions (XLA's CPU default) are 3.5-5x slower than XLA's own on the convolutions
#: of a small CNN's gradient (the kernel's gradient most); dense layers keep YNNPACK's
#: matrix products. Programs without a derivative (predict, test) keep XLA's default:
#: YNNPACK then runs a CNN's whole forward pass as one fused graph, 2x faster than XLA's
#: own convolutions. ``KCORE_JAX_YNN_FUSION`` sets the fusion of every program
#: ('default': XLA's own choice).
CPU_YNN_FUSION = 'LIBRARY_FUSION_TYPE_INDIVIDUAL_DOT'


def compile_options(forward_only=False):
    """``jax.jit``'s keyword arguments for kcore's programs on this platform (training
    programs unless ``forward_only``)."""
    if jax.default_backend() != 'cpu':
        return {}
    fusion = os.environ.get('KCORE_JAX_YNN_FUSION')
    if fusion is None:
        fusion = 'default' if forward_only else CPU_YNN_FUSION
    if fusion == 'default':
        return {}
    return {'compiler_options': {'xla_cpu_experimental_ynn_fusion_type': fusion}}


def _feed(placeholder, dtype, shape, value):
    if hasattr(value, 'toarray'):  # scipy sparse, for sparse placeholders
        value = value.toarray()
    value = np.asarray(value, dtype=dtype)
    if shape is not None and (len(shape) != value.ndim or any(
            s is not None and s != d for s, d in zip(shape, value.shape))):
        raise ValueError('K.function: placeholder %s expects shape %s; got an array of shape %s.'
                         % (placeholder.name or placeholder, shape, value.shape))
    return value


def _update_pairs(updates):
    pairs = []
    for u in updates:
        if not isinstance(u, (list, tuple)) or len(u) != 2:
            raise ValueError('K.function: an update is a pair (variable, new value) or the '
                             'result of K.update; got %r.' % (u,))
        var, value = u
        if not isinstance(var, Variable):
            raise TypeError('K.function: only variables can be updated; got %r.' % (var,))
        pairs.append((var, as_tensor(value, dtype=var.dtype)))
    return pairs


class SessionOps:
    """Session state, variables, placeholders, evaluation, updates and gradients."""

    def __init__(self):
        self._phase_node = Phase()
        self._fixed_phase = None
        self.seed = int(np.random.randint(0, 2 ** 31 - 1))
        self._counter = itertools.count()
        self._manual_init = False

    def next_counter(self):
        return next(self._counter) % (2 ** 32)

    def default_phase(self):
        return 0 if self._fixed_phase is None else self._fixed_phase

    def _context(self):
        key = jax.random.fold_in(graph.new_key(self.seed), self.next_counter())
        return Context(key, self.default_phase())

    # ------------------------------------------------------ session and phase
    def clear_session(self):
        self.reset_uids()
        self._phase_node = Phase()
        self._fixed_phase = None

    def manual_variable_initialization(self, value):
        # Variables hold their values from the start; nothing to initialize.
        self._manual_init = bool(value)

    def get_session(self):
        return None

    def set_session(self, session):
        if session is not None:
            raise _unsupported('K.set_session (a TensorFlow session)')

    def learning_phase(self):
        return self._phase_node if self._fixed_phase is None else self._fixed_phase

    def set_learning_phase(self, value):
        if value not in (0, 1):
            raise ValueError('set_learning_phase: expected 0 (test) or 1 (train); got %r.'
                             % (value,))
        self._fixed_phase = int(value)

    def name_scope(self, name):
        return contextlib.nullcontext()

    # --------------------------------------------------- variables and tensors
    def variable(self, value, dtype=None, name=None):
        if isinstance(value, Tensor):
            value = self.eval(value)
        dtype = dtype or self.floatx()
        return Variable(jnp.array(np.asarray(value, dtype=dtype)), name=name)

    def constant(self, value, dtype=None, shape=None, name=None):
        value = np.asarray(value, dtype=dtype or self.floatx())
        if shape is not None:
            value = np.broadcast_to(value, tuple(shape)).copy()
        return constant_node(value)

    def placeholder(self, shape=None, ndim=None, dtype=None, sparse=False, name=None):
        if shape is None:
            if ndim is None:
                raise ValueError('placeholder: give a shape or a number of axes (ndim).')
            shape = (None,) * ndim
        return Leaf(tuple(None if s is None else int(s) for s in shape),
                    dtype or self.floatx(), name=name, sparse=sparse)

    def is_sparse(self, tensor):
        return bool(getattr(tensor, 'sparse', False)) and isinstance(tensor, Leaf)

    def to_dense(self, tensor):
        if self.is_sparse(tensor):
            return Tensor(lambda ctx, x: x, (tensor,))
        return tensor

    def shape(self, x):
        # Concrete in the probes too (an abstract evaluation would hide the value).
        x = as_tensor(x)
        probes = None
        if x.probes is not None:
            probes = tuple(np.asarray(np.shape(p), 'int32') for p in x.probes)
        return Tensor(lambda ctx, a: np.asarray(np.shape(a), 'int32'), (x,), probes=probes)

    def int_shape(self, x):
        return graph.static_shape(x)

    def ndim(self, x):
        shape = graph.static_shape(x)
        if shape is None:
            hint = getattr(x, '_keras_shape', None)
            return None if hint is None else len(hint)
        return len(shape)

    def dtype(self, x):
        if isinstance(x, Tensor):
            return x.dtype
        return np.asarray(x).dtype.name

    def eval(self, x):
        value = graph.evaluate([as_tensor(x)], {}, self._context())[0]
        return np.asarray(value)

    def zeros(self, shape, dtype=None, name=None):
        return self.variable(np.zeros(_shape(shape), dtype=dtype or self.floatx()), dtype, name)

    def ones(self, shape, dtype=None, name=None):
        return self.variable(np.ones(_shape(shape), dtype=dtype or self.floatx()), dtype, name)

    def eye(self, size, dtype=None, name=None):
        return self.variable(np.eye(size, dtype=dtype or self.floatx()), dtype, name)

    def zeros_like(self, x, dtype=None, name=None):
        return Tensor(lambda ctx, a: jnp.zeros_like(a, dtype=dtype), (as_tensor(x),))

    def ones_like(self, x, dtype=None, name=None):
        return Tensor(lambda ctx, a: jnp.ones_like(a, dtype=dtype), (as_tensor(x),))

    def random_uniform_variable(self, shape, low, high, dtype=None, name=None, seed=None):
        rng = np.random.RandomState(seed) if seed is not None else np.random
        value = rng.uniform(low, high, size=_shape(shape))
        return self.variable(value, dtype or self.floatx(), name)

    def random_normal_variable(self, shape, mean, scale, dtype=None, name=None, seed=None):
        rng = np.random.RandomState(seed) if seed is not None else np.random
        value = rng.normal(mean, scale, size=_shape(shape))
        return self.variable(value, dtype or self.floatx(), name)

    def count_params(self, x):
        shape = self.int_shape(x)
        if shape is None or None in shape:
            raise ValueError('count_params needs a fully known static shape; got %s.' % (shape,))
        return int(np.prod(shape, dtype=np.int64))

    def cast(self, x, dtype):
        return Tensor(lambda ctx, a: _cast(a, dtype), (as_tensor(x),))

    def get_value(self, x):
        if not isinstance(x, Variable):
            return self.eval(x)
        return np.array(x.value)

    def batch_get_value(self, xs):
        return [self.get_value(x) for x in xs]

    def set_value(self, x, value):
        if not isinstance(x, Variable):
            raise TypeError('set_value: %r is not a variable.' % (x,))
        value = np.asarray(value, dtype=x.value.dtype)
        if value.shape != x.value.shape:
            raise ValueError('set_value: variable %s has shape %s; got a value of shape %s.'
                             % (x.name, x.value.shape, value.shape))
        x.value = jnp.array(value)

    def batch_set_value(self, tuples):
        for x, value in tuples:
            self.set_value(x, value)

    def get_variable_shape(self, x):
        return tuple(x.value.shape) if isinstance(x, Variable) else self.int_shape(x)

    def print_tensor(self, x, message=''):
        def show(ctx, a):
            jax.debug.print(message.replace('{', '{{').replace('}', '}}') + '{}', a)
            return a
        return Tensor(show, (as_tensor(x),), random=True)

    # ------------------------------------------------ functions and gradients
    def function(self, inputs, outputs, updates=None, **kwargs):
        arguments.ignored_kwargs('function', kwargs, (), 'jax')
        return Function(self, inputs, outputs, updates)

    def call_async(self, function, arrays):
        # The outputs stay JAX arrays, computed while the caller goes on (the fit loop
        # selects the next batch, the predict loop copies the one before);
        # KCORE_JAX_ASYNC_OUTPUTS=0 returns numpy arrays.
        if isinstance(function, Function) and os.environ.get('KCORE_JAX_ASYNC_OUTPUTS') != '0':
            return function.dispatch(arrays)
        return function(arrays)

    def gradients(self, loss, variables):
        loss = as_tensor(loss)
        wrt = [as_tensor(v) for v in variables]
        # The loss as a function of the nodes in ``wrt`` (whatever computes them upstream
        # is cut off); its derivative is taken where the group is evaluated.
        sub = graph.Subgraph([loss], wrt)
        probes = tuple(tuple(_grad_spec(w.probes[i]) for w in wrt) for i in range(2))
        group = GradientGroup(_gradients, (tuple(wrt), tuple(sub.frontier)), {'sub': sub},
                              probes=probes)
        # As TensorFlow: None for what the loss does not depend on (optimizers say so).
        used = {t.uid for t in graph.topological([loss])}
        return [graph.Item(group, i) if w.uid in used else None for i, w in enumerate(wrt)]

    def stop_gradient(self, variables):
        if isinstance(variables, (list, tuple)):
            return [self.stop_gradient(v) for v in variables]
        return Tensor(lambda ctx, a: jax.lax.stop_gradient(a), (as_tensor(variables),))


def _shape(shape):
    return tuple(int(s) for s in np.atleast_1d(shape)) if np.ndim(shape) else (
        () if shape == () else (int(shape),))


def _cast(a, dtype):
    if isinstance(a, np.ndarray):
        return a.astype(dtype)
    return jnp.asarray(a).astype(dtype)


def _grad_spec(probe):
    dtype = np.dtype(probe.dtype)
    if dtype.kind != 'f':
        dtype = np.dtype('float32')
    return jax.ShapeDtypeStruct(np.shape(probe), dtype)


class GradientGroup(Tensor):
    """The gradients of one ``K.gradients`` call, computed together with the loss: the
    loss's value is left in the evaluation's memo, so that a function returning the loss
    reuses the forward pass instead of tracing it twice."""

    def compute(self, memo, ctx):
        loss, grads = Tensor.compute(self, memo, ctx)
        target = self.kwargs['sub'].outputs[0]
        if target.uid not in memo and np.shape(target.probes[0]) == ():
            memo[target.uid] = loss
        return grads


def _gradients(ctx, wrt_values, frontier_values, sub):
    """(loss, the derivatives of ``sub``'s one output w.r.t. ``wrt_values``)."""
    floats = [i for i, v in enumerate(wrt_values)
              if jnp.issubdtype(jnp.asarray(v).dtype, jnp.floating)]

    def loss(*xs):
        values = list(wrt_values)
        for i, x in zip(floats, xs):
            values[i] = x
        return jnp.sum(sub.run(values, frontier_values, ctx)[0])
    value, grads = jax.value_and_grad(loss, argnums=tuple(range(len(floats))))(
        *[jnp.asarray(wrt_values[i]) for i in floats])
    out = [jnp.zeros(np.shape(v), 'float32') for v in wrt_values]
    for i, g in zip(floats, grads):
        out[i] = g
    return value, tuple(out)
