"""Control flow of the Theano-family backend on PyTensor: rnn (in kcore_theano/rnn.py), the
fused LSTM's kernel, switch (a lazy ``ifelse``), CTC (the forward algorithm in log space on
``scan``; beam search as a numpy op) and the higher-order functions."""
import heapq

import numpy as np
import pytensor.tensor as pt
from pytensor.gradient import disconnected_grad
from pytensor.graph.basic import Apply, Variable
from pytensor.graph.op import Op
from pytensor.ifelse import ifelse
from pytensor.scalar import upcast

from kcore.backend.arguments import ctc_search
from kcore.backend.ctc import dictionary_decode
from kcore_theano import fused_rnn, fused_update, lstm, rnn
from kcore_theano.rnn import match as _match, scan as _scan


def _is_static(value):
    return not isinstance(value, Variable)


def _tensor(x):
    return x if isinstance(x, pt.TensorVariable) else pt.as_tensor_variable(x)


# --------------------------------------------------------------------- CTC
def _neg_big(dtype):
    """A finite stand-in for log(0): -inf would make the gradients NaN."""
    return pt.constant(np.asarray(-1e30 if dtype != 'float16' else -6e4, dtype=dtype))


def _logsumexp(terms):
    m = terms[0]
    for t in terms[1:]:
        m = pt.maximum(m, t)
    m = disconnected_grad(m)
    total = pt.exp(terms[0] - m)
    for t in terms[1:]:
        total = total + pt.exp(t - m)
    return m + pt.log(total)


def _ctc_log_likelihood(log_probs, labels, label_lengths, input_lengths):
    """log P(labels | log_probs) per sample by the CTC forward algorithm in log space.

    log_probs: (samples, time, classes), the blank is the last class; labels (samples,
    max_label_length) ints, valid up to label_lengths; input_lengths: the steps to use.
    """
    dtype = log_probs.dtype
    neg = _neg_big(dtype)
    nb_samples, steps, classes = log_probs.shape[0], log_probs.shape[1], log_probs.shape[2]
    blank = classes - 1
    max_len = labels.shape[1]
    labels = pt.cast(labels, 'int64')
    label_lengths = pt.cast(label_lengths, 'int64')
    input_lengths = pt.cast(input_lengths, 'int64')
    in_label = pt.lt(pt.arange(max_len)[None, :], label_lengths[:, None])
    labels = pt.switch(in_label, labels, 0)  # padding may be anything: make it a valid class
    width = 2 * max_len + 1
    # The extended labels: blank, l1, blank, l2, ..., blank.
    ext = pt.set_subtensor(pt.alloc(pt.cast(blank, 'int64'), nb_samples, width)[:, 1::2], labels)
    positions = pt.arange(width)
    # s may come from s - 2: a label unlike the one two before (which skips a blank).
    ext_before = pt.concatenate([pt.alloc(pt.cast(blank, 'int64'), nb_samples, 2),
                                 ext[:, :-2]], axis=1)[:, :width]
    skip = (pt.ge(positions, 2)[None, :] & pt.neq(ext, blank) & pt.neq(ext, ext_before))
    # Emission log-probabilities of the extended labels: (samples, time, width).
    emit = pt.take_along_axis(log_probs, ext[:, None, :], axis=2)
    emit = emit.dimshuffle(1, 0, 2)  # time-major
    alpha0 = pt.switch(pt.lt(positions, 2)[None, :], emit[0], neg)
    active = pt.lt(pt.arange(steps)[:, None], input_lengths[None, :])  # (time, samples)

    def forward(e_t, active_t, alpha):
        pad = pt.alloc(neg, nb_samples, 1)
        from1 = pt.concatenate([pad, alpha[:, :-1]], axis=1)
        from2 = pt.concatenate([pad, pad, alpha[:, :-2]], axis=1)[:, :width]
        from2 = pt.switch(skip, from2, neg)
        new = _logsumexp([alpha, from1, from2]) + e_t
        return pt.switch(active_t[:, None], new, alpha)

    alphas = _scan(forward, sequences=[emit[1:], active[1:]], outputs_info=[alpha0])[0]
    # With one step scan gives no rows; the last alpha is then alpha0.
    alpha = pt.concatenate([alpha0[None], alphas], axis=0)[-1]
    end = 2 * label_lengths[:, None]
    final = pt.eq(positions[None, :], end) | pt.eq(positions[None, :], end - 1)
    picked = pt.switch(final, alpha, neg)
    m = disconnected_grad(pt.max(picked, axis=1, keepdims=True))
    return (m + pt.log(pt.sum(pt.exp(picked - m), axis=1, keepdims=True)))[:, 0]


def _dictionary_log_likelihood(labels, label_lengths, log_probs, input_lengths):
    return _ctc_log_likelihood(log_probs, labels, label_lengths, input_lengths)


class _CTCBeamSearch(Op):
    """CTC prefix beam search in numpy: (log_probs (samples, time, classes), lengths) ->
    ``top_paths`` decoded (samples, longest) int64 padded with -1, then their log
    probabilities (samples, top_paths). The blank is the last class. No gradient."""

    __props__ = ('beam_width', 'top_paths')

    def __init__(self, beam_width, top_paths):
        self.beam_width = int(beam_width)
        self.top_paths = int(top_paths)

    def make_node(self, log_probs, lengths):
        log_probs = pt.as_tensor_variable(log_probs)
        lengths = pt.as_tensor_variable(lengths)
        decoded = [pt.matrix(dtype='int64') for _ in range(self.top_paths)]
        log_prob = pt.tensor(dtype=log_probs.dtype, shape=(None, self.top_paths))
        return Apply(self, [log_probs, lengths], decoded + [log_prob])

    def perform(self, node, inputs, outputs):
        log_probs, lengths = inputs
        found = [_beam_search(log_probs[i, :int(lengths[i])].astype(np.float64),
                              self.beam_width)[:self.top_paths]
                 for i in range(log_probs.shape[0])]
        for i, ranked in enumerate(found):
            if len(ranked) < self.top_paths:  # TensorFlow's decoder refuses this too
                raise ValueError('ctc_decode: sample %d has only %d label sequences over its %d '
                                 'steps, fewer than top_paths=%d; ask for fewer paths.'
                                 % (i, len(ranked), int(lengths[i]), self.top_paths))
        for k in range(self.top_paths):
            paths = [ranked[k][0] for ranked in found]
            decoded = np.full((len(paths), max([len(p) for p in paths] + [0])), -1, np.int64)
            for i, path in enumerate(paths):
                decoded[i, :len(path)] = path
            outputs[k][0] = decoded
        outputs[-1][0] = np.array([[lp for _, lp in ranked] for ranked in found],
                                  dtype=node.outputs[-1].dtype).reshape(-1, self.top_paths)

    def grad(self, inputs, output_grads):
        raise NotImplementedError('ctc_decode has no gradient.')


def _beam_search(log_probs, beam_width):
    """The label sequences a prefix beam search keeping ``beam_width`` prefixes ends with,
    most probable first, as (list of labels, log probability); each prefix holds the log
    probability of its paths ending in a blank and in a label."""
    blank = log_probs.shape[1] - 1
    beams = {(): (0.0, -np.inf)}
    for lp in log_probs:
        # New prefixes only from the step's most probable labels (a kept prefix still gets
        # its parent's extension below, so the scores of the kept prefixes are exact).
        candidates = np.argsort(-lp[:blank])[:beam_width]
        new = {}
        for prefix, (p_b, p_l) in beams.items():
            total = np.logaddexp(p_b, p_l)
            _add(new, prefix, total + lp[blank], -np.inf)
            if prefix:  # the same last label again without a blank: merged
                _add(new, prefix, -np.inf, p_l + lp[prefix[-1]])
            for c in candidates:
                _extend(new, prefix, int(c), p_b, total, lp)
        chosen = set(int(c) for c in candidates)
        for prefix in beams:
            if prefix and prefix[-1] not in chosen and prefix[:-1] in beams:
                p_b, p_l = beams[prefix[:-1]]
                _extend(new, prefix[:-1], prefix[-1], p_b, np.logaddexp(p_b, p_l), lp)
        beams = dict(heapq.nlargest(beam_width, new.items(),
                                    key=lambda item: np.logaddexp(*item[1])))
    ranked = sorted(beams.items(), key=lambda item: -np.logaddexp(*item[1]))
    return [(list(prefix), float(np.logaddexp(p_b, p_l))) for prefix, (p_b, p_l) in ranked]


def _add(beams, prefix, blank_lp, label_lp):
    """Add path log probabilities ending in a blank and in a label to ``prefix``."""
    old_b, old_l = beams.get(prefix, (-np.inf, -np.inf))
    beams[prefix] = (np.logaddexp(old_b, blank_lp), np.logaddexp(old_l, label_lp))


def _extend(beams, prefix, c, p_b, total, lp):
    """Add the paths that append label ``c`` to ``prefix``: a repeat of its last label
    needs a blank between, so only the paths ending in a blank extend it."""
    source = p_b if prefix and prefix[-1] == c else total
    _add(beams, prefix + (c,), -np.inf, source + lp[c])


def _lengths(lengths):
    return pt.cast(_tensor(lengths).flatten(), 'int64')


def _branch(expression):
    return expression() if callable(expression) else expression


class ControlOps:
    """rnn, switch, learning-phase selection, CTC and folds."""

    # -------------------------------------------------------------------- rnn
    def rnn(self, step_function, inputs, initial_states, go_backwards=False, mask=None,
            constants=None, unroll=False, input_length=None):
        return rnn.rnn(self, step_function, inputs, initial_states, go_backwards, mask,
                       constants, unroll, input_length)

    def _fused_lstm_kernel(self):
        """The fused Ops of ``kcore_theano.lstm`` where they are built."""
        return None if lstm.library() is None else lstm.run

    def _fused_gru_kernel(self):
        """The fused Ops of ``kcore_theano.fused_rnn`` where they are built and on."""
        return None if fused_rnn.library('gru') is None else fused_rnn.gru

    def _fused_simple_rnn_kernel(self):
        """The fused Ops of ``kcore_theano.fused_rnn`` where they are built and on."""
        return None if fused_rnn.library('simple_rnn') is None else fused_rnn.simple_rnn

    def _fused_update(self, rule, param, grad, state, **hyper):
        """Adam's step as one native Op (``fused_update``) where it is built and on."""
        return fused_update.fused_update(rule, param, grad, state, hyper)

    # ------------------------------------------------------------------ switch
    def switch(self, condition, then_expression, else_expression):
        if _is_static(condition):
            return _branch(then_expression if condition else else_expression)
        condition = _tensor(condition)
        if condition.ndim != 0:
            raise ValueError('switch: the condition must be a scalar; got %d axes (shape %s).'
                             % (condition.ndim, condition.type.shape))
        then_value, else_value = _branch(then_expression), _branch(else_expression)
        if _is_static(then_value) and not _is_static(else_value):
            then_value = pt.as_tensor_variable(np.asarray(then_value, dtype=else_value.dtype))
        elif _is_static(else_value) and not _is_static(then_value):
            else_value = pt.as_tensor_variable(np.asarray(else_value, dtype=then_value.dtype))
        then_value, else_value = _tensor(then_value), _tensor(else_value)
        dtype = upcast(then_value.dtype, else_value.dtype)
        then_value, else_value = pt.cast(then_value, dtype), pt.cast(else_value, dtype)
        if then_value.ndim != else_value.ndim:  # broadcast the one with fewer axes
            return pt.switch(condition, then_value, else_value)
        return ifelse(condition, then_value, else_value)  # lazy: one branch runs

    # -------------------------------------------------------------------- CTC
    def _ctc_log_probs(self, y_pred):
        y_pred = _tensor(y_pred)
        if y_pred.dtype == 'float16':
            y_pred = pt.cast(y_pred, 'float32')
        return pt.log(y_pred + pt.constant(np.asarray(self.epsilon(), dtype=y_pred.dtype)))

    def ctc_batch_cost(self, y_true, y_pred, input_length, label_length):
        y_pred = _tensor(y_pred)
        log_like = _ctc_log_likelihood(self._ctc_log_probs(y_pred), _tensor(y_true),
                                       _lengths(label_length), _lengths(input_length))
        return pt.cast(-log_like, y_pred.dtype)[:, None]

    def ctc_decode(self, y_pred, input_length, greedy=True, beam_width=100, top_paths=1,
                   dict_seq_lens=None, dict_values=None):
        beam_width, top_paths = ctc_search(greedy, beam_width, top_paths, dict_values)
        y_pred = _tensor(y_pred)
        log_probs, lengths = self._ctc_log_probs(y_pred), _lengths(input_length)
        if dict_values is not None:
            return dictionary_decode(self, _dictionary_log_likelihood, log_probs, lengths,
                                     y_pred.type.shape[-1], dict_seq_lens, dict_values,
                                     top_paths)
        if greedy:
            return self._ctc_greedy(log_probs, lengths)
        results = _CTCBeamSearch(beam_width, top_paths)(log_probs, lengths)
        return list(results[:-1]), results[-1]

    def _ctc_greedy(self, log_probs, lengths):
        """Best path: the most probable class per step, repeats merged, blanks dropped;
        the compaction scatters the kept labels to their ranks (others to a spare column)."""
        nb_samples, steps = log_probs.shape[0], log_probs.shape[1]
        blank = log_probs.shape[2] - 1
        best = pt.argmax(log_probs, axis=2)
        valid = pt.lt(pt.arange(steps)[None, :], lengths[:, None])
        log_prob = pt.sum(pt.switch(valid, pt.max(log_probs, axis=2), 0), axis=1, keepdims=True)
        previous = pt.concatenate([pt.alloc(np.int64(-1), nb_samples, 1), best[:, :-1]], axis=1)
        keep = valid & pt.neq(best, blank) & pt.neq(best, previous)
        rank = pt.cumsum(pt.cast(keep, 'int64'), axis=1) - 1
        column = pt.switch(keep, rank, steps)
        decoded = pt.alloc(np.int64(-1), nb_samples, steps + 1)
        decoded = pt.set_subtensor(decoded[pt.arange(nb_samples)[:, None], column],
                                   pt.cast(best, 'int64'))
        width = pt.max(pt.sum(pt.cast(keep, 'int64'), axis=1))
        return [decoded[:, :width]], log_prob

    # ----------------------------------------------------------- higher-order
    def map_fn(self, fn, elems, name=None):
        if isinstance(elems, (list, tuple)):
            sequences = [_tensor(e) for e in elems]
            return _scan(lambda *items: fn(tuple(items)), sequences=sequences, name=name)[0]
        return _scan(fn, sequences=[_tensor(elems)], name=name)[0]

    def foldl(self, fn, elems, initializer=None, name=None):
        return self._fold(fn, elems, initializer, name, backwards=False)

    def foldr(self, fn, elems, initializer=None, name=None):
        return self._fold(fn, elems, initializer, name, backwards=True)

    def _fold(self, fn, elems, initializer, name, backwards):
        elems = _tensor(elems)
        if initializer is None:
            initializer = elems[-1] if backwards else elems[0]
            elems = elems[:-1] if backwards else elems[1:]
        initializer = _tensor(initializer)

        def body(x, acc):
            return _match(fn(acc, x), acc)

        results = _scan(body, sequences=[elems], outputs_info=[initializer],
                        go_backwards=backwards, name=name)[0]
        # No elements left (one element and no initializer): the initializer is the result.
        return pt.concatenate([initializer[None], results], axis=0)[-1]
