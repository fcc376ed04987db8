"""Control flow of the jax backend: ``rnn`` (``lax.scan``, or a Python loop when
unrolled), ``switch``, the learning phase and the higher-order functions. A step
function is called once on stand-in tensors; the sub-graph it builds is evaluated in
the loop's body."""
import os

import jax
import jax.numpy as jnp
import numpy as np

from kcore.backend import arguments
from kcore_jax import fused_rnn
from kcore_jax.graph import Bound, Item, Subgraph, Tensor
from kcore_jax.session import as_tensor as _t


def _spec(probe, drop_axis=None):
    """A probe without axis ``drop_axis`` (the shape of one step or one element)."""
    shape = list(np.shape(probe))
    if drop_axis is not None:
        del shape[drop_axis]
    return jax.ShapeDtypeStruct(tuple(shape), probe.dtype)


def _stand_in(t, drop_axis=None, name=None):
    return Bound(tuple(_spec(p, drop_axis) for p in t.probes), name=name)


def _time_major(a):
    return jnp.moveaxis(a, 1, 0)


def _where(mask, new, old):
    mask = mask.reshape(mask.shape + (1,) * (new.ndim - mask.ndim))
    return jnp.where(mask, new, old)


def _rnn(ctx, inputs, initial_states, mask, frontier, sub, go_backwards, unroll):
    """(last output, outputs (samples, time, ...), states) of ``sub`` iterated over time."""
    xs = _time_major(inputs)
    steps = xs.shape[0]
    ms = None
    if mask is not None:
        mask = jnp.asarray(mask)
        if mask.ndim == 3:
            mask = mask[:, :, 0]
        ms = _time_major(mask).astype(bool)
    if go_backwards:
        xs = xs[::-1]
        ms = None if ms is None else ms[::-1]

    def step(t, x_t, states):
        values = sub.run([x_t] + list(states), frontier, ctx.fold(t))
        return values[0], values[1:]

    out_spec = jax.eval_shape(lambda x, s: step(0, x, s)[0], xs[0], list(initial_states))
    carry = (jnp.zeros(out_spec.shape, out_spec.dtype), list(initial_states))

    def body(carry, item):
        previous, states = carry
        t, x_t, m_t = item
        out, new = step(t, x_t, states)
        new = [jnp.asarray(n, s.dtype) for n, s in zip(new, states)]
        if m_t is not None:
            out = _where(m_t, out, previous)
            new = [_where(m_t, n, s) for n, s in zip(new, states)]
        return (out, new), out

    if unroll:
        outs = []
        for t in range(steps):
            carry, out = body(carry, (t, xs[t], None if ms is None else ms[t]))
            outs.append(out)
        outputs = jnp.stack(outs)
    else:
        carry, outputs = jax.lax.scan(body, carry, (jnp.arange(steps), xs, ms))
    return carry[0], jnp.moveaxis(outputs, 0, 1), tuple(carry[1])


def _map(ctx, elems, frontier, sub):
    return jax.lax.map(lambda e: sub.run([e], frontier, ctx)[0], elems)


def _fold(ctx, elems, initializer, frontier, sub, backwards):
    if initializer is None:
        initializer = elems[-1] if backwards else elems[0]
        elems = elems[:-1] if backwards else elems[1:]
    initializer = jnp.asarray(initializer)

    def body(acc, x):
        return jnp.asarray(sub.run([acc, x], frontier, ctx)[0], acc.dtype), None
    return jax.lax.scan(body, initializer, elems, reverse=backwards)[0]


#: The kernels of ``fused_rnn`` that ``K.lstm``/``K.gru`` run (both measured faster than
#: the protocol's step loop, forward and gradient); the others take the step loop on
#: ``rnn``. ``KCORE_JAX_FUSED_RNN`` replaces the list ('lstm', 'gru', or '0' for none).
FUSED_RNN_DEFAULT = 'lstm,gru'


def fused_rnn_enabled(kind):
    """Whether ``K.<kind>`` runs ``fused_rnn``'s kernel."""
    chosen = os.environ.get('KCORE_JAX_FUSED_RNN', FUSED_RNN_DEFAULT)
    return kind in [k.strip() for k in chosen.split(',')]


def _optional(x):
    return None if x is None else _t(x)


class ControlOps:
    """rnn, switch, learning phases and the higher-order functions."""

    def rnn(self, step_function, inputs, initial_states, go_backwards=False, mask=None,
            constants=None, unroll=False, input_length=None):
        inputs = _t(inputs)
        if self.ndim(inputs) is None or self.ndim(inputs) < 3:
            raise ValueError('rnn: inputs must have at least 3 axes (samples, time, ...); got '
                             'shape %s.' % (self.int_shape(inputs),))
        states = [_t(s) for s in initial_states]
        x_t = _stand_in(inputs, 1, 'rnn_input')
        stand_ins = [_stand_in(s, name='rnn_state') for s in states]
        output, new_states = step_function(x_t, stand_ins + list(constants or []))
        phase = []
        new_states = arguments.step_results(output, new_states, states, phase)
        sub = Subgraph([_t(output)] + [_t(s) for s in new_states], [x_t] + stand_ins)
        group = Tensor(lambda ctx, *a, **k: _rnn(ctx, *a, **k),
                       (inputs, tuple(states), None if mask is None else _t(mask),
                        tuple(sub.frontier)),
                       {'sub': sub, 'go_backwards': bool(go_backwards), 'unroll': bool(unroll)})
        last, outputs = Item(group, 0), Item(group, 1)
        states_group = Item(group, 2)
        results = [Item(states_group, i) for i in range(len(states))]
        if phase:
            last._uses_learning_phase = outputs._uses_learning_phase = True
        return last, outputs, results

    # ------------------------------------------------------- fused recurrences
    def _fused_lstm_kernel(self):
        if not fused_rnn_enabled('lstm'):
            return None

        def kernel(x, U, h0, c0, mask, activation, inner_activation, dropout=None):
            group = Tensor(lambda ctx, x, U, h, c, m, d: fused_rnn.lstm(
                x, U, h, c, m, activation, inner_activation, d),
                (_t(x), _t(U), _t(h0), _t(c0), _optional(mask), _optional(dropout)))
            return Item(group, 0), Item(group, 1)
        return kernel

    def _fused_gru_kernel(self):
        if not fused_rnn_enabled('gru'):
            return None

        def kernel(x, U, h0, mask, dropout, activation, inner_activation):
            return Tensor(lambda ctx, *a: fused_rnn.gru(*a, activation, inner_activation),
                          (_t(x), _t(U), _t(h0), _optional(mask), _optional(dropout)))
        return kernel

    def switch(self, condition, then_expression, else_expression):
        then_expression = _t(then_expression() if callable(then_expression)
                             else then_expression)
        else_expression = _t(else_expression() if callable(else_expression)
                             else else_expression)
        return Tensor(lambda ctx, c, a, b: jnp.where(jnp.asarray(c).astype(bool), a, b),
                      (_t(condition), then_expression, else_expression))

    def in_train_phase(self, x, alt):
        """Either may be a callable returning the expression."""
        x = x() if callable(x) else x
        alt = alt() if callable(alt) else alt
        phase = self.learning_phase()
        if isinstance(phase, int):
            return x if phase == 1 else alt
        result = Tensor(lambda ctx, a, b: a if ctx.phase == 1 else b, (_t(x), _t(alt)))
        result._uses_learning_phase = True
        return result

    def in_test_phase(self, x, alt):
        return self.in_train_phase(alt, x)

    # ----------------------------------------------------------- higher-order
    def map_fn(self, fn, elems, name=None):
        elems = _t(elems)
        e = _stand_in(elems, 0, 'map_fn_element')
        sub = Subgraph([_t(fn(e))], [e])
        return Tensor(lambda ctx, x, f, sub: _map(ctx, x, f, sub),
                      (elems, tuple(sub.frontier)), {'sub': sub})

    def foldl(self, fn, elems, initializer=None, name=None):
        return self._fold(fn, elems, initializer, False)

    def foldr(self, fn, elems, initializer=None, name=None):
        return self._fold(fn, elems, initializer, True)

    def _fold(self, fn, elems, initializer, backwards):
        elems = _t(elems)
        x = _stand_in(elems, 0, 'fold_element')
        acc = x if initializer is None else _stand_in(_t(initializer), None, 'fold_acc')
        if initializer is None:
            acc = _stand_in(elems, 0, 'fold_acc')
        sub = Subgraph([_t(fn(acc, x))], [acc, x])
        return Tensor(lambda ctx, e, i, f, **k: _fold(ctx, e, i, f, **k),
                      (elems, None if initializer is None else _t(initializer),
                       tuple(sub.frontier)), {'sub': sub, 'backwards': backwards})
