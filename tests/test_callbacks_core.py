"""Callback protocol, History, BaseLogger, Progbar/ProgbarLogger, CSVLogger, LambdaCallback."""
import warnings

import numpy as np
import pytest

from kcore_test_helpers.callbacks import FakeModel, run_epochs
from kcore import callbacks, plugins
from kcore.callbacks import (BaseLogger, Callback, CallbackList, CSVLogger, History,
                             LambdaCallback, ProgbarLogger)
from kcore.callbacks import base as callbacks_base
from kcore.utils import generic_utils
from kcore.utils.generic_utils import Progbar
from kcore_test_helpers.processes import run_python


class Clock:
    """A settable clock for the progress bar and the batch timing."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(generic_utils, '_clock', clock)
    monkeypatch.setattr(callbacks_base, '_clock', clock)
    return clock


# ------------------------------------------------------------------- registration
def test_every_callback_class_is_registered():
    registry = plugins.registry('callbacks')
    for name in callbacks.__all__:
        if name != 'CallbackList':
            assert registry.get(name) is getattr(callbacks, name)
    assert registry.get('earlystopping') is callbacks.EarlyStopping


def test_importing_callbacks_imports_no_backend_library():
    result = run_python('''
        import sys
        import kcore.callbacks
        print(sorted(m for m in ('tensorflow', 'pytensor') if m in sys.modules))
    ''')
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == '[]'


# -------------------------------------------------------------------- the protocol
class Recorder(Callback):
    def __init__(self, name, calls):
        self.name, self.calls = name, calls

    def on_train_begin(self, logs=None):
        self.calls.append((self.name, 'train_begin'))

    def on_epoch_end(self, epoch, logs=None):
        self.calls.append((self.name, 'epoch_end', epoch, dict(logs)))
        logs['seen_by_' + self.name] = True


def test_callback_list_calls_each_callback_in_order_with_the_same_logs():
    calls = []
    first, second = Recorder('a', calls), Recorder('b', calls)
    callback_list = CallbackList([first, second])
    callback_list.set_params({'nb_epoch': 1})
    callback_list.set_model('the model')
    assert first.params == {'nb_epoch': 1} and second.model == 'the model'
    callback_list.on_train_begin()
    callback_list.on_epoch_end(0, {'loss': 1.0})
    # b sees what a added to the shared dict.
    assert calls == [('a', 'train_begin'), ('b', 'train_begin'),
                     ('a', 'epoch_end', 0, {'loss': 1.0}),
                     ('b', 'epoch_end', 0, {'loss': 1.0, 'seen_by_a': True})]


def test_base_callback_hooks_do_nothing_and_keras1_setters_still_work():
    callback = Callback()
    assert callback.params is None and callback.model is None
    for hook in ('on_epoch_begin', 'on_epoch_end', 'on_batch_begin', 'on_batch_end'):
        getattr(callback, hook)(0, {})
    callback.on_train_begin()
    callback.on_train_end()
    callback._set_params({'verbose': 0})
    callback._set_model('m')
    assert callback.params == {'verbose': 0} and callback.model == 'm'


class SlowBatchEnd(Callback):
    def __init__(self, clock, seconds):
        self.clock, self.seconds = clock, seconds

    def on_batch_end(self, batch, logs=None):
        self.clock.now += self.seconds


def _one_batch(callback_list, clock, batch_seconds):
    callback_list.on_batch_begin(0, {'size': 1})
    clock.now += batch_seconds
    callback_list.on_batch_end(0, {'size': 1})


def test_callback_list_warns_when_batch_hooks_are_slower_than_the_batch(clock):
    callback_list = CallbackList([SlowBatchEnd(clock, 0.5)])
    callback_list.on_epoch_begin(0)
    with pytest.warns(RuntimeWarning, match=r'on_batch_end\(\) is slow'):
        _one_batch(callback_list, clock, batch_seconds=0.01)


@pytest.mark.parametrize('hook_seconds, batch_seconds', [(0.5, 2.0), (0.05, 0.01)])
def test_callback_list_is_quiet_for_fast_hooks_or_slow_batches(clock, hook_seconds,
                                                               batch_seconds):
    callback_list = CallbackList([SlowBatchEnd(clock, hook_seconds)])
    callback_list.on_epoch_begin(0)
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        for _ in range(3):
            _one_batch(callback_list, clock, batch_seconds)


# ------------------------------------------------------------- History, BaseLogger
def test_history_records_every_epoch_value():
    history = History()
    logs = [{'loss': 0.9, 'val_loss': 1.0}, {'loss': 0.7, 'val_loss': 0.8},
            {'loss': 0.5, 'val_loss': 0.6}]
    run_epochs([history], FakeModel(lr=None), logs)
    assert history.epoch == [0, 1, 2]
    assert history.history == {'loss': [0.9, 0.7, 0.5], 'val_loss': [1.0, 0.8, 0.6]}


def test_base_logger_writes_epoch_averages_weighted_by_batch_size():
    logger = BaseLogger()
    logger.set_params({'metrics': ['loss', 'acc', 'val_loss']})
    logger.on_epoch_begin(0)
    batches = [(32, 0.9, 0.25), (32, 0.7, 0.5), (4, 0.1, 1.0)]
    for i, (size, loss, acc) in enumerate(batches):
        logger.on_batch_end(i, {'batch': i, 'size': size, 'loss': loss, 'acc': acc})
    logs = {'val_loss': 0.3}
    logger.on_epoch_end(0, logs)
    sizes = np.array([b[0] for b in batches])
    assert logs['loss'] == pytest.approx(np.average([b[1] for b in batches], weights=sizes))
    assert logs['acc'] == pytest.approx(np.average([b[2] for b in batches], weights=sizes))
    assert logs['val_loss'] == 0.3                     # not a batch value: untouched
    assert set(logs) == {'loss', 'acc', 'val_loss'}    # no 'size', no 'batch'


def test_base_logger_starts_again_each_epoch():
    logger = BaseLogger()
    logger.set_params({'metrics': ['loss']})
    averages = []
    for epoch, loss in enumerate([2.0, 1.0]):
        logger.on_epoch_begin(epoch)
        logger.on_batch_end(0, {'size': 10, 'loss': loss})
        logs = {}
        logger.on_epoch_end(epoch, logs)
        averages.append(logs['loss'])
    assert averages == [2.0, 1.0]


# ------------------------------------------------------------------------ Progbar
def test_progbar_redraws_one_line_with_running_averages(clock, capsys):
    bar = Progbar(100, width=10)
    clock.now = 1.0
    bar.update(32, [('loss', 0.7)])
    clock.now = 1.01                      # within the interval: not redrawn
    bar.update(50, [('loss', 0.7)])
    clock.now = 3.0
    bar.update(100, [('loss', 0.5)])
    out = capsys.readouterr().out
    first = ' 32/100 [===>......] - ETA: 2s - loss: 0.7000'
    last = '100/100 [==========] - 3s - loss: 0.6000'    # (0.7*50 + 0.5*50) / 100
    assert out == '\r' + first + '\r' + last + ' ' * (len(first) - len(last)) + '\n'


def test_progbar_verbose_2_prints_one_line_at_the_end(clock, capsys):
    bar = Progbar(10, verbose=2)
    bar.update(5, [('loss', 1.0)])
    assert capsys.readouterr().out == ''
    clock.now = 2.0
    bar.add(5, [('loss', 0.5), ('lr', 1e-5)])
    bar.add(0)                              # already finished: nothing more
    assert capsys.readouterr().out == '2s - loss: 0.7500 - lr: 1.0000e-05\n'


def test_progbar_value_without_new_units_replaces_the_average(clock, capsys):
    bar = Progbar(None, verbose=0)
    bar.update(10, [('loss', 1.0)])
    bar.update(10, [('loss', 0.25), ('val_loss', 3.0)])
    assert bar.average('loss') == 0.25 and bar.average('val_loss') == 3.0


def test_progbar_with_unknown_target_counts_up(clock, capsys):
    bar = Progbar(None)
    bar.update(64)
    assert capsys.readouterr().out == '\r     64/Unknown - 0s'


def _fit_like(callbacks_, epochs, batches, val, verbose):
    """Two epochs of a fake fit: BaseLogger first, as fit orders them."""
    callback_list = CallbackList([BaseLogger()] + callbacks_)
    callback_list.set_params({'nb_epoch': epochs, 'nb_sample': sum(b[0] for b in batches),
                              'verbose': verbose, 'batch_size': 60,
                              'metrics': ['loss', 'acc', 'val_loss', 'val_acc']})
    callback_list.on_train_begin()
    for epoch in range(epochs):
        callback_list.on_epoch_begin(epoch)
        for i, (size, loss, acc) in enumerate(batches):
            callback_list.on_batch_begin(i, {'batch': i, 'size': size})
            callback_list.on_batch_end(i, {'batch': i, 'size': size, 'loss': loss,
                                           'acc': acc})
        callback_list.on_epoch_end(epoch, dict(val))
    callback_list.on_train_end()


BATCHES = [(60, 0.8, 0.25), (40, 0.6, 0.75)]
VAL = {'val_loss': 0.65, 'val_acc': 0.5}
# loss (0.8*60 + 0.6*40)/100 = 0.72, acc (0.25*60 + 0.75*40)/100 = 0.45
EPOCH_LINE = '100/100 [==============================] - 0s - loss: 0.7200 - acc: 0.4500 - ' \
             'val_loss: 0.6500 - val_acc: 0.5000'


def test_progbar_logger_verbose_1_draws_batches_then_the_epoch_values(clock, capsys):
    _fit_like([ProgbarLogger()], 2, BATCHES, VAL, verbose=1)
    out = capsys.readouterr().out
    epochs = out.split('Epoch ')[1:]
    assert len(epochs) == 2
    for number, text in enumerate(epochs, 1):
        header, rest = text.split('\n', 1)
        assert header == '%d/2' % number
        draws = rest.split('\r')[1:]
        assert draws[0] == ' 60/100 [==================>...........] - ETA: 0s - loss: 0.8000 ' \
                           '- acc: 0.2500'
        assert draws[-1].rstrip(' \n') == EPOCH_LINE and draws[-1].endswith('\n')


def test_progbar_logger_verbose_2_prints_one_line_per_epoch(clock, capsys):
    _fit_like([ProgbarLogger()], 2, BATCHES, VAL, verbose=2)
    summary = EPOCH_LINE.split('] - ')[1]       # '0s - loss: ... - val_acc: 0.5000'
    assert capsys.readouterr().out == 'Epoch 1/2\n%s\nEpoch 2/2\n%s\n' % (summary, summary)


def test_progbar_logger_verbose_0_prints_nothing(clock, capsys):
    _fit_like([ProgbarLogger()], 1, BATCHES, VAL, verbose=0)
    assert capsys.readouterr().out == ''


# ---------------------------------------------------------------------- CSVLogger
def test_csv_logger_writes_a_header_then_one_row_per_epoch(tmp_path):
    path = tmp_path / 'training.log'
    logs = [{'loss': np.float32(0.5), 'val_loss': 0.75}, {'loss': 0.25, 'val_loss': 0.5}]
    run_epochs([CSVLogger(str(path))], FakeModel(lr=None), logs)
    assert path.read_text() == 'epoch,loss,val_loss\n0,0.5,0.75\n1,0.25,0.5\n'


def test_csv_logger_append_continues_the_file_without_a_second_header(tmp_path):
    path = tmp_path / 'training.log'
    model = FakeModel(lr=None)
    run_epochs([CSVLogger(str(path), separator=';')], model, [{'loss': 1.0, 'acc': 0.5}])
    run_epochs([CSVLogger(str(path), separator=';', append=True)], model,
               [{'loss': 0.5, 'acc': 0.75}, {'loss': 0.25, 'acc': 1.0}])
    assert path.read_text() == 'epoch;acc;loss\n0;0.5;1.0\n0;0.75;0.5\n1;1.0;0.25\n'


def test_csv_logger_append_to_a_new_file_writes_the_header(tmp_path):
    path = tmp_path / 'new.csv'
    run_epochs([CSVLogger(str(path), append=True)], FakeModel(lr=None),
               [{'loss': 1.0}])
    assert path.read_text() == 'epoch,loss\n0,1.0\n'


def test_csv_logger_overwrites_without_append(tmp_path):
    path = tmp_path / 'old.csv'
    path.write_text('epoch,loss\n0,9.0\n')
    run_epochs([CSVLogger(str(path))], FakeModel(lr=None), [{'loss': 1.0}])
    assert path.read_text() == 'epoch,loss\n0,1.0\n'


# ----------------------------------------------------------------- LambdaCallback
def test_lambda_callback_calls_the_given_functions():
    calls = []
    callback = LambdaCallback(
        on_epoch_begin=lambda epoch, logs: calls.append(('epoch_begin', epoch)),
        on_epoch_end=lambda epoch, logs: calls.append(('epoch_end', epoch, logs['loss'])),
        on_batch_end=lambda batch, logs: calls.append(('batch_end', batch, logs['size'])),
        on_train_end=lambda logs: calls.append(('train_end',)),
        label='mine')
    run_epochs([callback], FakeModel(lr=None), [{'loss': 0.5}, {'loss': 0.25}])
    assert calls == [('epoch_begin', 0), ('batch_end', 0, 1), ('epoch_end', 0, 0.5),
                     ('epoch_begin', 1), ('batch_end', 0, 1), ('epoch_end', 1, 0.25),
                     ('train_end',)]
    assert callback.label == 'mine'


def test_lambda_callback_refuses_a_hook_that_is_not_callable():
    with pytest.raises(TypeError, match='on_epoch_end'):
        LambdaCallback(on_epoch_end='print')


def test_custom_callback_from_the_documentation_records_batch_losses():
    class LossHistory(Callback):
        def on_train_begin(self, logs={}):
            self.losses = []

        def on_batch_end(self, batch, logs={}):
            self.losses.append(logs.get('loss'))

    history = LossHistory()
    callback_list = CallbackList([history])
    callback_list.on_train_begin()
    callback_list.on_epoch_begin(0)
    for batch, loss in enumerate([0.66, 0.35, 0.26]):
        callback_list.on_batch_begin(batch, {'batch': batch, 'size': 128})
        callback_list.on_batch_end(batch, {'batch': batch, 'size': 128, 'loss': loss})
    assert history.losses == [0.66, 0.35, 0.26]
