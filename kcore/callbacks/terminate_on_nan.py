"""TerminateOnNaN: stops training at the first batch whose loss is NaN or infinite.

Keras 1.1.2 had no such callback; Keras 2 added it under this name, which is where a user
looking for it will look first."""
import math

from kcore.callbacks.base import Callback


class TerminateOnNaN(Callback):
    """Sets ``model.stop_training`` as soon as a batch reports a non-finite loss, so that the
    epoch ends after that batch and no further epoch starts. ``stopped_batch`` and
    ``stopped_epoch`` say where it happened (None if it did not)."""

    def __init__(self):
        self.stopped_epoch = self.stopped_batch = None
        self._epoch = None

    def on_train_begin(self, logs=None):
        self.stopped_epoch = self.stopped_batch = None

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get('loss')
        if loss is None or math.isfinite(float(loss)):
            return
        self.stopped_epoch, self.stopped_batch = self._epoch, batch
        print('Batch %d of epoch %s: the loss is %s; stopping training (TerminateOnNaN).'
              % (batch, self._epoch, float(loss)))
        self.model.stop_training = True
