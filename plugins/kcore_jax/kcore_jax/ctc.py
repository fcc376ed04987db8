"""CTC on the jax backend: the forward algorithm in log space on ``lax.scan``, greedy
decoding in jax, beam search on the host (``jax.pure_callback``), dictionary decoding
by likelihood. Decoded sequences are padded with -1 to the number of steps."""
import heapq

import jax
import jax.numpy as jnp
import numpy as np

from kcore.backend.arguments import ctc_dictionary, ctc_search
from kcore_jax import graph
from kcore_jax.ops import node
from kcore_jax.session import as_tensor as _t

_NEG = -1e30  # log(0) stand-in: -inf would make gradients NaN


def _logaddexp3(a, b, c):
    top = jax.lax.stop_gradient(jnp.maximum(jnp.maximum(a, b), c))
    return top + jnp.log(jnp.exp(a - top) + jnp.exp(b - top) + jnp.exp(c - top))


def _log_likelihood(log_probs, labels, label_lengths, input_lengths):
    """log P(labels | log_probs) per sample; the blank is the last class."""
    samples, steps, classes = log_probs.shape
    blank = classes - 1
    max_len = labels.shape[1]
    labels = jnp.asarray(labels).astype('int32')
    label_lengths = jnp.asarray(label_lengths).reshape(-1).astype('int32')
    input_lengths = jnp.asarray(input_lengths).reshape(-1).astype('int32')
    labels = jnp.where(jnp.arange(max_len)[None, :] < label_lengths[:, None], labels, 0)
    width = 2 * max_len + 1
    ext = jnp.full((samples, width), blank, 'int32').at[:, 1::2].set(labels)
    before = jnp.concatenate([jnp.full((samples, 2), blank, 'int32'), ext[:, :-2]], axis=1)
    positions = jnp.arange(width)
    skip = (positions >= 2)[None, :] & (ext != blank) & (ext != before)
    emit = jnp.take_along_axis(log_probs, jnp.broadcast_to(ext[:, None, :],
                                                           (samples, steps, width)), axis=2)
    emit = jnp.moveaxis(emit, 1, 0)
    neg = jnp.asarray(_NEG, log_probs.dtype)
    alpha0 = jnp.where((positions < 2)[None, :], emit[0], neg)

    def forward(alpha, item):
        e_t, t = item
        pad = jnp.full((samples, 1), neg)
        from1 = jnp.concatenate([pad, alpha[:, :-1]], axis=1)
        from2 = jnp.where(skip, jnp.concatenate([pad, pad, alpha[:, :-2]], axis=1)[:, :width],
                          neg)
        new = _logaddexp3(alpha, from1, from2) + e_t
        return jnp.where((t < input_lengths)[:, None], new, alpha), None
    alpha = jax.lax.scan(forward, alpha0, (emit[1:], jnp.arange(1, steps)))[0]
    end = 2 * label_lengths[:, None]
    final = (positions[None, :] == end) | (positions[None, :] == end - 1)
    picked = jnp.where(final, alpha, neg)
    top = jax.lax.stop_gradient(jnp.max(picked, axis=1, keepdims=True))
    return (top + jnp.log(jnp.sum(jnp.exp(picked - top), axis=1, keepdims=True)))[:, 0]


def _beam_search(log_probs, beam_width):
    """Prefix beam search: the label sequences kept at the end, most probable first, as
    (labels, log probability); each prefix keeps the log probabilities of its paths that
    end in a blank and in a label."""
    blank = log_probs.shape[1] - 1
    beams = {(): (0.0, -np.inf)}
    for lp in log_probs:
        grown = {}

        def add(prefix, blank_lp, label_lp):
            b, nb = grown.get(prefix, (-np.inf, -np.inf))
            grown[prefix] = (np.logaddexp(b, blank_lp), np.logaddexp(nb, label_lp))
        for prefix, (b, nb) in beams.items():
            total = np.logaddexp(b, nb)
            add(prefix, total + lp[blank], -np.inf)
            for c in range(blank):
                if prefix and prefix[-1] == c:
                    add(prefix, -np.inf, nb + lp[c])  # the repeat merges
                    add(prefix + (c,), -np.inf, b + lp[c])  # a blank between: a new label
                else:
                    add(prefix + (c,), -np.inf, total + lp[c])
        beams = dict(heapq.nlargest(beam_width, grown.items(),
                                    key=lambda item: np.logaddexp(*item[1])))
    ranked = sorted(beams.items(), key=lambda item: -np.logaddexp(*item[1]))
    return [(list(prefix), float(np.logaddexp(*lps))) for prefix, lps in ranked]


def _host_beam_search(log_probs, lengths, beam_width, top_paths):
    samples, steps = log_probs.shape[:2]
    decoded = np.full((top_paths, samples, steps), -1, 'int32')
    scores = np.zeros((samples, top_paths), log_probs.dtype)
    for i in range(samples):
        n = int(lengths[i])
        ranked = _beam_search(np.asarray(log_probs[i, :n], np.float64), beam_width)[:top_paths]
        if len(ranked) < top_paths:
            raise ValueError('ctc_decode: sample %d has only %d label sequences over its %d '
                             'steps, fewer than top_paths=%d; ask for fewer paths.'
                             % (i, len(ranked), n, top_paths))
        for k, (labels, lp) in enumerate(ranked):
            decoded[k, i, :len(labels)] = labels
            scores[i, k] = lp
    return decoded, scores


class CTCOps:
    """ctc_batch_cost and ctc_decode."""

    def _ctc_log_probs(self, y):
        return jnp.log(y + jnp.asarray(self.epsilon(), y.dtype))

    def ctc_batch_cost(self, y_true, y_pred, input_length, label_length):
        def cost(t, y, i, l):
            return -_log_likelihood(self._ctc_log_probs(y), t, l, i)[:, None].astype(y.dtype)
        return node(cost, _t(y_true), _t(y_pred), _t(input_length), _t(label_length))

    def ctc_decode(self, y_pred, input_length, greedy=True, beam_width=100, top_paths=1,
                   dict_seq_lens=None, dict_values=None):
        beam_width, top_paths = ctc_search(greedy, beam_width, top_paths, dict_values)
        if dict_values is not None:
            return self._ctc_dictionary(y_pred, input_length, dict_seq_lens, dict_values,
                                        top_paths)
        if greedy:
            group = node(self._greedy, _t(y_pred), _t(input_length))
            return [graph.Item(group, 0)], graph.Item(group, 1)

        def search(y, lengths):
            log_probs = self._ctc_log_probs(y)
            samples, steps = y.shape[:2]
            shapes = (jax.ShapeDtypeStruct((top_paths, samples, steps), np.int32),
                      jax.ShapeDtypeStruct((samples, top_paths), log_probs.dtype))
            decoded, scores = jax.pure_callback(
                lambda lp, n: _host_beam_search(np.asarray(lp), np.asarray(n).reshape(-1),
                                                beam_width, top_paths),
                shapes, log_probs, jnp.asarray(lengths))
            return tuple(decoded[k] for k in range(top_paths)), scores
        group = node(search, _t(y_pred), _t(input_length))
        paths = graph.Item(group, 0)
        return [graph.Item(paths, k) for k in range(top_paths)], graph.Item(group, 1)

    def _greedy(self, y, lengths):
        """The best path: the most probable class per step, repeats merged, blanks
        dropped, the kept labels moved to the front."""
        log_probs = self._ctc_log_probs(y)
        samples, steps, classes = y.shape
        lengths = jnp.asarray(lengths).reshape(-1)
        best = jnp.argmax(log_probs, axis=2).astype('int32')
        valid = jnp.arange(steps)[None, :] < lengths[:, None]
        log_prob = jnp.sum(jnp.where(valid, jnp.max(log_probs, axis=2), 0), axis=1,
                           keepdims=True)
        previous = jnp.concatenate([jnp.full((samples, 1), -1, 'int32'), best[:, :-1]], axis=1)
        keep = valid & (best != classes - 1) & (best != previous)
        rank = jnp.cumsum(keep, axis=1) - 1
        column = jnp.where(keep, rank, steps)
        decoded = jnp.full((samples, steps + 1), -1, 'int32')
        decoded = decoded.at[jnp.arange(samples)[:, None], column].set(best)
        return decoded[:, :steps], log_prob

    def _ctc_dictionary(self, y_pred, input_length, dict_seq_lens, dict_values, top_paths):
        """The ``top_paths`` dictionary entries of highest CTC log-likelihood."""
        nb_classes = self.int_shape(y_pred)[-1]
        table, entry_lens, needed = ctc_dictionary(dict_seq_lens, dict_values, nb_classes)
        table, entry_lens, needed = (np.asarray(table, 'int32'), np.asarray(entry_lens, 'int32'),
                                     np.asarray(needed, 'int32'))

        def decode(y, lengths):
            log_probs = self._ctc_log_probs(y)
            entries, batch = len(table), y.shape[0]
            lengths = jnp.asarray(lengths).reshape(-1)
            like = _log_likelihood(jnp.repeat(log_probs, entries, axis=0),
                                   jnp.tile(table, (batch, 1)), jnp.tile(entry_lens, batch),
                                   jnp.repeat(lengths, entries)).reshape(batch, entries)
            like = jnp.where(lengths[:, None] >= needed[None, :], like, -jnp.inf)
            best = jnp.argsort(-like, axis=1)[:, :top_paths]
            scores = jnp.take_along_axis(like, best, axis=1).astype(y.dtype)
            return tuple(jnp.asarray(table)[best[:, k]] for k in range(top_paths)), scores
        group = node(decode, _t(y_pred), _t(input_length))
        paths = graph.Item(group, 0)
        return [graph.Item(paths, k) for k in range(top_paths)], graph.Item(group, 1)
