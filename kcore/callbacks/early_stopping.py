"""EarlyStopping: ends training when a monitored quantity stops improving."""
from kcore.callbacks.base import Callback, check_number
from kcore.callbacks.monitor import Best


class EarlyStopping(Callback):
    """Stops training (``model.stop_training = True``) once ``monitor`` has gone
    ``patience`` epochs without improving by more than ``min_delta``: the epoch after those
    is the last one, as in Keras 1 (``patience=0`` stops at the first epoch that does not
    improve). ``mode``: 'min', 'max', or 'auto' (inferred from the name)."""

    def __init__(self, monitor='val_loss', min_delta=0, patience=0, verbose=0, mode='auto'):
        self.monitor = monitor
        self.min_delta = abs(min_delta)
        self.patience = check_number('EarlyStopping', 'patience', patience, 0)
        self.verbose = verbose
        self._best = Best(monitor, mode, min_delta)
        self.wait = 0
        self.stopped_epoch = 0

    @property
    def best(self):
        return self._best.value

    def on_train_begin(self, logs=None):
        self._best.reset()
        self.wait = 0
        self.stopped_epoch = 0

    def on_epoch_end(self, epoch, logs=None):
        current = self._best.current(logs, 'EarlyStopping')
        if current is None:
            return
        if self._best.improved_by(current):
            self._best.value = current
            self.wait = 0
        elif self.wait >= self.patience:
            self.stopped_epoch = epoch
            self.model.stop_training = True
            if self.verbose > 0:
                print('Epoch %05d: early stopping' % epoch)
        else:
            self.wait += 1
