"""Whole-loop LSTM and GRU kernels for ``K.lstm`` / ``K.gru``: one ``lax.scan`` forward and
one backward, with a hand-written derivative (``jax.custom_vjp``).

Autodiff of the generic step loop keeps a dozen per-step intermediates and accumulates
the recurrent kernel's gradient inside the backward loop, one small (units, samples) x
(samples, gates) product per step. Here the forward loop stores only what the backward
needs (the gate activations and the states), the backward loop does one product with
U's transpose per step, and U's gradient is one large product after the loop.
"""
import functools

import jax
import jax.numpy as jnp

# name: (function, its derivative written in terms of its output)
ACTIVATIONS = {
    'tanh': (jnp.tanh, lambda y: 1. - y * y),
    'sigmoid': (jax.nn.sigmoid, lambda y: y * (1. - y)),
    'hard_sigmoid': (lambda x: jnp.clip(0.2 * x + 0.5, 0., 1.),
                     lambda y: jnp.where((y > 0.) & (y < 1.), 0.2, 0.).astype(y.dtype)),
    'relu': (jax.nn.relu, lambda y: (y > 0.).astype(y.dtype)),
    'linear': (lambda x: x, jnp.ones_like),
}


def _time_major(a):
    return None if a is None else jnp.swapaxes(a, 0, 1)


def _previous(initial, states):
    """The state before each step: ``initial`` then all but the last of ``states``."""
    return jnp.concatenate([initial[None], states[:-1]], axis=0)


def _keep(m, new, old):
    """``new`` where the step's mask is set, else ``old`` (carried over)."""
    return new if m is None else jnp.where(m[:, None] > 0., new, old)


def _blocks(U, gates):
    """U (units, gates * units) as (gates, units, units)."""
    n = U.shape[0]
    return jnp.transpose(U.reshape(n, gates, U.shape[1] // gates), (1, 0, 2))


def _recurrent(h, U, d):
    """The recurrent product: (h d).U with ``d`` None, (samples, units) or one mask per gate
    (samples, gates, units)."""
    if d is None:
        return h @ U
    if d.ndim == 2:
        return (h * d) @ U
    gates = d.shape[1]
    out = jnp.einsum('bgh,ghk->bgk', h[:, None, :] * d, _blocks(U, gates))
    return out.reshape(h.shape[0], U.shape[1])


def _recurrent_back(dz, U, d):
    """The derivative of ``_recurrent`` w.r.t. h."""
    if d is None:
        return dz @ U.T
    if d.ndim == 2:
        return (dz @ U.T) * d
    gates = d.shape[1]
    dz = dz.reshape(dz.shape[0], gates, -1)
    return jnp.sum(jnp.einsum('bgk,ghk->bgh', dz, _blocks(U, gates)) * d, axis=1)


def _kernel_grad(h_prev, dz, d, shape):
    """U's gradient from every step at once: sum over time and samples of (h d)^T dz."""
    n = h_prev.shape[-1]
    if d is None or d.ndim == 2:
        hd = h_prev if d is None else h_prev * d[None]
        return jnp.dot(hd.reshape(-1, n).T, dz.reshape(-1, shape[1]))
    gates = d.shape[1]
    hd = (h_prev[:, :, None, :] * d[None]).reshape(-1, gates, n)
    per_gate = jnp.einsum('ngh,ngk->ghk', hd, dz.reshape(-1, gates, shape[1] // gates))
    return jnp.transpose(per_gate, (1, 0, 2)).reshape(shape)


# ------------------------------------------------------------------------- LSTM
@functools.lru_cache(maxsize=None)
def lstm_function(activation, inner_activation):
    """f(x, U, h0, c0, mask, dropout) -> (h, c), time-major: x (time, samples, 4 units),
    mask (time, samples) float or None, dropout None, (samples, units) or (samples, 4,
    units); h and c every step's states (time, samples, units)."""
    act, act_grad = ACTIVATIONS[activation]
    inner, inner_grad = ACTIVATIONS[inner_activation]

    def forward(x, U, h0, c0, mask, d):
        def step(carry, item):
            h, c = carry
            x_t, m_t = item
            z = x_t + _recurrent(h, U, d)
            z_i, z_f, z_c, z_o = jnp.split(z, 4, axis=-1)
            i, f, g, o = inner(z_i), inner(z_f), act(z_c), inner(z_o)
            c_new = f * c + i * g
            a = act(c_new)
            h_new, c_new = _keep(m_t, o * a, h), _keep(m_t, c_new, c)
            return (h_new, c_new), (h_new, c_new, jnp.concatenate([i, f, g, o], -1), a)
        _, (hs, cs, gates, acts) = jax.lax.scan(step, (h0, c0), (x, mask))
        return hs, cs, gates, acts

    @jax.custom_vjp
    def lstm(x, U, h0, c0, mask, d):
        hs, cs, _, _ = forward(x, U, h0, c0, mask, d)
        return hs, cs

    def lstm_fwd(x, U, h0, c0, mask, d):
        hs, cs, gates, acts = forward(x, U, h0, c0, mask, d)
        return (hs, cs), (U, h0, c0, mask, d, hs, cs, gates, acts)

    def lstm_bwd(res, cotangents):
        U, h0, c0, mask, d, hs, cs, gates, acts = res
        dhs, dcs = cotangents
        c_prev = _previous(c0, cs)

        def step(carry, item):
            dh, dc = carry
            dh_t, dc_t, m_t, gate, a, c_before = item
            dh, dc = dh + dh_t, dc + dc_t
            i, f, g, o = jnp.split(gate, 4, axis=-1)
            if m_t is not None:   # masked steps pass the derivative on to the state before
                keep = m_t[:, None] > 0.
                dh_pass, dc_pass = jnp.where(keep, 0., dh), jnp.where(keep, 0., dc)
                dh, dc = jnp.where(keep, dh, 0.), jnp.where(keep, dc, 0.)
            dc = dc + dh * o * act_grad(a)
            dz = jnp.concatenate([dc * g * inner_grad(i), dc * c_before * inner_grad(f),
                                  dc * i * act_grad(g), dh * a * inner_grad(o)], -1)
            dh_prev, dc_prev = _recurrent_back(dz, U, d), dc * f
            if m_t is not None:
                dh_prev, dc_prev = dh_prev + dh_pass, dc_prev + dc_pass
            return (dh_prev, dc_prev), dz
        (dh0, dc0), dzs = jax.lax.scan(
            step, (jnp.zeros_like(h0), jnp.zeros_like(c0)),
            (dhs, dcs, mask, gates, acts, c_prev), reverse=True)
        dU = _kernel_grad(_previous(h0, hs), dzs, d, U.shape)
        return (dzs, dU, dh0, dc0, _zeros(mask), _zeros(d))

    lstm.defvjp(lstm_fwd, lstm_bwd)
    return lstm


def lstm(x, U, h0, c0, mask, activation, inner_activation, dropout=None):
    """The protocol's ``_fused_lstm_kernel`` on values: (h, c) (samples, time, units)."""
    f = lstm_function(activation, inner_activation)
    hs, cs = f(_time_major(x), U, h0, c0, _time_major(mask), dropout)
    return _time_major(hs), _time_major(cs)


# -------------------------------------------------------------------------- GRU
@functools.lru_cache(maxsize=None)
def gru_function(activation, inner_activation):
    """f(x, U, h0, mask, dropout) -> h, time-major as ``lstm_function``; ``dropout`` is
    None or the masks of z, r, h side by side (samples, 3 units)."""
    act, act_grad = ACTIVATIONS[activation]
    inner, inner_grad = ACTIVATIONS[inner_activation]

    def split_kernel(U):
        n = U.shape[0]
        return U[:, :2 * n], U[:, 2 * n:]

    def split_dropout(d, n):
        if d is None:
            return None, 1.
        return d[:, :2 * n].reshape(d.shape[0], 2, n), d[:, 2 * n:]

    def forward(x, U, h0, mask, d):
        n = h0.shape[-1]
        U_zr, U_h = split_kernel(U)
        d_zr, d_h = split_dropout(d, n)

        def step(h, item):
            x_t, m_t = item
            x_zr, x_h = x_t[:, :2 * n], x_t[:, 2 * n:]
            zr = inner(x_zr + _recurrent(h, U_zr, d_zr))
            z, r = zr[:, :n], zr[:, n:]
            hh = act(x_h + (r * h * d_h) @ U_h)
            h_new = _keep(m_t, z * h + (1. - z) * hh, h)
            return h_new, (h_new, jnp.concatenate([zr, hh], -1))
        _, (hs, gates) = jax.lax.scan(step, h0, (x, mask))
        return hs, gates

    @jax.custom_vjp
    def gru(x, U, h0, mask, d):
        return forward(x, U, h0, mask, d)[0]

    def gru_fwd(x, U, h0, mask, d):
        hs, gates = forward(x, U, h0, mask, d)
        return hs, (U, h0, mask, d, hs, gates)

    def gru_bwd(res, dhs):
        U, h0, mask, d, hs, gates = res
        n = h0.shape[-1]
        U_zr, U_h = split_kernel(U)
        d_zr, d_h = split_dropout(d, n)
        h_prev = _previous(h0, hs)

        def step(dh, item):
            dh_t, m_t, gate, h = item
            dh = dh + dh_t
            z, r, hh = gate[:, :n], gate[:, n:2 * n], gate[:, 2 * n:]
            if m_t is not None:
                keep = m_t[:, None] > 0.
                dh_pass, dh = jnp.where(keep, 0., dh), jnp.where(keep, dh, 0.)
            da_h = dh * (1. - z) * act_grad(hh)
            d_rh = (da_h @ U_h.T) * d_h
            da_zr = jnp.concatenate([dh * (h - hh) * inner_grad(z),
                                     d_rh * h * inner_grad(r)], -1)
            dh_prev = dh * z + d_rh * r + _recurrent_back(da_zr, U_zr, d_zr)
            if m_t is not None:
                dh_prev = dh_prev + dh_pass
            return dh_prev, jnp.concatenate([da_zr, da_h], -1)
        dh0, das = jax.lax.scan(step, jnp.zeros_like(h0), (dhs, mask, gates, h_prev),
                                reverse=True)
        dU_zr = _kernel_grad(h_prev, das[..., :2 * n], d_zr, U_zr.shape)
        rh = gates[..., n:2 * n] * h_prev * (d_h if d is None else d_h[None])
        dU_h = jnp.dot(rh.reshape(-1, n).T, das[..., 2 * n:].reshape(-1, n))
        return (das, jnp.concatenate([dU_zr, dU_h], axis=1), dh0, _zeros(mask), _zeros(d))

    gru.defvjp(gru_fwd, gru_bwd)
    return gru


def gru(x, U, h0, mask, dropout, activation, inner_activation):
    """The protocol's ``_fused_gru_kernel`` on values: h (samples, time, units)."""
    f = gru_function(activation, inner_activation)
    return _time_major(f(_time_major(x), U, h0, _time_major(mask), dropout))


def _zeros(a):
    return None if a is None else jnp.zeros_like(a)
