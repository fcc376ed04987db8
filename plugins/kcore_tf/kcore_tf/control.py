"""Control flow of the TensorFlow backend: rnn (and the fused LSTM's kernel), switch, CTC
and the higher-order functions."""
import functools

import tensorflow as tf

from kcore.backend.arguments import ctc_search, step_results
from kcore.backend.ctc import dictionary_decode
from kcore.backend.rnn_loops import unrolled

from kcore_tf import fused_lstm, fused_rnn, fused_updates, session

# kcore builds graphs for sessions, and may take gradients of a while/cond op after a
# session has already run it; that needs the ops to output their intermediates from the
# start (else: "Connecting to invalid output ... of source node while").
tf.compat.v1.experimental.output_all_intermediates(True)


def _is_static(value):
    return not tf.is_tensor(value) and not isinstance(value, tf.Variable)


def _branch(expression, other):
    """A tf.cond branch returning ``expression`` (called if callable) as a tensor; a plain
    number takes the dtype of the other branch when that one is a tensor."""
    def fn():
        value = expression() if callable(expression) else expression
        if _is_static(value) and tf.is_tensor(other):
            return tf.convert_to_tensor(value, dtype=other.dtype)
        return tf.convert_to_tensor(value)
    return fn


def _where(keep, new, old):
    """``new`` where the per-sample bool ``keep`` (samples,) holds, else ``old``."""
    rank = new.shape.rank
    if rank is None:
        shape = tf.concat([[-1], tf.ones([tf.rank(new) - 1], tf.int32)], axis=0)
    else:
        shape = [-1] + [1] * (rank - 1)
    result = tf.where(tf.reshape(keep, shape), new, old)
    result.set_shape(new.shape.merge_with(old.shape))
    return result


def _time_major_mask(mask, inputs):
    rank = mask.shape.rank
    if rank == 3 and mask.shape[2] in (None, 1):
        mask = mask[:, :, 0]
    elif rank != 2:
        raise ValueError('rnn: mask must have shape (samples, time) or (samples, time, 1) '
                         'matching inputs %s; got shape %s.' % (inputs.shape, mask.shape))
    return tf.transpose(tf.cast(mask, tf.bool), (1, 0))


def _step(step_function, x_t, states, keep, prev_output, constants, phase_flag):
    """One rnn step; on masked samples the previous output and states carry over.
    ``phase_flag`` (a list) gets True appended when the output uses the learning phase."""
    output, new_states = step_function(x_t, list(states) + constants)
    new_states = step_results(output, new_states, states, phase_flag)
    for new, old in zip(new_states, states):
        if not new.shape.is_compatible_with(old.shape):
            raise ValueError('rnn: the step function changed a state shape from %s to %s; '
                             'states must keep their shapes.' % (old.shape, new.shape))
        new.set_shape(old.shape)
    if keep is not None:
        if prev_output is None:
            prev_output = tf.zeros_like(output)
        output = _where(keep, output, prev_output)
        new_states = [_where(keep, new, old) for new, old in zip(new_states, states)]
    return output, new_states


def _dense_to_sparse(labels, lengths):
    """Dense (samples, max_length) labels and their lengths -> a SparseTensor of int32."""
    labels = tf.convert_to_tensor(labels)
    mask = tf.sequence_mask(lengths, maxlen=tf.shape(labels)[1])
    indices = tf.where(mask)
    values = tf.cast(tf.gather_nd(labels, indices), tf.int32)
    return tf.SparseTensor(indices, values, tf.cast(tf.shape(labels), tf.int64))


def _ctc_loss(labels, label_lengths, log_inputs, input_lengths, ignore_longer=False):
    """Per-sample CTC negative log-likelihood of dense ``labels`` under time-major
    ``log_inputs``. TensorFlow refuses empty labels: those rows get a one-label stand-in,
    and their loss is then replaced by that of the all-blank path."""
    empty = tf.equal(label_lengths, 0)
    labels = tf.pad(tf.cast(labels, tf.int32), [[0, 0], [0, 1]])
    labels = tf.where(tf.expand_dims(empty, 1), tf.zeros_like(labels), labels)
    sparse = _dense_to_sparse(labels, tf.maximum(label_lengths, 1))
    loss = tf.compat.v1.nn.ctc_loss(sparse, log_inputs, input_lengths,
                                    ignore_longer_outputs_than_inputs=ignore_longer)
    blank = tf.nn.log_softmax(log_inputs)[:, :, -1]  # (time, samples)
    frames = tf.transpose(tf.sequence_mask(input_lengths, tf.shape(log_inputs)[0], blank.dtype))
    return tf.where(empty, -tf.reduce_sum(blank * frames, axis=0), loss)


def _ctc_log_likelihood(labels, label_lengths, log_probs, input_lengths):
    """Per-sample CTC log-likelihood of dense ``labels`` under batch-major ``log_probs``;
    labels longer than their input give 0 (``ignore_longer``), for the caller to mask."""
    return -_ctc_loss(labels, label_lengths, tf.transpose(log_probs, (1, 0, 2)), input_lengths,
                      ignore_longer=True)


def _lengths(lengths):
    return tf.cast(tf.reshape(lengths, [-1]), tf.int32)


def ctc_label_dense_to_sparse(labels, label_lengths):
    """Keras 1.1.2's helper of the TensorFlow backend: dense (samples, max_length) labels,
    valid up to ``label_lengths`` (samples,), as a ``tf.SparseTensor`` of int32."""
    with session.graph_context():
        return _dense_to_sparse(labels, _lengths(label_lengths))


class ControlOps:
    """rnn, switch, learning-phase selection, CTC and folds."""

    # -------------------------------------------------------------------- rnn
    def rnn(self, step_function, inputs, initial_states, go_backwards=False, mask=None,
            constants=None, unroll=False, input_length=None):
        ndim = inputs.shape.rank
        if ndim is None or ndim < 3:
            raise ValueError('rnn: inputs must have at least 3 axes (samples, time, ...); got '
                             'shape %s.' % (inputs.shape,))
        constants = list(constants or [])
        states = list(initial_states)
        x = tf.transpose(inputs, (1, 0) + tuple(range(2, ndim)))
        mask = None if mask is None else _time_major_mask(mask, inputs)
        if go_backwards:
            x = tf.reverse(x, [0])
            mask = None if mask is None else tf.reverse(mask, [0])
        phase_flag = []
        step = functools.partial(_step, step_function, constants=constants,
                                 phase_flag=phase_flag)
        if unroll:
            last, outputs, states = unrolled(self, step, x, states, mask, input_length)
        else:
            last, outputs, states = self._rnn_loop(step, x, states, mask)
        outputs = tf.transpose(outputs, (1, 0) + tuple(range(2, outputs.shape.rank)))
        outputs.set_shape(inputs.shape[:2].concatenate(last.shape[1:]))
        if phase_flag:
            last._uses_learning_phase = outputs._uses_learning_phase = True
        return last, outputs, states

    def _rnn_loop(self, step, x, states, mask):
        # The first step runs outside the loop: it gives the output's dtype and shape.
        output, states = step(x[0], states, None if mask is None else mask[0], None)
        steps = tf.shape(x)[0]
        inputs_ta = tf.TensorArray(x.dtype, size=steps).unstack(x)
        mask_ta = None if mask is None else tf.TensorArray(tf.bool, size=steps).unstack(mask)
        outputs_ta = tf.TensorArray(output.dtype, size=steps, element_shape=output.shape)
        outputs_ta = outputs_ta.write(0, output)

        def body(t, outputs_ta, prev_output, *states):
            x_t = inputs_ta.read(t)
            x_t.set_shape(x.shape[1:])
            keep = None if mask_ta is None else mask_ta.read(t)
            out, new_states = step(x_t, states, keep, prev_output)
            out.set_shape(prev_output.shape)
            return (t + 1, outputs_ta.write(t, out), out) + tuple(new_states)

        # Up to 32 steps in flight: work off a step's critical path (e.g. the gradient's
        # per-step weight products) overlaps the next step.
        result = tf.compat.v1.while_loop(lambda t, *_: t < steps, body,
                                         (tf.constant(1), outputs_ta, output) + tuple(states),
                                         parallel_iterations=32)
        return result[2], result[1].stack(), list(result[3:])

    def _fused_lstm_kernel(self):
        """The fused op (``fused_lstm``) where it is built."""
        return None if fused_lstm.library() is None else fused_lstm.lstm

    def _fused_gru_kernel(self):
        """The fused op (``fused_rnn``) where it is built and on."""
        return None if fused_rnn.library('KCORE_TF_FUSED_GRU') is None else fused_rnn.gru

    def _fused_simple_rnn_kernel(self):
        """The fused op (``fused_rnn``) where it is built and on."""
        on = fused_rnn.library('KCORE_TF_FUSED_SIMPLE_RNN') is not None
        return fused_rnn.simple_rnn if on else None

    def _fused_update(self, rule, param, grad, state, **hyper):
        """TensorFlow's fused training op for ``rule`` (``fused_updates``)."""
        return fused_updates.fused_update(rule, param, grad, state, hyper)

    # ------------------------------------------------------------------ switch
    def switch(self, condition, then_expression, else_expression):
        if _is_static(condition):
            chosen = then_expression if condition else else_expression
            return chosen() if callable(chosen) else chosen
        condition = tf.convert_to_tensor(condition)
        if condition.shape.rank not in (None, 0):
            raise ValueError('switch: the condition must be a scalar; got shape %s.'
                             % (condition.shape,))
        if condition.dtype != tf.bool:
            condition = tf.not_equal(condition, tf.zeros([], condition.dtype))
        return tf.cond(condition, _branch(then_expression, else_expression),
                       _branch(else_expression, then_expression))

    # -------------------------------------------------------------------- CTC
    def _ctc_log_probs(self, y_pred):
        """Log-probabilities (float32, batch-major) for TensorFlow's CTC ops."""
        return tf.math.log(tf.cast(y_pred, tf.float32) + self.epsilon())

    def ctc_batch_cost(self, y_true, y_pred, input_length, label_length):
        inputs = tf.transpose(self._ctc_log_probs(y_pred), (1, 0, 2))
        loss = _ctc_loss(y_true, _lengths(label_length), inputs, _lengths(input_length))
        return tf.cast(tf.expand_dims(loss, 1), y_pred.dtype)

    def ctc_decode(self, y_pred, input_length, greedy=True, beam_width=100, top_paths=1,
                   dict_seq_lens=None, dict_values=None):
        """Beam search is TensorFlow's (no re-merging of repeats, unlike TF 1's default)."""
        beam_width, top_paths = ctc_search(greedy, beam_width, top_paths, dict_values)
        log_probs, lengths = self._ctc_log_probs(y_pred), _lengths(input_length)
        if dict_values is not None:
            return dictionary_decode(self, _ctc_log_likelihood, log_probs, lengths,
                                     y_pred.shape[-1], dict_seq_lens, dict_values, top_paths)
        inputs = tf.transpose(log_probs, (1, 0, 2))
        if greedy:
            decoded, neg_sum = tf.nn.ctc_greedy_decoder(inputs, lengths, merge_repeated=True)
            log_prob = -neg_sum
        else:
            decoded, log_prob = tf.nn.ctc_beam_search_decoder(
                inputs, lengths, beam_width=beam_width, top_paths=top_paths)
        return [tf.sparse.to_dense(d, default_value=-1) for d in decoded], log_prob

    # ----------------------------------------------------------- higher-order
    def map_fn(self, fn, elems, name=None):
        return tf.map_fn(fn, elems, fn_output_signature=_output_signature(fn, elems),
                         name=name)

    def foldl(self, fn, elems, initializer=None, name=None):
        return tf.foldl(fn, elems, initializer=initializer, name=name)

    def foldr(self, fn, elems, initializer=None, name=None):
        return tf.foldr(fn, elems, initializer=initializer, name=name)


def _output_signature(fn, elems):
    """The dtype and shape of ``fn``'s result, found by tracing it on one element of
    ``elems`` in a function graph that is never run (map_fn's outputs may differ in
    dtype from its inputs)."""
    element = tf.nest.map_structure(
        lambda e: tf.TensorSpec(tf.convert_to_tensor(e).shape[1:], tf.convert_to_tensor(e).dtype),
        elems)
    traced = tf.function(fn, autograph=False).get_concrete_function(element)
    return tf.nest.map_structure(lambda t: tf.TensorSpec(t.shape, t.dtype),
                                 traced.structured_outputs)
