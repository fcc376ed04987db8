"""fit with callbacks and files: the params callbacks receive, stop_training (EarlyStopping),
ModelCheckpoint when a write fails, model.save in the middle of training then load_model
and continue, stateful models, and the progress output."""
import warnings

import numpy as np
import pytest

from kcore import backend as K
from kcore.callbacks import Callback, EarlyStopping, ModelCheckpoint
from kcore.engine.saving import model_files
from kcore.layers import Dense, LSTM
from kcore.models import Sequential, load_model
from kcore.optimizers import SGD
from kcore_test_helpers.training import fresh_graph, linear_model  # noqa: F401

RNG = np.random.RandomState(0)
X = RNG.rand(20, 3).astype('float32')
Y = X @ np.array([[1.], [-2.], [0.5]], dtype='float32') + 0.3


class Recorder(Callback):
    def on_train_begin(self, logs=None):
        self.batches, self.epochs = [], []

    def on_batch_end(self, batch, logs=None):
        self.batches.append(dict(logs))

    def on_epoch_end(self, epoch, logs=None):
        self.epochs.append(dict(logs))


def test_callbacks_receive_the_training_params_and_logs():
    model = linear_model()
    model.compile('sgd', 'mse', metrics=['mae'])
    recorder = Recorder()
    model.fit(X, Y, batch_size=8, nb_epoch=2, verbose=0, validation_split=0.25,
              callbacks=[recorder])
    assert recorder.params == {'batch_size': 8, 'nb_epoch': 2, 'nb_sample': 15, 'verbose': 0,
                               'do_validation': True,
                               'metrics': ['loss', 'mean_absolute_error', 'val_loss',
                                           'val_mean_absolute_error']}
    assert recorder.model is model and recorder.validation_data is not None
    assert [b['size'] for b in recorder.batches] == [8, 7] * 2
    assert set(recorder.batches[0]) == {'batch', 'size', 'loss', 'mean_absolute_error'}
    assert set(recorder.epochs[0]) == {'loss', 'mean_absolute_error', 'val_loss',
                                       'val_mean_absolute_error'}


def test_early_stopping_ends_training():
    """FAQ L2311-2321."""
    model = linear_model()
    model.compile(SGD(lr=0.), 'mse')                  # the loss never improves
    early_stopping = EarlyStopping(monitor='val_loss', patience=2)
    history = model.fit(X, Y, nb_epoch=20, validation_split=0.2, callbacks=[early_stopping],
                        verbose=0)
    assert history.epoch == [0, 1, 2, 3] and early_stopping.stopped_epoch == 3


def test_stop_training_set_by_a_batch_hook_ends_the_epoch_there():
    model = linear_model()
    model.compile('sgd', 'mse')

    class StopAtThirdBatch(Recorder):
        def on_batch_end(self, batch, logs=None):
            super().on_batch_end(batch, logs)
            self.model.stop_training = batch == 2

    stopper = StopAtThirdBatch()
    history = model.fit(X, Y, batch_size=2, nb_epoch=5, callbacks=[stopper], verbose=0)
    assert len(stopper.batches) == 3 and history.epoch == [0]


def test_a_failed_checkpoint_write_leaves_the_previous_checkpoint(tmp_path, monkeypatch):
    folder = tmp_path / 'checkpoints'
    folder.mkdir()
    path = str(folder / 'weights.h5')
    model = linear_model()
    model.compile('sgd', 'mse')
    model.fit(X, Y, nb_epoch=1, callbacks=[ModelCheckpoint(path)], verbose=0)
    saved = model.get_weights()

    def broken(model, group):
        group.create_group('half_written')
        raise OSError('disk full')

    monkeypatch.setattr(model_files, '_write_model_weights', broken)
    with pytest.raises(OSError, match='disk full'):
        model.fit(X, Y, nb_epoch=1, callbacks=[ModelCheckpoint(path)], verbose=0)
    monkeypatch.undo()
    assert list(folder.iterdir()) == [folder / 'weights.h5']   # no temporary file left
    K.clear_session()
    for a, b in zip(load_model(path).get_weights(), saved):
        np.testing.assert_array_equal(a, b)


def _regression_model(weights=None):
    model = Sequential([Dense(4, input_dim=3, activation='tanh'), Dense(1)])
    if weights is not None:
        model.set_weights(weights)
    model.compile(SGD(lr=0.05, momentum=0.9, decay=0.01), 'mse')
    return model


def test_save_in_the_middle_of_training_then_load_and_continue(tmp_path):
    """The loss curve continues as if training had not been interrupted."""
    path = str(tmp_path / 'halfway.h5')
    first = _regression_model()
    initial = first.get_weights()
    halves = first.fit(X, Y, batch_size=5, nb_epoch=3, shuffle=False, verbose=0).history['loss']
    first.save(path)
    K.clear_session()
    resumed = load_model(path)
    assert resumed.optimizer.get_config()['decay'] == pytest.approx(0.01)
    halves += resumed.fit(X, Y, batch_size=5, nb_epoch=6, initial_epoch=3, shuffle=False,
                          verbose=0).history['loss']
    after_resume = resumed.get_weights()
    K.clear_session()
    straight = _regression_model(initial)
    whole = straight.fit(X, Y, batch_size=5, nb_epoch=6, shuffle=False, verbose=0)
    np.testing.assert_allclose(halves, whole.history['loss'], rtol=1e-5)
    for a, b in zip(after_resume, straight.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5)


def test_stateful_model_keeps_states_across_batches_until_reset():
    """FAQ L2345-2389: fit, predict and train_on_batch carry the states over."""
    model = Sequential([LSTM(4, batch_input_shape=(2, 3, 1), stateful=True), Dense(1)])
    model.compile('sgd', 'mse')
    x = np.random.rand(4, 3, 1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        model.fit(x, np.ones((4, 1)), batch_size=2, nb_epoch=1, verbose=0)
    assert any('stateful' in str(w.message) and 'shuffle=False' in str(w.message)
               for w in caught)
    model.fit(x, np.ones((4, 1)), batch_size=2, nb_epoch=1, shuffle=False, verbose=0)
    model.reset_states()
    fresh = model.predict(x[:2], batch_size=2)
    carried = model.predict(x[:2], batch_size=2)
    assert not np.allclose(fresh, carried)
    model.reset_states()
    np.testing.assert_allclose(model.predict(x[:2], batch_size=2), fresh, rtol=1e-5)


def test_progress_output(capsys):
    model = linear_model()
    model.compile('sgd', 'mse')
    model.fit(X, Y, batch_size=10, nb_epoch=2, validation_split=0.5, verbose=2)
    out = capsys.readouterr().out
    assert 'Train on 10 samples, validate on 10 samples' in out
    assert 'Epoch 2/2' in out and 'val_loss' in out
    model.evaluate(X, Y, batch_size=10, verbose=1)
    assert '20/20 [====' in capsys.readouterr().out
