"""Callbacks that change the optimizer's learning rate: LearningRateScheduler and
ReduceLROnPlateau."""
import numbers

import numpy as np

from kcore import backend as K
from kcore.callbacks.base import Callback, check_number
from kcore.callbacks.monitor import Best


def _lr_variable(owner, model):
    """``model.optimizer.lr``, or a ValueError that says what is missing."""
    optimizer = getattr(model, 'optimizer', None)
    if optimizer is None:
        raise ValueError('%s needs a compiled model: model.optimizer is not set. Call '
                         'model.compile(...) before fit.' % owner)
    lr = getattr(optimizer, 'lr', None)
    if lr is None:
        raise ValueError('%s needs an optimizer with a learning rate variable `lr`; %s has '
                         'none.' % (owner, type(optimizer).__name__))
    return lr


class LearningRateScheduler(Callback):
    """Sets the learning rate at the start of each epoch to ``schedule(epoch)`` (epoch
    counted from 0). The schedule must return a number (an int is taken as a float)."""

    def __init__(self, schedule):
        if not callable(schedule):
            raise TypeError('LearningRateScheduler(schedule): schedule must be a function of '
                            'the epoch index returning a learning rate; got %r.' % (schedule,))
        self.schedule = schedule

    def on_epoch_begin(self, epoch, logs=None):
        lr = _lr_variable('LearningRateScheduler', self.model)
        value = self.schedule(epoch)
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
            raise ValueError('The schedule of LearningRateScheduler must return the learning '
                             'rate as a float; for epoch %d it returned %r.' % (epoch, value))
        K.set_value(lr, float(value))


class ReduceLROnPlateau(Callback):
    """Multiplies the learning rate by ``factor`` when ``monitor`` has not improved by more
    than ``epsilon`` for ``patience`` epochs (the same count as EarlyStopping: the epoch
    after those reduces it), never going below ``min_lr``. After a reduction, the next
    ``cooldown`` epochs neither count towards patience nor reduce. The current rate is added
    to the epoch logs as ``lr``.
    """

    def __init__(self, monitor='val_loss', factor=0.1, patience=10, verbose=0, mode='auto',
                 epsilon=1e-4, cooldown=0, min_lr=0):
        if not 0 < factor < 1:
            raise ValueError('ReduceLROnPlateau(factor=%r): the factor multiplies the learning '
                             'rate, so it must be between 0 and 1 (exclusive).' % (factor,))
        self.monitor = monitor
        self.factor = factor
        self.patience = check_number('ReduceLROnPlateau', 'patience', patience, 0)
        self.verbose = verbose
        self.epsilon = epsilon
        self.cooldown = check_number('ReduceLROnPlateau', 'cooldown', cooldown, 0)
        self.min_lr = check_number('ReduceLROnPlateau', 'min_lr', min_lr, 0, integer=False)
        self._best = Best(monitor, mode, epsilon)
        self.reset()

    @property
    def best(self):
        return self._best.value

    def reset(self):
        self._best.reset()
        self.wait = 0
        self.cooldown_counter = 0

    def in_cooldown(self):
        return self.cooldown_counter > 0

    def on_train_begin(self, logs=None):
        self.reset()

    def on_epoch_end(self, epoch, logs=None):
        lr = _lr_variable('ReduceLROnPlateau', self.model)
        if logs is not None:
            logs['lr'] = float(K.get_value(lr))
        current = self._best.current(logs, 'ReduceLROnPlateau')
        if current is None:
            return
        cooling = self.in_cooldown()
        if cooling:
            self.cooldown_counter -= 1
            self.wait = 0
        if self._best.improved_by(current):
            self._best.value = current
            self.wait = 0
        elif not cooling:
            if self.wait >= self.patience:
                self._reduce(lr, epoch)
            else:
                self.wait += 1

    def _reduce(self, lr, epoch):
        old = float(K.get_value(lr))
        if old > self.min_lr * (1 + 1e-4):
            new = max(old * self.factor, self.min_lr)
            K.set_value(lr, new)
            if self.verbose > 0:
                print('Epoch %05d: reducing learning rate to %s.' % (epoch, new))
        self.cooldown_counter = self.cooldown
        self.wait = 0
