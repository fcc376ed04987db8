"""ModelCheckpoint, EarlyStopping, LearningRateScheduler, ReduceLROnPlateau, RemoteMonitor."""
import http.server
import json
import socket
import threading
import urllib.parse

import numpy as np
import pytest

from kcore_test_helpers.callbacks import FakeModel, numpy_backend, run_epochs  # noqa: F401
from kcore import backend as K
from kcore.callbacks import (EarlyStopping, History, LambdaCallback, LearningRateScheduler,
                             ModelCheckpoint, ReduceLROnPlateau, RemoteMonitor)


def losses(*values, key='val_loss'):
    return [{key: v} for v in values]


# ---------------------------------------------------------------- ModelCheckpoint
def test_checkpoint_fills_the_filepath_from_the_epoch_and_the_logs(tmp_path):
    model = FakeModel(lr=None)
    checkpoint = ModelCheckpoint(str(tmp_path / 'weights.{epoch:02d}-{val_loss:.2f}.hdf5'))
    run_epochs([checkpoint], model, losses(0.5, 0.4))
    # Epochs are counted from 0 in the file name, as in Keras 1.
    assert model.saved == [('model', str(tmp_path / 'weights.00-0.50.hdf5')),
                           ('model', str(tmp_path / 'weights.01-0.40.hdf5'))]


def test_checkpoint_save_weights_only_uses_save_weights(tmp_path):
    model = FakeModel(lr=None)
    run_epochs([ModelCheckpoint(str(tmp_path / 'w.h5'), save_weights_only=True)], model,
               losses(0.5))
    assert model.saved == [('weights', str(tmp_path / 'w.h5'))]


def test_checkpoint_names_a_format_field_missing_from_the_logs(tmp_path):
    checkpoint = ModelCheckpoint(str(tmp_path / 'w.{val_acc:.2f}.h5'))
    with pytest.raises(ValueError, match=r'\{val_acc\}.*available: epoch, val_loss'):
        run_epochs([checkpoint], FakeModel(lr=None), losses(0.5))


@pytest.mark.parametrize('monitor, mode, saved_epochs', [
    ('val_loss', 'min', [0, 2]),
    ('val_loss', 'auto', [0, 2]),
    ('val_loss', 'max', [0, 1]),
    ('val_acc', 'auto', [0, 1]),       # 'acc' in the name: higher is better
    ('val_acc', 'max', [0, 1]),
])
def test_checkpoint_save_best_only_follows_the_mode(tmp_path, monitor, mode, saved_epochs):
    model = FakeModel(lr=None)
    checkpoint = ModelCheckpoint(str(tmp_path / 'best.{epoch}.h5'), monitor=monitor,
                                 save_best_only=True, mode=mode)
    run_epochs([checkpoint], model, losses(0.5, 0.6, 0.4, key=monitor))
    assert [path for _, path in model.saved] == [str(tmp_path / ('best.%d.h5' % e))
                                                 for e in saved_epochs]


def test_checkpoint_refuses_an_unknown_mode():
    with pytest.raises(ValueError, match="'auto', 'min', 'max'"):
        ModelCheckpoint('w.h5', mode='minimum')


def test_checkpoint_period_saves_every_nth_epoch(tmp_path):
    model = FakeModel(lr=None)
    run_epochs([ModelCheckpoint(str(tmp_path / 'w.{epoch}.h5'), period=2)], model,
               losses(4, 3, 2, 1, 0))
    assert [path for _, path in model.saved] == [str(tmp_path / 'w.1.h5'),
                                                 str(tmp_path / 'w.3.h5')]


def test_checkpoint_warns_when_the_monitored_value_is_missing(tmp_path):
    model = FakeModel(lr=None)
    checkpoint = ModelCheckpoint(str(tmp_path / 'w.h5'), save_best_only=True)
    with pytest.warns(RuntimeWarning, match="'val_loss'.*available: loss"):
        run_epochs([checkpoint], model, losses(0.5, key='loss'))
    assert model.saved == []


def test_a_failing_save_leaves_the_previous_checkpoint_and_the_best_value(tmp_path):
    model = FakeModel(lr=None)
    path = tmp_path / 'best.h5'
    checkpoint = ModelCheckpoint(str(path), save_best_only=True)
    run_epochs([checkpoint], model, losses(0.5))
    before = path.read_bytes()
    model.fail_saves = True
    with pytest.raises(OSError, match='disk full'):
        checkpoint.on_epoch_end(1, {'val_loss': 0.4})
    assert path.read_bytes() == before          # the callback touched nothing itself
    assert checkpoint.best == 0.5               # not improved: the next epoch retries
    model.fail_saves = False
    checkpoint.on_epoch_end(2, {'val_loss': 0.45})
    assert checkpoint.best == 0.45 and path.read_text() == 'model 1'


def test_checkpoint_verbose_says_what_it_does(tmp_path, capsys):
    path = str(tmp_path / 'w.h5')
    run_epochs([ModelCheckpoint(path, verbose=1, save_best_only=True)], FakeModel(lr=None),
               losses(0.5, 0.6))
    assert capsys.readouterr().out == (
        'Epoch 00000: val_loss improved from inf to 0.50000, saving model to %s\n'
        'Epoch 00001: val_loss did not improve\n' % path)


# ------------------------------------------------------------------ EarlyStopping
@pytest.mark.parametrize('values, patience, min_delta, epochs_run', [
    ((1.0, 0.9, 0.95, 0.8), 0, 0, 3),        # stops at the first epoch without progress
    ((1.0, 1.1, 1.2, 1.3, 0.5), 2, 0, 4),    # tolerates 2 such epochs, stops on the 3rd
    ((1.0, 1.1, 0.9, 1.0, 1.0, 1.0), 1, 0, 5),   # an improvement resets the count
    ((1.0, 0.95, 0.92), 0, 0.1, 2),          # improving by less than min_delta is not enough
    ((1.0, 0.85, 0.7, 0.55), 0, 0.1, 4),     # each step beats min_delta: no stop
])
def test_early_stopping_patience_and_min_delta(values, patience, min_delta, epochs_run):
    model = FakeModel(lr=None)
    stopper = EarlyStopping(patience=patience, min_delta=min_delta)
    assert len(run_epochs([stopper], model, losses(*values))) == epochs_run
    assert model.stop_training == (epochs_run < len(values))


@pytest.mark.parametrize('monitor, mode, epochs_run', [
    ('val_acc', 'auto', 3), ('val_acc', 'max', 3), ('val_acc', 'min', 2),
    ('val_loss', 'max', 3),
])
def test_early_stopping_modes(monitor, mode, epochs_run):
    values = losses(0.5, 0.6, 0.55, 0.7, key=monitor)
    assert len(run_epochs([EarlyStopping(monitor, mode=mode)], FakeModel(lr=None),
                          values)) == epochs_run


def test_early_stopping_without_the_monitored_value_warns_and_goes_on():
    model = FakeModel(lr=None)
    with pytest.warns(RuntimeWarning, match='EarlyStopping monitors'):
        assert len(run_epochs([EarlyStopping()], model, losses(1, 2, 3, key='loss'))) == 3
    assert not model.stop_training


def test_early_stopping_starts_afresh_for_each_training(capsys):
    stopper = EarlyStopping(patience=0, verbose=1)
    assert len(run_epochs([stopper], FakeModel(lr=None), losses(0.5, 0.6))) == 2
    assert len(run_epochs([stopper], FakeModel(lr=None), losses(0.9, 0.8, 0.85))) == 3
    assert stopper.stopped_epoch == 2
    assert capsys.readouterr().out == 'Epoch 00001: early stopping\nEpoch 00002: early stopping\n'


# ---------------------------------------------------------- LearningRateScheduler
def _lr_seen_each_epoch(model):
    seen = []
    recorder = LambdaCallback(
        on_epoch_begin=lambda epoch, logs: seen.append(float(K.get_value(model.optimizer.lr))))
    return seen, recorder


def test_scheduler_sets_the_rate_from_the_epoch_index(numpy_backend):
    model = FakeModel(lr=1.0)
    seen, recorder = _lr_seen_each_epoch(model)
    scheduler = LearningRateScheduler(lambda epoch: 0.1 / (epoch + 1))
    run_epochs([scheduler, recorder], model, losses(1, 1, 1))
    assert seen == pytest.approx([0.1, 0.05, 0.1 / 3])


def test_scheduler_accepts_an_int_and_numpy_floats(numpy_backend):
    model = FakeModel(lr=1.0)
    run_epochs([LearningRateScheduler(lambda epoch: [1, np.float32(0.5)][epoch])], model,
               losses(1, 1))
    assert float(K.get_value(model.optimizer.lr)) == 0.5


@pytest.mark.parametrize('returned', [None, '0.1', [0.1], True])
def test_scheduler_refuses_a_schedule_that_does_not_return_a_float(numpy_backend, returned):
    with pytest.raises(ValueError, match='must return the learning rate as a float; for '
                                         'epoch 0 it returned'):
        run_epochs([LearningRateScheduler(lambda epoch: returned)], FakeModel(), losses(1))


def test_scheduler_needs_an_optimizer_with_a_learning_rate(numpy_backend):
    model = FakeModel()
    model.optimizer = object()
    with pytest.raises(ValueError, match='optimizer with a learning rate.*object has none'):
        run_epochs([LearningRateScheduler(lambda epoch: 0.1)], model, losses(1))
    with pytest.raises(ValueError, match='compiled model'):
        run_epochs([LearningRateScheduler(lambda epoch: 0.1)], FakeModel(lr=None), losses(1))


def test_scheduler_refuses_a_schedule_that_is_not_callable():
    with pytest.raises(TypeError, match='schedule must be a function'):
        LearningRateScheduler(0.1)


# -------------------------------------------------------------- ReduceLROnPlateau
def _lr_history(reducer, values, lr=1.0):
    model = FakeModel(lr=lr)
    history = History()
    run_epochs([reducer, history], model, losses(*values))
    return history.history['lr'], float(K.get_value(model.optimizer.lr))


def test_plateau_reduces_after_patience_epochs_without_improvement(numpy_backend):
    logged, final = _lr_history(ReduceLROnPlateau(factor=0.5, patience=1), [1, 1, 1, 1, 1])
    # epoch 0 improves; 1 is tolerated; 2 reduces; 3 is tolerated; 4 reduces.
    assert logged == pytest.approx([1, 1, 1, 0.5, 0.5]) and final == pytest.approx(0.25)


def test_plateau_cooldown_skips_that_many_epochs_after_a_reduction(numpy_backend):
    logged, final = _lr_history(ReduceLROnPlateau(factor=0.5, patience=0, cooldown=2),
                                [1] * 8)
    # reductions at the end of epochs 1, 4 and 7; epochs 2-3 and 5-6 cool down.
    assert logged == pytest.approx([1, 1, .5, .5, .5, .25, .25, .25])
    assert final == pytest.approx(0.125)


def test_plateau_never_goes_below_min_lr(numpy_backend):
    logged, final = _lr_history(ReduceLROnPlateau(patience=0, min_lr=0.05), [1] * 5)
    assert logged == pytest.approx([1, 1, 0.1, 0.05, 0.05]) and final == pytest.approx(0.05)


def test_plateau_counts_only_improvements_larger_than_epsilon(numpy_backend):
    reducer = ReduceLROnPlateau(factor=0.5, patience=0, epsilon=0.01)
    _, final = _lr_history(reducer, [1.0, 0.995, 0.98])
    assert final == pytest.approx(0.5)          # epoch 1 reduced, epoch 2 improved
    assert reducer.best == 0.98


def test_plateau_with_max_mode_on_accuracy(numpy_backend):
    model = FakeModel(lr=1.0)
    reducer = ReduceLROnPlateau(monitor='val_acc', factor=0.5, patience=0)
    run_epochs([reducer], model, losses(0.5, 0.6, 0.55, key='val_acc'))
    assert float(K.get_value(model.optimizer.lr)) == 0.5


def test_plateau_refuses_a_factor_that_does_not_reduce():
    for factor in (1.0, 2, 0):
        with pytest.raises(ValueError, match='between 0 and 1'):
            ReduceLROnPlateau(factor=factor)


# ------------------------------------------------------------------ RemoteMonitor
@pytest.fixture
def server():
    """A local HTTP server recording each request as (method, path, headers, body)."""
    received = []

    class Handler(http.server.BaseHTTPRequestHandler):
        status = 200

        def do_POST(self):
            body = self.rfile.read(int(self.headers['Content-Length']))
            received.append(('POST', self.path, dict(self.headers), body.decode()))
            self.send_response(Handler.status)
            self.end_headers()
            self.wfile.write(b'{}')

        def log_message(self, *args):
            pass

    httpd = http.server.HTTPServer(('127.0.0.1', 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    httpd.received = received
    httpd.handler = Handler
    httpd.root = 'http://127.0.0.1:%d' % httpd.server_address[1]
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def test_remote_monitor_posts_the_epoch_logs_as_json(server):
    monitor = RemoteMonitor(root=server.root)
    run_epochs([monitor], FakeModel(lr=None),
               [{'loss': np.float32(0.5), 'acc': 0.75}, {'loss': 0.25, 'acc': 1.0}])
    assert [r[:2] for r in server.received] == [('POST', '/publish/epoch/end/')] * 2
    events = [json.loads(urllib.parse.parse_qs(r[3])['data'][0]) for r in server.received]
    assert events == [{'epoch': 0, 'loss': 0.5, 'acc': 0.75},
                      {'epoch': 1, 'loss': 0.25, 'acc': 1.0}]
    headers = server.received[0][2]
    assert headers['Accept'] == 'application/json'
    assert headers['Content-Type'] == 'application/x-www-form-urlencoded'


def test_remote_monitor_path_field_and_headers(server):
    monitor = RemoteMonitor(root=server.root, path='/events', field='payload',
                            headers={'X-Run': 'seven'})
    run_epochs([monitor], FakeModel(lr=None), [{'loss': 1.0}])
    method, path, headers, body = server.received[0]
    assert path == '/events' and headers['X-Run'] == 'seven'
    assert json.loads(urllib.parse.parse_qs(body)['payload'][0]) == {'epoch': 0, 'loss': 1.0}


def test_remote_monitor_warns_when_the_server_answers_an_error(server):
    server.handler.status = 500
    with pytest.warns(RuntimeWarning, match='could not post epoch 0 .*500'):
        assert run_epochs([RemoteMonitor(root=server.root)], FakeModel(lr=None),
                          [{'loss': 1.0}]) == [0]


def test_remote_monitor_warns_when_no_server_listens():
    with socket.socket() as s:       # a port that was free a moment ago
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
    with pytest.warns(RuntimeWarning, match='Training goes on'):
        epochs = run_epochs([RemoteMonitor(root='http://127.0.0.1:%d' % port)],
                            FakeModel(lr=None), [{'loss': 1.0}, {'loss': 0.5}])
    assert epochs == [0, 1]
