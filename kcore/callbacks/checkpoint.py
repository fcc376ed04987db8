"""ModelCheckpoint: saves the model (or its weights) at the end of epochs."""
import math
import warnings

import numpy as np

from kcore.callbacks.base import Callback
from kcore.callbacks.monitor import Best


class ModelCheckpoint(Callback):
    """Saves the model to ``filepath`` every ``period`` epochs.

    ``filepath`` may hold format fields filled from ``epoch`` (0-based, as in Keras 1) and
    the epoch's logs, e.g. ``'weights.{epoch:02d}-{val_loss:.2f}.hdf5'``. With
    ``save_best_only`` it saves only when ``monitor`` improves (``mode`` 'min', 'max', or
    'auto' from the name). ``save_weights_only`` saves with ``model.save_weights`` instead
    of ``model.save``. With ``save_best_only`` a model whose weights hold NaN or infinite
    values is never saved as the best one, however good its monitored value looks (a NaN
    input can leave the loss finite while the weights are garbage); a warning says which
    weights. The callback never removes or truncates an existing file itself: the
    model's saving code replaces it (atomically), and when saving fails the error propagates
    and the best value is left unchanged.
    """

    def __init__(self, filepath, monitor='val_loss', verbose=0, save_best_only=False,
                 save_weights_only=False, mode='auto', period=1):
        if int(period) < 1:
            raise ValueError('ModelCheckpoint(period=%r): period is a number of epochs, at '
                             'least 1.' % (period,))
        self.filepath = filepath
        self.monitor = monitor
        self.verbose = verbose
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.period = int(period)
        self.epochs_since_last_save = 0
        self._best = Best(monitor, mode)

    @property
    def best(self):
        return self._best.value

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        self.epochs_since_last_save += 1
        if self.epochs_since_last_save < self.period:
            return
        self.epochs_since_last_save = 0
        filepath = self._format(epoch, logs)
        if not self.save_best_only:
            if self.verbose > 0:
                print('Epoch %05d: saving model to %s' % (epoch, filepath))
            self._save(filepath)
            return
        current = self._best.current(logs, 'ModelCheckpoint(save_best_only=True)')
        if current is None:
            return
        if not math.isfinite(float(current)):
            warnings.warn('Epoch %05d: ModelCheckpoint: %s is %s; the model is not saved as the '
                          'best one.' % (epoch, self.monitor, current), RuntimeWarning,
                          stacklevel=2)
            return
        if self._best.improved_by(current):
            broken = nonfinite_weights(self.model)
            if broken:
                warnings.warn('Epoch %05d: ModelCheckpoint: %s improved to %0.5f, but the weights '
                              '%s hold NaN or infinite values; %s is not saved as the best '
                              'model.' % (epoch, self.monitor, current, ', '.join(broken[:5]),
                                          filepath), RuntimeWarning, stacklevel=2)
                return
            if self.verbose > 0:
                print('Epoch %05d: %s improved from %0.5f to %0.5f, saving model to %s'
                      % (epoch, self.monitor, self.best, current, filepath))
            self._save(filepath)
            self._best.value = current
        elif self.verbose > 0:
            print('Epoch %05d: %s did not improve' % (epoch, self.monitor))

    def _format(self, epoch, logs):
        fields = dict(logs)
        fields['epoch'] = epoch
        try:
            return self.filepath.format(**fields)
        except KeyError as e:
            raise ValueError('ModelCheckpoint filepath %r names {%s}, which is not in the epoch '
                           'logs (available: epoch, %s).'
                           % (self.filepath, e.args[0], ', '.join(sorted(logs)))) from None

    def _save(self, filepath):
        if self.save_weights_only:
            self.model.save_weights(filepath, overwrite=True)
        else:
            self.model.save(filepath, overwrite=True)


def nonfinite_weights(model):
    """The names of ``model``'s weights that hold a NaN or an infinite value."""
    from kcore import backend as K
    weights = list(getattr(model, 'weights', None) or [])   # duck-typed models may have none
    values = K.batch_get_value(weights) if weights else []
    return [getattr(w, 'name', 'weight %d' % i) for i, (w, value) in
            enumerate(zip(weights, values)) if not np.all(np.isfinite(value))]
