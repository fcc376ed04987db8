"""Callbacks that record or show the logged values: BaseLogger, ProgbarLogger, History,
CSVLogger."""
import csv
import math
import os
import warnings

import numpy as np

from kcore.callbacks.base import Callback
from kcore.utils.generic_utils import Progbar

# Batch bookkeeping keys, never metrics.
_BOOKKEEPING = ('batch', 'size')


def _metric_names(params, logs):
    """The names to report: ``params['metrics']`` when the loop gave it, else every key of
    ``logs`` but the batch bookkeeping."""
    names = (params or {}).get('metrics')
    if names is None:
        names = [k for k in logs if k not in _BOOKKEEPING]
    return names


class BaseLogger(Callback):
    """Averages each batch metric over the epoch, weighted by the batch size, and writes the
    averages into the epoch's logs for the callbacks after it. ``fit`` adds it first."""

    def on_epoch_begin(self, epoch, logs=None):
        self.seen = 0
        self.totals = {}

    def on_batch_end(self, batch, logs=None):
        logs = logs or {}
        size = logs.get('size', 0)
        self.seen += size
        for name, value in logs.items():
            if name not in _BOOKKEEPING:
                self.totals[name] = self.totals.get(name, 0.0) + value * size

    def on_epoch_end(self, epoch, logs=None):
        if logs is None or not self.seen:
            return
        for name in _metric_names(self.params, self.totals):
            if name in self.totals:
                logs[name] = self.totals[name] / self.seen


class ProgbarLogger(Callback):
    """Prints ``Epoch i/n`` and a progress bar with running averages of the batch metrics;
    the epoch's last line shows the elapsed time and the epoch values, ``val_*`` included.
    ``params['verbose']``: 1 redraws the bar in place, 2 prints one line at the epoch's end.
    The first batch whose loss is NaN or infinite gets a warning (once per training run).
    """

    def on_train_begin(self, logs=None):
        params = self.params or {}
        self.verbose = params.get('verbose', 1)
        self.nb_epoch = params.get('nb_epoch')
        self._warned_nonfinite = False

    def on_epoch_begin(self, epoch, logs=None):
        if not hasattr(self, 'verbose'):
            self.on_train_begin()
        self.seen = 0
        self._epoch = epoch
        self._pending = []        # values of the last batch, not yet drawn
        self._batch_names = set()
        if self.verbose:
            print('Epoch %d/%s' % (epoch + 1, self.nb_epoch if self.nb_epoch else '?'))
        self.progbar = Progbar(target=(self.params or {}).get('nb_sample'),
                               verbose=self.verbose)

    def on_batch_end(self, batch, logs=None):
        logs = logs or {}
        self.seen += logs.get('size', 0)
        self._check_loss(batch, logs.get('loss'))
        values = [(k, logs[k]) for k in _metric_names(self.params, logs) if k in logs]
        self._batch_names.update(k for k, _ in values)
        target = self.progbar.target
        if target is None or self.seen < target:
            self.progbar.update(self.seen, values)
            self._pending = []
        else:
            # The epoch's last batch is drawn by on_epoch_end, with the epoch values.
            self._pending = values

    def _check_loss(self, batch, loss):
        if loss is None or getattr(self, '_warned_nonfinite', True):
            return
        if not math.isfinite(float(loss)):
            self._warned_nonfinite = True
            if self.verbose == 1:
                print()   # leave the bar's line, which was drawn without a newline
            warnings.warn('The loss is %s at batch %d of epoch %d: training no longer makes '
                          'progress (look for NaN or infinite values in the data, or lower the '
                          'learning rate). The callback TerminateOnNaN stops training at such '
                          'a batch.' % (float(loss), batch, getattr(self, '_epoch', 0) + 1),
                          RuntimeWarning, stacklevel=2)

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        # The batch metrics are already running averages over the epoch; only the values
        # that no batch reported (val_*) are taken from the epoch logs.
        epoch_values = [(k, logs[k]) for k in _metric_names(self.params, logs)
                        if k in logs and k not in self._batch_names]
        target = self.progbar.target
        if target is None or self.seen < target:
            # The epoch is over: the bar ends at what was seen.
            self.progbar.target = self.seen
        self.progbar.update(self.seen, self._pending + epoch_values, force=True)


class History(Callback):
    """Records the epoch logs: ``history`` maps each name to its list of epoch values and
    ``epoch`` lists the epoch indices. ``fit`` adds one and returns it."""

    def __init__(self):
        self.epoch = []
        self.history = {}

    def on_train_begin(self, logs=None):
        self.epoch = []
        self.history = {}

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for name, value in (logs or {}).items():
            self.history.setdefault(name, []).append(value)


class CSVLogger(Callback):
    """Writes one CSV row per epoch: the epoch index, then the logged values by name.

    The header comes from the first epoch's logs (sorted names). With ``append=True`` an
    existing non-empty file is continued under its own header, which is not repeated.
    """

    def __init__(self, filename, separator=',', append=False):
        self.filename = filename
        self.sep = separator
        self.append = append
        self.csv_file = None
        self.writer = None
        self.keys = None
        self._warned = False

    def on_train_begin(self, logs=None):
        self.writer = None
        self.keys = None
        self._warned = False
        existing = None
        if self.append and os.path.isfile(self.filename):
            with open(self.filename, newline='') as f:
                existing = next(csv.reader(f, delimiter=self.sep), None)
        self.csv_file = open(self.filename, 'a' if self.append else 'w', newline='')
        if existing:
            self.keys = [k for k in existing if k != 'epoch']
            self.writer = self._make_writer()

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.csv_file is None:
            self.on_train_begin()
        if self.writer is None:
            self.keys = sorted(logs)
            self.writer = self._make_writer()
            self.writer.writeheader()
        dropped = sorted(set(logs) - set(self.keys))
        if dropped and not self._warned:
            self._warned = True
            warnings.warn('CSVLogger: %s has no column for %s; those values are not written.'
                          % (self.filename, ', '.join(dropped)), RuntimeWarning)
        row = {'epoch': epoch}
        row.update((k, _cell(logs[k])) for k in self.keys if k in logs)
        self.writer.writerow(row)
        self.csv_file.flush()

    def on_train_end(self, logs=None):
        if self.csv_file is not None:
            self.csv_file.close()
            self.csv_file = None
        self.writer = None

    def _make_writer(self):
        return csv.DictWriter(self.csv_file, fieldnames=['epoch'] + self.keys,
                              delimiter=self.sep, extrasaction='ignore')


def _cell(value):
    """A logged value as a CSV cell: numbers as they print, sequences as "[a, b]"."""
    array = np.asarray(value)
    if array.ndim == 0:
        return value
    return '[%s]' % ', '.join(str(v) for v in array.ravel().tolist())
