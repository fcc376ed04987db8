"""Plain numpy references for the conformance checks (float64, written as loops where it helps).

Images are handled in 'tf' layout internally; the ``to_tf``/``from_tf`` helpers convert
inputs and kernels of the 'th' layout (see the protocol's module docstring).
"""
import itertools

import numpy as np


# ------------------------------------------------------------------ layouts
def image_to_tf(x, dim_ordering):
    """(n, c, *spatial) -> (n, *spatial, c) for 'th'; unchanged for 'tf'."""
    if dim_ordering == 'th':
        return np.moveaxis(x, 1, -1)
    return x


def image_from_tf(x, dim_ordering):
    """(n, *spatial, c) -> (n, c, *spatial) for 'th'; unchanged for 'tf'."""
    if dim_ordering == 'th':
        return np.moveaxis(x, -1, 1)
    return x


def kernel_to_tf(k, dim_ordering):
    """'th' kernel (nb_filter, stack, *spatial) -> 'tf' kernel (*spatial, stack, nb_filter)."""
    if dim_ordering == 'th':
        return np.transpose(k, tuple(range(2, k.ndim)) + (1, 0))
    return k


def kernel_from_tf(k, dim_ordering):
    """'tf' kernel (*spatial, stack, nb_filter) -> 'th' kernel (nb_filter, stack, *spatial)."""
    if dim_ordering == 'th':
        n = k.ndim
        return np.transpose(k, (n - 1, n - 2) + tuple(range(n - 2)))
    return k


# --------------------------------------------------------- conv geometry
def same_padding(size, effective_kernel, stride):
    """TensorFlow's 'same' padding of one axis: (before, after), the odd pixel after."""
    out = -(-size // stride)
    total = max((out - 1) * stride + effective_kernel - size, 0)
    return total // 2, total - total // 2


def _pads(spatial, kernel, strides, border_mode, dilation):
    eff = [(k - 1) * d + 1 for k, d in zip(kernel, dilation)]
    if border_mode == 'same':
        return eff, [same_padding(s, e, st) for s, e, st in zip(spatial, eff, strides)]
    if border_mode == 'valid':
        return eff, [(0, 0)] * len(spatial)
    raise ValueError(border_mode)


def _taps(offset, steps, out_size, strides):
    """The slices of the padded input that window offset ``offset`` meets, one element per
    output position (``steps`` is the distance between taps: the dilation)."""
    return tuple(slice(q * d, q * d + (o - 1) * s + 1, s)
                 for q, d, o, s in zip(offset, steps, out_size, strides))


def conv(x, k, strides, border_mode, dilation=None):
    """N-D cross-correlation, one kernel tap at a time.

    x: (n, *spatial, stack); k: (*kernel, stack, nb_filter); returns (n, *out, nb_filter):
    out[:, p] = sum over taps q of xp[:, p * strides + q * dilation] . k[q].
    """
    nsp = x.ndim - 2
    dilation = tuple(dilation or (1,) * nsp)
    kernel = k.shape[:nsp]
    eff, pads = _pads(x.shape[1:-1], kernel, strides, border_mode, dilation)
    xp = np.pad(x, [(0, 0)] + list(pads) + [(0, 0)])
    out_size = [(xp.shape[1 + i] - eff[i]) // strides[i] + 1 for i in range(nsp)]
    out = np.zeros((x.shape[0],) + tuple(out_size) + (k.shape[-1],))
    for q in itertools.product(*[range(s) for s in kernel]):
        out += xp[(slice(None),) + _taps(q, dilation, out_size, strides)].dot(k[q])
    return out


def pool(x, pool_size, strides, border_mode, pool_mode):
    """N-D pooling on x (n, *spatial, channels); 'same' windows see only in-image pixels
    (max ignores the padding, avg divides by the in-image count)."""
    nsp = x.ndim - 2
    eff, pads = _pads(x.shape[1:-1], pool_size, strides, border_mode, (1,) * nsp)
    xp = np.pad(x.astype(float), [(0, 0)] + list(pads) + [(0, 0)], constant_values=np.nan)
    out_size = [(xp.shape[1 + i] - eff[i]) // strides[i] + 1 for i in range(nsp)]
    taps = np.stack([xp[(slice(None),) + _taps(q, (1,) * nsp, out_size, strides)]
                     for q in itertools.product(*[range(s) for s in pool_size])])
    return np.nanmax(taps, axis=0) if pool_mode == 'max' else np.nanmean(taps, axis=0)


def deconv2d(x, k, output_shape, strides, border_mode):
    """Transposed 2D convolution, 'tf' layout: the adjoint of ``conv``.

    x: (n, rows, cols, in); k: (k_rows, k_cols, out, in); output_shape (n, rows, cols, out).
    Input pixel (i, j) adds x[:, i, j] . k[a, b].T to output pixel
    (i * stride + a - pad_top, j * stride + b - pad_left), for every tap (a, b).
    """
    n, rows, cols, out_ch = output_shape
    kr, kc = k.shape[:2]
    _, pads = _pads((rows, cols), (kr, kc), strides, border_mode, (1, 1))
    full = np.zeros((n, rows + sum(pads[0]) + kr, cols + sum(pads[1]) + kc, out_ch))
    for a in range(kr):
        for b in range(kc):
            full[(slice(None),) + _taps((a, b), (1, 1), x.shape[1:3], strides)] += x.dot(k[a, b].T)
    return full[:, pads[0][0]:pads[0][0] + rows, pads[1][0]:pads[1][0] + cols, :]


def separable_conv2d(x, depthwise, pointwise, strides, border_mode):
    """Depthwise then pointwise convolution, 'tf' layout; channel c * multiplier + m of the
    depthwise result is input channel c filtered by depthwise[..., c, m]."""
    kr, kc, stack, mult = depthwise.shape
    full = np.zeros((kr, kc, stack, stack * mult))
    for c in range(stack):
        for m in range(mult):
            full[:, :, c, c * mult + m] = depthwise[:, :, c, m]
    return conv(conv(x, full, strides, border_mode), pointwise, (1, 1), 'valid')


# ------------------------------------------------------------------- nn
def softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def log_softmax(x, axis=-1):
    z = x - x.max(axis=axis, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=axis, keepdims=True))


def batch_dot(x, y, axes):
    """Per-sample np.tensordot over ``axes`` (axes count the batch axis); at least 2D."""
    if isinstance(axes, int):
        axes = (axes, axes)
    out = np.stack([np.tensordot(a, b, axes=(axes[0] - 1, axes[1] - 1)) for a, b in zip(x, y)])
    return out.reshape(out.shape + (1,)) if out.ndim == 1 else out


# ------------------------------------------------------------------- rnn
def rnn(step, inputs, initial_states, go_backwards=False, mask=None, constants=()):
    """Step-by-step recurrence; ``mask`` (samples, time): masked steps carry the previous
    output and states over. Outputs are stacked in the order the steps are taken."""
    states = list(initial_states)
    outputs = []
    steps = range(inputs.shape[1])
    for t in (reversed(steps) if go_backwards else steps):
        output, new_states = step(inputs[:, t], states + list(constants))
        if mask is not None:
            keep = mask[:, t].reshape((-1,) + (1,) * (output.ndim - 1)).astype(bool)
            previous = outputs[-1] if outputs else np.zeros_like(output)
            output = np.where(keep, output, previous)
            new_states = [np.where(keep.reshape((-1,) + (1,) * (s.ndim - 1)), n, s)
                          for n, s in zip(new_states, states)]
        outputs.append(output)
        states = list(new_states)
    return outputs[-1], np.stack(outputs, axis=1), states


LSTM_ACTIVATIONS = {'tanh': np.tanh, 'sigmoid': sigmoid, 'relu': lambda x: np.maximum(x, 0),
                    'hard_sigmoid': lambda x: np.clip(0.2 * x + 0.5, 0, 1),
                    'linear': lambda x: x}


def lstm(inputs, kernel, initial_states, activation, inner_activation, go_backwards=False,
         mask=None):
    """``rnn`` of the LSTM step on inputs that hold x.W + b of the gates i, f, c, o."""
    act, inner = LSTM_ACTIVATIONS[activation], LSTM_ACTIVATIONS[inner_activation]

    def step(x, states):
        z_i, z_f, z_c, z_o = np.split(x + states[0].dot(kernel), 4, axis=-1)
        c = inner(z_f) * states[1] + inner(z_i) * act(z_c)
        h = inner(z_o) * act(c)
        return h, [h, c]
    return rnn(step, inputs, initial_states, go_backwards, mask)


# ------------------------------------------------------------------- ctc
def ctc_log_likelihood(probs, labels):
    """log P(labels | probs) by the CTC forward algorithm in log space.

    probs: (time, classes) per-step softmax outputs, the blank is the last class;
    labels: a sequence of class indices (no blanks).
    """
    blank = probs.shape[1] - 1
    ext = [blank]
    for c in labels:
        ext += [int(c), blank]
    logp = np.log(probs)
    alpha = np.full(len(ext), -np.inf)
    alpha[0] = logp[0, ext[0]]
    if len(ext) > 1:
        alpha[1] = logp[0, ext[1]]
    for t in range(1, probs.shape[0]):
        new = np.full(len(ext), -np.inf)
        for s in range(len(ext)):
            terms = [alpha[s]]
            if s >= 1:
                terms.append(alpha[s - 1])
            if s >= 2 and ext[s] != blank and ext[s] != ext[s - 2]:
                terms.append(alpha[s - 2])
            new[s] = np.logaddexp.reduce(terms) + logp[t, ext[s]]
        alpha = new
    return np.logaddexp.reduce(alpha[-2:]) if len(ext) > 1 else alpha[-1]


def ctc_batch_cost(y_true, y_pred, input_length, label_length):
    """(samples, 1) of -log P(label | softmax outputs) over each sample's input_length steps."""
    return np.array([[-ctc_log_likelihood(y_pred[i, :int(input_length[i, 0])],
                                          y_true[i, :int(label_length[i, 0])])]
                     for i in range(len(y_pred))])


def ctc_best_path(y_pred, input_length):
    """Greedy decoding: per-step argmax, repeats merged, blanks removed; with the best
    path's log probability."""
    blank = y_pred.shape[2] - 1
    decoded, log_probs = [], []
    for i in range(len(y_pred)):
        steps = y_pred[i, :int(input_length[i, 0])]
        best = steps.argmax(axis=1)
        seq = [int(c) for j, c in enumerate(best) if c != blank and (j == 0 or c != best[j - 1])]
        decoded.append(seq)
        log_probs.append([np.log(steps.max(axis=1)).sum()])
    return decoded, np.array(log_probs)


def ctc_prefix_beam_search(probs, beam_width, top_paths):
    """The ``top_paths`` most probable label sequences found by a prefix beam search that
    keeps ``beam_width`` prefixes, as [(labels, log probability)], most probable first.

    probs: (time, classes) one sample's softmax outputs, the blank is the last class. Each
    prefix carries the probability of its paths ending in a blank and in a label; a label
    equal to the prefix's last one extends it only from paths ending in a blank.
    """
    blank = probs.shape[1] - 1
    ends_blank, ends_label = {(): 1.0}, {(): 0.0}
    for step in probs:
        new_blank, new_label = {}, {}
        for prefix in ends_blank:
            total = ends_blank[prefix] + ends_label[prefix]
            new_blank[prefix] = new_blank.get(prefix, 0.0) + total * step[blank]
            if prefix:
                new_label[prefix] = (new_label.get(prefix, 0.0)
                                     + ends_label[prefix] * step[prefix[-1]])
            for c in range(blank):
                source = ends_blank[prefix] if prefix and prefix[-1] == c else total
                longer = prefix + (c,)
                new_label[longer] = new_label.get(longer, 0.0) + source * step[c]
        prefixes = set(new_blank) | set(new_label)
        score = {p: new_blank.get(p, 0.0) + new_label.get(p, 0.0) for p in prefixes}
        kept = sorted(prefixes, key=lambda p: -score[p])[:beam_width]
        ends_blank = {p: new_blank.get(p, 0.0) for p in kept}
        ends_label = {p: new_label.get(p, 0.0) for p in kept}
    ranked = sorted(ends_blank, key=lambda p: -(ends_blank[p] + ends_label[p]))[:top_paths]
    return [(list(p), np.log(ends_blank[p] + ends_label[p])) for p in ranked]


def ctc_beam_decode(y_pred, input_length, beam_width, top_paths):
    """``ctc_prefix_beam_search`` per sample over its input_length steps: (a list of
    ``top_paths`` lists of label sequences, log probabilities (samples, top_paths))."""
    found = [ctc_prefix_beam_search(y_pred[i, :int(input_length[i, 0])], beam_width, top_paths)
             for i in range(len(y_pred))]
    decoded = [[ranked[k][0] for ranked in found] for k in range(top_paths)]
    return decoded, np.array([[lp for _, lp in ranked] for ranked in found])
