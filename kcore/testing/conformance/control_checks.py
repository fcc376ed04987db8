"""rnn, switch, learning phases, map_fn/foldl/foldr, CTC."""
import numpy as np
import pytest

from kcore.testing import reference as R
from ._helpers import (ATOL_SUM, RTOL_SUM, assert_close, check, check_gradient, evaluate,
                       placeholders, rng)

# The step of a small recurrent net: h' = tanh(x W + h U + c), and a step counter, where
# ``c`` comes in as a constant. Output = h'.
W = rng(10).randn(3, 4) * 0.5
U = rng(11).randn(4, 4) * 0.5


def backend_step(K):
    w, u = K.constant(W), K.constant(U)

    def step(x, states):
        h, count, c = states
        out = K.tanh(K.dot(x, w) + K.dot(h, u) + c)
        return out, [out, count + 1]
    return step


def numpy_step(x, states):
    h, count, c = states
    out = np.tanh(x.dot(W) + h.dot(U) + c)
    return out, [out, count + 1]


# Masks keep the first and the last step of every sample: what a masked *first* step
# outputs is left unpinned (Keras itself differs between its loops there).
MASK = np.array([[1, 1, 0, 1, 1], [1, 0, 0, 1, 1], [1, 1, 1, 1, 1]])


def ctc_inputs():
    """3 samples, 6 steps, 3 classes + blank; labels padded (with 0) past label_length,
    steps past input_length to be ignored; the repeated label needs a blank between."""
    y_pred = R.softmax(rng(5).randn(3, 6, 4))
    y_true = np.array([[0, 1, 1], [2, 0, 0], [1, 2, 0]])
    input_length = np.array([[6], [4], [5]])
    label_length = np.array([[3], [1], [2]])
    return y_true, y_pred, input_length, label_length


class ControlChecks:

    # ----------------------------------------------------------------- rnn
    def _rnn(self, K, go_backwards, mask, unroll):
        inputs = rng().randn(3, 5, 3)
        h0, count0, const = rng(1).randn(3, 4) * 0.5, np.zeros((3, 1)), rng(2).randn(3, 4) * 0.5
        arrays = [inputs, h0, count0, const] + ([] if mask is None else [mask])

        def fn(x, h, count, c, m=None):
            last, outputs, states = K.rnn(backend_step(K), x, [h, count], go_backwards=go_backwards,
                                          mask=m, constants=[c], unroll=unroll,
                                          input_length=5 if unroll else None)
            return [last, outputs] + list(states)

        def ref(x, h, count, c, m=None):
            last, outputs, states = R.rnn(numpy_step, x, [h, count], go_backwards,
                                          None if m is None else m.reshape(len(m), -1), [c])
            return [last, outputs] + states

        got = evaluate(K, fn, *arrays)
        want = ref(*[a.astype(K.floatx()).astype(float) if a.dtype.kind == 'f' else a
                     for a in arrays])
        assert len(got) == 4
        for g, w in zip(got, want):
            assert_close(g, w, rtol=RTOL_SUM, atol=ATOL_SUM)  # a recurrence of sums
        # Gradients w.r.t. the inputs and the initial state, through the loop.
        for index in (1, 0):
            check_gradient(K, lambda *t: fn(*t)[index], lambda *t: ref(*t)[index], *arrays,
                           wrt=(0, 1))

    @pytest.mark.parametrize('unroll', (False, True))
    @pytest.mark.parametrize('go_backwards', (False, True))
    def test_rnn(self, K, go_backwards, unroll):
        self._rnn(K, go_backwards, None, unroll)

    @pytest.mark.parametrize('unroll', (False, True))
    @pytest.mark.parametrize('go_backwards', (False, True))
    def test_rnn_mask(self, K, go_backwards, unroll):
        # Masks are 1 on the steps to keep; masked steps carry output and states over.
        self._rnn(K, go_backwards, MASK, unroll)

    @pytest.mark.parametrize('unroll', (False, True))
    def test_rnn_mask_3d(self, K, unroll):
        # A (samples, time, 1) mask, as the Masking layer makes.
        self._rnn(K, False, MASK[:, :, None], unroll)

    def test_rnn_boolean_mask(self, K):
        inputs = rng().randn(3, 5, 3)
        h0, count0, const = np.zeros((3, 4)), np.zeros((3, 1)), np.zeros((3, 4))
        x, h, count, c = placeholders(K, [inputs, h0, count0, const])
        mask = K.cast(K.variable(MASK.astype('float32')), 'bool')
        _, outputs, _ = K.rnn(backend_step(K), x, [h, count], mask=mask, constants=[c])
        got = K.function([x, h, count, c], [outputs])([a.astype('float32') for a in
                                                       (inputs, h0, count0, const)])[0]
        want = R.rnn(numpy_step, inputs.astype('float32').astype(float), [h0, count0],
                     mask=MASK, constants=[const])[1]
        assert_close(got, want, rtol=RTOL_SUM, atol=ATOL_SUM)

    # ---------------------------------------------------------------- lstm
    def _lstm(self, K, activation, inner_activation, go_backwards, mask, dropout=None):
        # 3 samples, 5 steps, 4 units; non-zero initial states; ``dropout`` None or the
        # shape of the recurrent dropout mask.
        arrays = [rng(3).randn(3, 5, 16), rng(4).randn(4, 16) * 0.5,
                  rng(5).randn(3, 4) * 0.5, rng(6).randn(3, 4) * 0.5]
        masks = [] if dropout is None else [(rng(21).rand(*dropout) > 0.3) / 0.7]
        arrays += masks + ([] if mask is None else [mask])

        def split(args):
            extra = list(args[4:])
            d = extra.pop(0) if masks else None
            return args[:4], d, (extra[0] if extra else None)

        def fn(*args):
            (x, kernel, h, c), d, m = split(args)
            last, outputs, states = K.lstm(x, kernel, [h, c], activation, inner_activation,
                                           go_backwards=go_backwards, mask=m, dropout=d)
            return [last, outputs] + list(states)

        def ref(*args):
            (x, kernel, h, c), d, m = split(args)
            last, outputs, states = R.fused_lstm(x, kernel, [h, c], activation,
                                                 inner_activation, go_backwards, m, d)
            return [last, outputs] + states

        got = evaluate(K, fn, *arrays)
        want = ref(*[a.astype(K.floatx()).astype(float) for a in arrays])
        assert len(got) == 4
        for g, w in zip(got, want):
            assert_close(g, w, rtol=RTOL_SUM, atol=ATOL_SUM)
        # Gradients w.r.t. inputs, kernel and both initial states, from the outputs and
        # from the final cell state.
        for index in (1, 3):
            check_gradient(K, lambda *t: fn(*t)[index], lambda *t: ref(*t)[index], *arrays,
                           wrt=(0, 1, 2, 3))

    @pytest.mark.parametrize('activation, inner_activation',
                             [('tanh', 'hard_sigmoid'), ('tanh', 'sigmoid'),
                              ('relu', 'linear'), ('linear', 'tanh')])
    def test_lstm(self, K, activation, inner_activation):
        self._lstm(K, activation, inner_activation, False, None)

    @pytest.mark.parametrize('go_backwards', (False, True))
    def test_lstm_mask(self, K, go_backwards):
        self._lstm(K, 'tanh', 'sigmoid', go_backwards, MASK)

    def test_lstm_go_backwards(self, K):
        self._lstm(K, 'tanh', 'hard_sigmoid', True, None)

    @pytest.mark.parametrize('shape, go_backwards, mask', [
        ((3, 4), False, None), ((3, 4, 4), False, None), ((3, 4, 4), True, MASK),
        ((3, 4), True, MASK)])
    def test_lstm_dropout(self, K, shape, go_backwards, mask):
        """Recurrent dropout masks, one for all gates or one per gate."""
        self._lstm(K, 'tanh', 'sigmoid', go_backwards, mask, shape)

    @pytest.mark.parametrize('activation, inner_activation, go_backwards',
                             [('tanh', 'hard_sigmoid', False), ('tanh', 'sigmoid', True),
                              ('relu', 'sigmoid', False), ('sigmoid', 'relu', True),
                              ('linear', 'hard_sigmoid', False)])
    def test_lstm_matches_rnn(self, K, activation, inner_activation, go_backwards):
        """A backend's own lstm (e.g. fused) against the protocol's step function on rnn,
        with masked first steps, a fully masked sample and non-zero initial states."""
        mask = (rng(7).rand(5, 7) > 0.3).astype('float32')
        mask[1, :3], mask[2] = 0, 0
        arrays = [rng(8).randn(5, 7, 24), rng(9).randn(6, 24) * 0.3, rng(10).randn(5, 6),
                  rng(11).randn(5, 6), mask]

        def results(lstm):
            def fn(x, kernel, h, c, m):
                last, outputs, states = lstm(x, kernel, [h, c], activation,
                                             inner_activation, go_backwards=go_backwards,
                                             mask=m)
                weights = K.constant(rng(12).randn(5, 7, 6))
                loss = K.sum(outputs * weights) + K.sum(states[1] * 2) + K.sum(last)
                return [last, outputs] + list(states) + K.gradients(loss, [x, kernel, h, c])
            return evaluate(K, fn, *arrays)

        def steps(x, kernel, states, activation, inner_activation, go_backwards, mask):
            return K._lstm_steps(x, kernel, states, activation, inner_activation,
                                 go_backwards, mask)
        for got, want in zip(results(K.lstm), results(steps)):
            assert_close(got, want, rtol=RTOL_SUM, atol=ATOL_SUM)

    def test_lstm_unknown_activation(self, K):
        x, kernel, h, c = placeholders(K, [np.zeros((2, 3, 8)), np.zeros((2, 8)),
                                           np.zeros((2, 2)), np.zeros((2, 2))])
        with pytest.raises(ValueError, match='softplus'):
            K.lstm(x, kernel, [h, c], 'softplus', 'sigmoid')

    # ------------------------------------------------------ gru, simple_rnn
    def _cell(self, K, cell, activations, go_backwards, mask, dropout):
        """K.gru (cell 'gru') or K.simple_rnn against the numpy oracle: 3 samples, 5 steps,
        4 units, a non-zero initial state; ``dropout`` None, 'shared' or 'per_gate'."""
        gates = 3 if cell == 'gru' else 1
        arrays = [rng(3).randn(3, 5, 4 * gates), rng(4).randn(4, 4 * gates) * 0.5,
                  rng(5).randn(3, 4) * 0.5]
        shape = {None: None, 'shared': (3, 4), 'per_gate': (3, gates, 4)}[dropout]
        arrays += [] if shape is None else [(rng(20).rand(*shape) > 0.3) / 0.7]
        count = len(arrays) - 3
        arrays += [] if mask is None else [mask]
        backend_cell = getattr(K, cell)
        oracle = R.fused_gru if cell == 'gru' else R.fused_simple_rnn

        def split(args):
            x, kernel, h = args[:3]
            masks = args[3] if count else None
            return x, kernel, h, masks, (args[3 + count] if mask is not None else None)

        def fn(*args):
            x, kernel, h, masks, m = split(args)
            last, outputs, states = backend_cell(x, kernel, [h], *activations,
                                                 go_backwards=go_backwards, mask=m,
                                                 dropout=masks)
            return [last, outputs] + list(states)

        def ref(*args):
            x, kernel, h, masks, m = split(args)
            last, outputs, states = oracle(x, kernel, [h], *activations, go_backwards, m,
                                           masks)
            return [last, outputs] + states

        got = evaluate(K, fn, *arrays)
        want = ref(*[a.astype(K.floatx()).astype(float) for a in arrays])
        assert len(got) == 3
        for g, w in zip(got, want):
            assert_close(g, w, rtol=RTOL_SUM, atol=ATOL_SUM)
        # Gradients w.r.t. inputs, kernel and initial state, from the outputs and the state.
        for index in (1, 2):
            check_gradient(K, lambda *t: fn(*t)[index], lambda *t: ref(*t)[index], *arrays,
                           wrt=(0, 1, 2))

    @pytest.mark.parametrize('activation, inner_activation',
                             [('tanh', 'hard_sigmoid'), ('sigmoid', 'tanh'),
                              ('hard_sigmoid', 'sigmoid'), ('relu', 'linear'),
                              ('linear', 'relu')])
    def test_gru(self, K, activation, inner_activation):
        self._cell(K, 'gru', (activation, inner_activation), False, None, None)

    @pytest.mark.parametrize('go_backwards', (False, True))
    def test_gru_mask(self, K, go_backwards):
        self._cell(K, 'gru', ('tanh', 'sigmoid'), go_backwards, MASK, None)

    @pytest.mark.parametrize('dropout', ('shared', 'per_gate'))
    def test_gru_dropout(self, K, dropout):
        self._cell(K, 'gru', ('tanh', 'hard_sigmoid'), True, MASK, dropout)

    @pytest.mark.parametrize('activation', ('tanh', 'sigmoid', 'hard_sigmoid', 'relu',
                                            'linear'))
    def test_simple_rnn(self, K, activation):
        self._cell(K, 'simple_rnn', (activation,), False, None, None)

    @pytest.mark.parametrize('go_backwards', (False, True))
    def test_simple_rnn_mask(self, K, go_backwards):
        self._cell(K, 'simple_rnn', ('tanh',), go_backwards, MASK, None)

    def test_simple_rnn_dropout(self, K):
        self._cell(K, 'simple_rnn', ('relu',), True, MASK, 'shared')

    @pytest.mark.parametrize('cell, activations, go_backwards, dropout',
                             [('gru', ('tanh', 'hard_sigmoid'), False, None),
                              ('gru', ('relu', 'sigmoid'), True, 3),
                              ('gru', ('sigmoid', 'tanh'), False, 1),
                              ('simple_rnn', ('tanh',), True, None),
                              ('simple_rnn', ('relu',), False, 1)])
    def test_gru_and_simple_rnn_match_rnn(self, K, cell, activations, go_backwards, dropout):
        """A backend's own gru / simple_rnn (e.g. fused) against the protocol's step function
        on rnn, with masked first steps, a fully masked sample, non-zero initial states and
        recurrent dropout masks."""
        gates = 3 if cell == 'gru' else 1
        mask = (rng(7).rand(5, 7) > 0.3).astype('float32')
        mask[1, :3], mask[2] = 0, 0
        arrays = [rng(8).randn(5, 7, 6 * gates), rng(9).randn(6, 6 * gates) * 0.3,
                  rng(10).randn(5, 6), mask]
        if dropout:
            arrays.append((rng(30).rand(*((5, 6) if dropout == 1 else (5, dropout, 6))) > 0.4)
                          / 0.6)
        steps = getattr(K, '_%s_steps' % cell)

        def results(own):
            def fn(x, kernel, h, m, masks=None):
                if own:
                    found = getattr(K, cell)(x, kernel, [h], *activations,
                                             go_backwards=go_backwards, mask=m,
                                             dropout=masks)
                else:
                    masks = K._gate_masks(cell, masks, gates)
                    found = steps(x, kernel, [h], *activations, go_backwards, m, masks)
                last, outputs, states = found
                loss = K.sum(outputs * K.constant(rng(12).randn(5, 7, 6))) + K.sum(last)
                return [last, outputs] + list(states) + K.gradients(loss, [x, kernel, h])
            return evaluate(K, fn, *arrays)

        for got, want in zip(results(True), results(False)):
            assert_close(got, want, rtol=RTOL_SUM, atol=ATOL_SUM)

    def test_gru_unknown_activation(self, K):
        x, kernel, h = placeholders(K, [np.zeros((2, 3, 6)), np.zeros((2, 6)), np.zeros((2, 2))])
        with pytest.raises(ValueError, match='softplus'):
            K.gru(x, kernel, [h], 'tanh', 'softplus')
        with pytest.raises(ValueError, match='softplus'):
            K.simple_rnn(x[:, :, :2], kernel[:, :2], [h], 'softplus')

    # ------------------------------------------------------------- switch
    def test_switch(self, K):
        x = K.placeholder(shape=(3,))
        out = K.switch(K.greater(K.sum(x), 0), x * 2, x * -1)
        f = K.function([x], [out])
        np.testing.assert_allclose(f([np.array([1.0, 2.0, -1.0])])[0], [2, 4, -2])
        np.testing.assert_allclose(f([np.array([-1.0, -2.0, 1.0])])[0], [1, 2, -1])

    def test_switch_callables(self, K):
        x = K.placeholder(shape=(2,))
        cond = K.placeholder(shape=(), dtype='int32')
        f = K.function([x, cond], [K.switch(cond, lambda: x + 10, lambda: x - 10)])
        np.testing.assert_allclose(f([np.array([1.0, 2.0]), 1])[0], [11, 12])
        np.testing.assert_allclose(f([np.array([1.0, 2.0]), 0])[0], [-9, -8])

    def test_switch_gradient(self, K):
        x = K.variable(np.array([1.0, 2.0]))
        grad = K.gradients(K.sum(K.switch(K.greater(K.sum(x), 0), x * x, x * 3)), [x])[0]
        np.testing.assert_allclose(K.eval(grad), [2, 4])

    # ------------------------------------------------------------- phases
    def test_in_train_phase(self, K):
        x = K.placeholder(shape=(2,))
        f = K.function([x, K.learning_phase()], [K.in_train_phase(x + 1, x - 1)])
        np.testing.assert_allclose(f([np.array([0.0, 1.0]), 1])[0], [1, 2])
        np.testing.assert_allclose(f([np.array([0.0, 1.0]), 0])[0], [-1, 0])

    def test_in_test_phase(self, K):
        x = K.placeholder(shape=(2,))
        f = K.function([x, K.learning_phase()], [K.in_test_phase(x + 1, x - 1)])
        np.testing.assert_allclose(f([np.array([0.0, 1.0]), 0])[0], [1, 2])
        np.testing.assert_allclose(f([np.array([0.0, 1.0]), 1])[0], [-1, 0])

    def test_in_test_phase_fixed(self, K):
        x = K.variable(np.array([0.0, 1.0]))
        K.set_learning_phase(0)
        np.testing.assert_allclose(K.eval(K.in_test_phase(x + 1, x - 1)), [1, 2])
        K.set_learning_phase(1)
        np.testing.assert_allclose(K.eval(K.in_test_phase(x + 1, x - 1)), [-1, 0])

    # -------------------------------------------------------- higher-order
    def test_map_fn(self, K):
        elems = rng().randn(4, 3)
        check(K, lambda e: K.map_fn(lambda row: row * row + 1, e), lambda e: e * e + 1, elems)
        check(K, lambda e: K.map_fn(K.sum, e), lambda e: e.sum(axis=1), elems)

    def test_foldl(self, K):
        elems = np.array([1.0, 2.0, 3.0])
        # From the left, starting at elems[0]: (1 * 2 + 2) * 2 + 3.
        check(K, lambda e: K.foldl(lambda acc, x: acc * 2 + x, e), lambda e: np.array(11.0),
              elems)
        check(K, lambda e: K.foldl(lambda acc, x: acc * 2 + x, e, initializer=K.constant(10.0)),
              lambda e: np.array(91.0), elems)
        rows = rng().randn(3, 2)
        check(K, lambda e: K.foldl(lambda acc, x: acc + x, e), lambda e: e.sum(axis=0), rows)

    def test_foldr(self, K):
        elems = np.array([1.0, 2.0, 3.0])
        # From the right, starting at elems[-1]: (3 * 2 + 2) * 2 + 1.
        check(K, lambda e: K.foldr(lambda acc, x: acc * 2 + x, e), lambda e: np.array(17.0),
              elems)
        check(K, lambda e: K.foldr(lambda acc, x: acc * 2 + x, e, initializer=K.constant(10.0)),
              lambda e: np.array(97.0), elems)
        rows = rng().randn(3, 2)
        check(K, lambda e: K.foldr(lambda acc, x: acc + x, e), lambda e: e.sum(axis=0), rows)

    # ----------------------------------------------------------------- ctc
    def test_ctc_batch_cost(self, K):
        # rtol 1e-4: backends may add a small epsilon inside the log (Keras adds 1e-8) and the
        # forward recursion accumulates float32 rounding.
        out = check(K, K.ctc_batch_cost, R.ctc_batch_cost, *ctc_inputs(), rtol=1e-4)
        assert out.shape == (3, 1)

    def test_ctc_batch_cost_gradient(self, K):
        # Through a softmax (as models use it), so the check does not depend on whether a
        # backend renormalizes y_pred.
        y_true, y_pred, input_length, label_length = ctc_inputs()
        logits = np.log(y_pred)
        check_gradient(K, lambda z, t, i, l: K.ctc_batch_cost(t, K.softmax(z), i, l),
                       lambda z, t, i, l: R.ctc_batch_cost(t, R.softmax(z), i, l),
                       logits, y_true, input_length, label_length)

    def _decode_paths(self, K, y_pred, input_length, **kwargs):
        """ctc_decode evaluated: (the list of decoded arrays, the log probabilities)."""
        def fn(y, i):
            decoded, log_prob = K.ctc_decode(y, i, **kwargs)
            assert isinstance(decoded, list)
            return decoded + [log_prob]
        values = evaluate(K, fn, y_pred, input_length)
        return values[:-1], values[-1]

    def _decode(self, K, y_pred, input_length, **kwargs):
        decoded, log_prob = self._decode_paths(K, y_pred, input_length, **kwargs)
        assert len(decoded) == 1
        return decoded[0], log_prob

    def _check_decoded(self, decoded, expected):
        # Decision: sequences padded with -1 to the longest one (any extra columns are -1).
        width = max(len(s) for s in expected)
        padded = np.array([s + [-1] * (width - len(s)) for s in expected])
        assert decoded.shape[0] == len(expected) and decoded.shape[1] >= width
        np.testing.assert_array_equal(decoded[:, :width], padded)
        assert np.all(decoded[:, width:] == -1)

    def test_ctc_decode(self, K):
        b = 3  # blank
        best = [[0, 0, b, 1, 1], [2, 2, b, 1, 1]]  # sample 1: steps 3 and 4 are past its length
        y_pred = np.full((2, 5, 4), 0.1)
        for i, path in enumerate(best):
            y_pred[i, np.arange(5), path] = 0.7
        input_length = np.array([[5], [3]])
        decoded, log_prob = self._decode(K, y_pred, input_length)
        self._check_decoded(decoded, [[0, 1], [2]])  # repeats merged, blanks dropped
        # Decision: log_prob is the best path's log probability (<= 0).
        want_decoded, want_log_prob = R.ctc_best_path(y_pred, input_length)
        assert want_decoded == [[0, 1], [2]]
        assert_close(log_prob, want_log_prob, rtol=1e-4)

    def test_ctc_decode_beam_search(self, K):
        # Two steps of P(0) = 0.4, P(blank) = 0.6: the best path is blank-blank (0.36), but
        # the label "0" has 0.4 * 0.4 + 2 * 0.4 * 0.6 = 0.64.
        y_pred = np.array([[[0.4, 0.6], [0.4, 0.6]], [[0.9, 0.1], [0.9, 0.1]]])
        input_length = np.array([[2], [2]])
        decoded, log_prob = self._decode(K, y_pred, input_length, greedy=False, beam_width=10)
        self._check_decoded(decoded, [[0], [0]])
        assert_close(log_prob, np.log([[0.64], [0.99]]), rtol=1e-4)
        greedy, greedy_log_prob = self._decode(K, y_pred, input_length)
        self._check_decoded(greedy, [[], [0]])
        assert_close(greedy_log_prob, np.log([[0.36], [0.81]]), rtol=1e-4)

    def test_ctc_decode_top_paths(self, K):
        # One label (0) and the blank. Sample 0, three steps: P("0") = .688 (six paths),
        # P("0 0") = .216 (only 0-blank-0), P("") = .096; sample 1 stops after two steps:
        # P("0") = .76, P("") = .24 ("0 0" needs three steps).
        y_pred = np.array([[[0.6, 0.4], [0.4, 0.6], [0.6, 0.4]]] * 2)
        input_length = np.array([[3], [2]])
        decoded, log_prob = self._decode_paths(K, y_pred, input_length, greedy=False,
                                               top_paths=2)
        assert len(decoded) == 2
        self._check_decoded(decoded[0], [[0], [0]])
        self._check_decoded(decoded[1], [[0, 0], []])
        assert_close(log_prob, np.log([[0.688, 0.216], [0.76, 0.24]]), rtol=1e-4)
        want_decoded, want_log_prob = R.ctc_beam_decode(y_pred, input_length, 100, 2)
        assert want_decoded == [[[0], [0]], [[0, 0], []]]
        assert_close(log_prob, want_log_prob, rtol=1e-4)

    def test_ctc_decode_beam_search_reference(self, K):
        # Three labels, input_length shorter than the time axis; a beam wide enough to keep
        # every prefix, and a narrow one that prunes, against the numpy prefix beam search.
        y_pred = R.softmax(2 * rng(7).randn(3, 6, 4))
        input_length = np.array([[6], [4], [5]])
        for beam_width, top_paths in [(100, 3), (2, 2)]:
            decoded, log_prob = self._decode_paths(K, y_pred, input_length, greedy=False,
                                                   beam_width=beam_width, top_paths=top_paths)
            want_decoded, want_log_prob = R.ctc_beam_decode(y_pred, input_length, beam_width,
                                                            top_paths)
            assert len(decoded) == top_paths
            for got, want in zip(decoded, want_decoded):
                self._check_decoded(got, want)
            assert_close(log_prob, want_log_prob, rtol=1e-4)

    def test_ctc_decode_arguments(self, K):
        y = K.placeholder(shape=(None, 3, 2))
        length = K.placeholder(shape=(None, 1), dtype='int32')
        decoded, log_prob = K.ctc_decode(y, length, top_paths=3)  # greedy: one path
        assert len(decoded) == 1
        with pytest.raises(ValueError, match='beam_width must be an int >= top_paths'):
            K.ctc_decode(y, length, greedy=False, beam_width=2, top_paths=3)
        with pytest.raises(ValueError, match='top_paths must be a positive int'):
            K.ctc_decode(y, length, greedy=False, top_paths=0)

    def test_ctc_decode_dictionary(self, K):
        # With dict_values, the dictionary entry of highest CTC probability wins.
        y_pred = np.array([[[0.5, 0.1, 0.4], [0.1, 0.5, 0.4], [0.5, 0.1, 0.4]],
                           [[0.1, 0.6, 0.3], [0.2, 0.2, 0.6], [0.1, 0.6, 0.3]]])
        input_length = np.array([[3], [3]])
        entries = [[0], [1, 0], [1, 1]]
        decoded, log_prob = self._decode(K, y_pred, input_length, greedy=False,
                                         dict_seq_lens=[1, 2, 2], dict_values=entries)
        # P: sample 0: [0] .241, [1, 0] .154, [1, 1] .004 (best path 0 1 0 is not an entry);
        # sample 1: [0] .068, [1, 0] .102, [1, 1] .216.
        self._check_decoded(decoded, [[0], [1, 1]])
        want = [[R.ctc_log_likelihood(y_pred[0], [0])], [R.ctc_log_likelihood(y_pred[1], [1, 1])]]
        assert_close(log_prob, np.array(want), rtol=1e-4)
        decoded, log_prob = self._decode_paths(K, y_pred, input_length, greedy=False,
                                               dict_values=entries, top_paths=2)
        self._check_decoded(decoded[0], [[0], [1, 1]])
        self._check_decoded(decoded[1], [[1, 0], [1, 0]])
        want = [[R.ctc_log_likelihood(y_pred[i], e) for e in best]
                for i, best in enumerate([[[0], [1, 0]], [[1, 1], [1, 0]]])]
        assert_close(log_prob, np.array(want), rtol=1e-4)
