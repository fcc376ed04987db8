"""The loops with ``K.call_async``: predict copies each batch's outputs after calling the
next batch, fit selects the next batch while a step computes; the same predictions,
losses and weights as plain calls batch by batch. The protocol's default hook is the plain
call."""
import numpy as np
import pytest

from kcore import backend as K
from kcore.backend.protocol import Backend
from kcore.callbacks import Callback
from kcore.engine.training import array_loops
from kcore.engine.training.functions import BatchFunction
from kcore.layers import Dense, Input
from kcore.models import Model, Sequential


def two_output_model():
    inputs = Input(shape=(6,))
    hidden = Dense(5, activation='tanh')(inputs)
    return Model(input=inputs, output=[Dense(3, activation='softmax')(hidden),
                                        Dense(1)(hidden)])


def plain_predictions(model, x, batch_size):
    """The outputs of plain calls of the predict function, batch by batch, concatenated."""
    function = model._make_predict_function()
    batches = [function([x[start:start + batch_size]])
               for start in range(0, len(x), batch_size)]
    return [np.concatenate([b[i] for b in batches]) for i in range(len(batches[0]))]


@pytest.mark.parametrize('count,batch_size', [(23, 5), (20, 5), (7, 50), (1, 1), (9, 9)])
def test_predictions_equal_plain_calls(count, batch_size):
    model = two_output_model()
    x = np.random.RandomState(count).uniform(-1, 1, size=(count, 6)).astype('float32')
    got = model.predict(x, batch_size=batch_size)
    want = plain_predictions(model, x, batch_size)
    assert len(got) == 2
    for g, w in zip(got, want):
        assert g.dtype == w.dtype and g.shape == w.shape
        np.testing.assert_array_equal(g, w)


def test_verbose_predict_reaches_every_sample(capsys):
    model = two_output_model()
    x = np.random.RandomState(3).uniform(-1, 1, size=(23, 6)).astype('float32')
    got = model.predict(x, batch_size=5, verbose=1)
    out = capsys.readouterr().out
    assert '23/23' in out
    for g, w in zip(got, plain_predictions(model, x, 5)):
        np.testing.assert_array_equal(g, w)


class Lazy:
    """An output that logs when numpy converts it."""

    def __init__(self, log, value):
        self.log, self.value = log, value

    def __array__(self, dtype=None, copy=None):
        self.log.append(('read', int(self.value[0, 0])))
        return self.value


class Recorder:
    """A predict function whose outputs are read later: logs calls and conversions."""

    def __init__(self):
        self.log = []

    def call_async(self, arrays):
        x, = arrays
        self.log.append(('call', int(x[0, 0])))
        return [Lazy(self.log, x * 2), Lazy(self.log, x[:, :1] + 0.5)]


def test_each_batch_is_read_after_the_next_call():
    x = np.arange(22, dtype='float32').reshape(11, 2)
    recorder = Recorder()
    doubled, plus = array_loops.predict_loop(recorder, [x], 11, 4)
    np.testing.assert_array_equal(doubled, x * 2)
    np.testing.assert_array_equal(plus, x[:, :1] + 0.5)
    # Batches start at rows 0, 4 and 8 (x[row, 0] = 2 * row); reads: doubled, then plus.
    assert recorder.log == [('call', 0), ('call', 8), ('read', 0), ('read', 0),
                            ('call', 16), ('read', 16), ('read', 8), ('read', 32), ('read', 16)]


def test_empty_input_gives_empty_outputs():
    model = two_output_model()
    got = model.predict(np.zeros((0, 6), 'float32'), batch_size=4)
    assert [g.shape for g in got] == [(0, 3), (0, 1)]


def test_default_hook_is_the_plain_call():
    calls = []

    def function(arrays):
        calls.append(arrays)
        return ['as', 'returned']
    arrays = [np.ones(2)]
    # Backend's own method, whatever the current backend overrides.
    assert Backend.call_async(K, function, arrays) == ['as', 'returned']
    assert calls == [arrays]


def test_fit_steps_between_callbacks_on_the_epochs_batches(monkeypatch):
    """fit: each step between its callbacks, on the batches of the epoch's permutation,
    its logged loss and the trained weights those of plain calls on the same batches."""
    model = Sequential([Dense(4, activation='tanh', input_dim=3),
                        Dense(2, activation='softmax')])
    model.compile('sgd', 'categorical_crossentropy')
    initial = model.get_weights()
    rng = np.random.RandomState(0)
    x = rng.uniform(-1, 1, size=(23, 3)).astype('float32')
    y = np.eye(2, dtype='float32')[rng.randint(2, size=23)]
    events, fed = [], []
    original = BatchFunction.call_async

    def spy(self, arrays):
        events.append('call')
        fed.append([np.array(a) for a in arrays])
        return original(self, arrays)
    monkeypatch.setattr(BatchFunction, 'call_async', spy)

    class Log(Callback):
        def on_batch_begin(self, batch, logs=None):
            events.append('begin')

        def on_batch_end(self, batch, logs=None):
            events.append(('end', logs['loss']))
    np.random.seed(7)
    model.fit(x, y, batch_size=5, nb_epoch=2, verbose=0, callbacks=[Log()])
    trained = model.get_weights()
    np.random.seed(7)
    batches = (array_loops.epoch_batches(23, 5, True) + array_loops.epoch_batches(23, 5, True))
    assert len(fed) == len(batches) == 10
    for arrays, rows in zip(fed, batches):
        np.testing.assert_array_equal(arrays[0], x[rows])
        np.testing.assert_array_equal(arrays[1], y[rows])
    assert [e if e == 'begin' or e == 'call' else 'end' for e in events] == \
        ['begin', 'call', 'end'] * 10
    model.set_weights(initial)
    function = model._make_train_function()
    losses = [function(arrays)[0] for arrays in fed]
    logged = [e[1] for e in events if isinstance(e, tuple)]
    assert [type(v) for v in logged] == [type(v) for v in losses]
    np.testing.assert_array_equal(logged, losses)
    for got, want in zip(trained, model.get_weights()):
        np.testing.assert_array_equal(got, want)
