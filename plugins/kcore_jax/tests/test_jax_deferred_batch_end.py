"""fit leaves a batch's ``on_batch_end`` until the next step is dispatched (kcore-jax's
steps compute asynchronously): the same losses, weights and logs as ending each batch at
once (``KCORE_DEFER_BATCH_END=0``), with dropout on and off; a callback with its own batch
hook turns it off."""
import itertools

import numpy as np
import pytest

from kcore.callbacks import Callback, LambdaCallback
from kcore.engine.training import array_loops
from kcore.layers import Dense, Dropout
from kcore.models import Sequential
from kcore.optimizers import RMSprop
from kcore_jax import nn

END_BATCH, DEFERS = array_loops._end_batch, array_loops._BatchEnds.defers


def _fit(K, monkeypatch, defer, rate, callbacks=(), nb_epoch=2):
    """Train a small model from fixed weights, data and dropout masks; return the batch
    logs in the order their on_batch_end ran, whether each step was deferred, the epoch
    losses and the weights."""
    monkeypatch.setenv('KCORE_DEFER_BATCH_END', '1' if defer else '0')
    K.clear_session()
    # The same dropout masks in every run: the same call counter and dropout node ids.
    K._counter = itertools.count()
    monkeypatch.setattr(nn, '_uid_counter', itertools.count())
    np.random.seed(3)
    model = Sequential([Dense(16, activation='relu', input_dim=8), Dropout(rate),
                        Dense(3, activation='softmax')])
    model.compile(RMSprop(lr=0.01), 'categorical_crossentropy')
    x = np.random.rand(70, 8).astype('float32')
    y = np.eye(3, dtype='float32')[np.random.randint(3, size=70)]
    ends, deferred = [], []

    def spy_end(callback_list, index, logs, names, values):
        END_BATCH(callback_list, index, logs, names, values)
        ends.append(dict(logs))

    def spy_defers(self, values):
        deferred.append(DEFERS(self, values))
        return deferred[-1]
    monkeypatch.setattr(array_loops, '_end_batch', spy_end)
    monkeypatch.setattr(array_loops._BatchEnds, 'defers', spy_defers)
    history = model.fit(x, y, batch_size=16, nb_epoch=nb_epoch, verbose=0,
                        callbacks=list(callbacks))
    return ends, deferred, history.history['loss'], model.get_weights()


@pytest.mark.parametrize('rate', [0.0, 0.3])
def test_deferred_batch_ends_match_immediate_ones(K, monkeypatch, rate):
    ends, deferred, losses, weights = _fit(K, monkeypatch, True, rate)
    assert deferred == [True] * 10     # 5 batches in each of 2 epochs
    ref_ends, ref_deferred, ref_losses, ref_weights = _fit(K, monkeypatch, False, rate)
    assert ref_deferred == [False] * 10
    assert [e['batch'] for e in ends] == [0, 1, 2, 3, 4] * 2
    assert [e['size'] for e in ends] == [16, 16, 16, 16, 6] * 2
    for got, want in zip(ends, ref_ends):
        assert isinstance(got['loss'], (np.ndarray, np.generic))
        np.testing.assert_allclose(got['loss'], want['loss'], rtol=1e-6)
    np.testing.assert_allclose(losses, ref_losses, rtol=1e-6)
    for got, want in zip(weights, ref_weights):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)


def test_a_batch_hook_of_its_own_ends_each_batch_at_once(K, monkeypatch):
    class StopAtThird(Callback):
        def __init__(self):
            self.seen = []

        def on_batch_end(self, batch, logs=None):
            self.seen.append((batch, type(logs['loss'])))
            if batch == 2:
                self.model.stop_training = True
    stop = StopAtThird()
    ends, deferred, losses, _ = _fit(K, monkeypatch, True, 0.3, [stop], nb_epoch=3)
    assert deferred == [False] * 3
    assert [b for b, _ in stop.seen] == [0, 1, 2]
    assert all(issubclass(t, (np.ndarray, np.generic)) for _, t in stop.seen)
    assert len(losses) == 1


def test_lambda_callbacks_defer_only_without_batch_hooks(K, monkeypatch):
    epochs = []
    _, deferred, _, _ = _fit(K, monkeypatch, True, 0.3,
                             [LambdaCallback(on_epoch_end=lambda e, logs: epochs.append(e))])
    assert deferred == [True] * 10 and epochs == [0, 1]
    batches = []
    _, deferred, _, _ = _fit(K, monkeypatch, True, 0.3,
                             [LambdaCallback(on_batch_end=lambda b, logs: batches.append(b))])
    assert deferred == [False] * 10 and batches == [0, 1, 2, 3, 4] * 2
