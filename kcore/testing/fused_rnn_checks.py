"""What every backend with fused GRU and SimpleRNN kernels checks about them: the layers run
them (with recurrent dropout, in every ``consume_less`` mode), they give the layers' own
step loop's results, the switches turn them off and a failed build falls back. A plugin
subclasses :class:`FusedRnnChecks` in a test module (class name ``Test...``) and fills in
how to see its kernels in a graph. (K.gru / K.simple_rnn values and gradients against
numpy: the conformance suite's test_gru*, test_simple_rnn*.)"""
import numpy as np
import pytest

from kcore import backend as K
from kcore.layers import Embedding, GRU, SimpleRNN
from kcore.layers.recurrent import _dense_base, base
from kcore.models import Sequential


def fixed_masks(ones, rate, count):
    """Dropout masks fixed by the rate (not by the call order, which differs between the
    fused and the step paths) for a batch of 4; all ones in the test phase, as the layers'
    own."""
    if not 0 < rate < 1:
        return []
    units = K.int_shape(ones)[1]
    return [K.in_train_phase(
        K.constant((np.random.RandomState(int(rate * 100) + i).rand(4, units) > rate)
                   / (1 - rate)) * ones, ones) for i in range(count)]


def layer_outputs(cell, **arguments):
    x = K.placeholder(shape=(4, 9, 8))
    return x, cell(5, return_sequences=True, **arguments)(x)


class FusedRnnChecks:
    """Subclass with ``switches`` ({GRU: variable, SimpleRNN: variable}), ``shape_error``
    (the exception a kernel raises on wrong shapes, and how it says that the dropout mask
    of a GRU of 2 samples and 2 units is wrong) and the methods below that raise
    NotImplementedError."""

    switches = {}
    shape_error = (Exception, '')

    def uses(self, tensor, cell, gradient=False):
        """Whether ``tensor`` is computed with the fused kernel of the layer class ``cell``
        (its gradient kernel with ``gradient``)."""
        raise NotImplementedError

    def break_build(self, monkeypatch):
        """Make the next load of the kernels' library fail with 'no compiler here' (as
        fresh as a first use); return a phrase of the warning it then gives."""
        raise NotImplementedError

    @pytest.mark.parametrize('cell', (GRU, SimpleRNN))
    @pytest.mark.parametrize('consume_less', ('cpu', 'mem', 'gpu'))
    def test_layers_run_the_kernel_and_its_gradient(self, cell, consume_less):
        x, outputs = layer_outputs(cell, consume_less=consume_less, dropout_U=0.3,
                                   dropout_W=0.2)
        assert self.uses(outputs, cell)
        assert self.uses(K.gradients(K.sum(outputs), [x])[0], cell, gradient=True)

    @pytest.mark.parametrize('cell, arguments', [
        (GRU, {'consume_less': 'cpu', 'dropout_U': 0.3, 'dropout_W': 0.2}),
        (GRU, {'consume_less': 'mem', 'dropout_U': 0.3, 'go_backwards': True}),
        (GRU, {'consume_less': 'gpu', 'dropout_U': 0.3, 'dropout_W': 0.2,
               'inner_activation': 'sigmoid'}),
        (SimpleRNN, {'dropout_U': 0.3, 'dropout_W': 0.2, 'activation': 'relu'}),
        (SimpleRNN, {'dropout_U': 0.4, 'go_backwards': True, 'consume_less': 'mem'}),
    ])
    def test_fused_matches_the_step_loop(self, cell, arguments, monkeypatch):
        """Predictions, a training step's loss and the trained weights of a masked model."""
        monkeypatch.setattr(_dense_base, 'dropout_masks', fixed_masks)
        tokens = np.random.RandomState(0).randint(0, 30, size=(4, 9))
        tokens[0, :4] = 0                       # padding: masked first steps
        targets = np.random.RandomState(1).rand(4, 9, 5)

        def model():
            built = Sequential([Embedding(30, 8, input_length=9, mask_zero=True),
                                cell(5, return_sequences=True, **arguments)])
            built.compile('sgd', 'mse')
            return built

        fused = model()
        assert self.uses(fused.layers[-1].output, cell)
        monkeypatch.setattr(cell, 'recur', base.Recurrent.recur)   # the layer's own steps
        generic = model()
        assert not self.uses(generic.layers[-1].output, cell)
        generic.set_weights(fused.get_weights())
        results = [[m.predict(tokens, batch_size=4), m.train_on_batch(tokens, targets)]
                   + m.get_weights() for m in (fused, generic)]
        for got, want in zip(*results):
            np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)

    @pytest.mark.parametrize('cell', (GRU, SimpleRNN))
    def test_switched_off(self, cell, monkeypatch):
        monkeypatch.setenv(self.switches[cell], '0')
        assert not self.uses(layer_outputs(cell)[1], cell)
        other = SimpleRNN if cell is GRU else GRU
        assert self.uses(layer_outputs(other)[1], other)

    def test_a_failed_build_warns_once_and_falls_back(self, monkeypatch):
        phrase = self.break_build(monkeypatch)
        with pytest.warns(RuntimeWarning, match='no compiler here') as warned:
            outputs = [(cell, layer_outputs(cell)[1]) for cell in (GRU, SimpleRNN, GRU)]
        assert len([w for w in warned if phrase in str(w.message)]) == 1
        assert not any(self.uses(o, cell) for cell, o in outputs)

    def test_shape_errors_name_the_shapes(self):
        x, kernel, h, drop = [K.placeholder(shape=(None,) * n) for n in (3, 2, 2, 2)]
        outputs = K.gru(x, kernel, [h], 'tanh', 'sigmoid', dropout=drop)[1]
        f = K.function([x, kernel, h, drop], [outputs])
        arrays = [np.zeros((2, 3, 6), 'f'), np.zeros((2, 6), 'f'), np.zeros((2, 2), 'f'),
                  np.zeros((2, 4), 'f')]
        error, dropout_message = self.shape_error
        with pytest.raises(error, match=dropout_message):
            f(arrays)
        arrays[3] = np.zeros((2, 2), 'f')
        arrays[1] = np.zeros((2, 4), 'f')
        with pytest.raises(error, match='recurrent kernel must be'):
            f(arrays)
