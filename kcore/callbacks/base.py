"""The callback protocol: :class:`Callback`, :class:`CallbackList` and :class:`LambdaCallback`.

The training loop calls, in order: ``set_params``, ``set_model``, ``on_train_begin``; for
each epoch ``on_epoch_begin``, then per batch ``on_batch_begin`` / ``on_batch_end``, then
``on_epoch_end``; finally ``on_train_end``. Every hook receives a ``logs`` dict: the batch
hooks get ``batch`` and ``size`` (samples in the batch) and, at the end, the batch's
``loss`` and metrics; ``on_epoch_end`` gets the epoch's values (``val_*`` with validation).
All callbacks of one list receive the same dict, so a callback may add values for the ones
after it (BaseLogger writes the epoch averages this way).

``params`` holds what the training loop knows: ``batch_size``, ``nb_epoch``,
``nb_sample``, ``verbose``, ``do_validation`` and ``metrics`` (the names of the values
logged at the end of each epoch, ``val_*`` included).
"""
import collections
import contextlib
import numbers
import time
import warnings

import numpy as np

from kcore import distribute


def _clock():
    # One place to read the time, so that tests can make it deterministic.
    return time.time()


def check_number(owner, name, value, minimum, integer=True):
    """``value`` checked to be a number (an integer with ``integer``) >= ``minimum``: the
    error names the callback, the argument and the allowed range."""
    kind = (numbers.Integral, np.integer) if integer else (numbers.Real, np.number)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, kind) or value < minimum:
        raise (ValueError if isinstance(value, kind) else TypeError)(
            '%s(%s=%r): %s must be %s >= %s; got %r.' % (
                owner, name, value, name, 'an integer' if integer else 'a number', minimum,
                value))
    return value


class Callback:
    """Base class of callbacks: override the hooks you need.

    ``self.params`` is the dict of training parameters and ``self.model`` the model being
    trained; both are set by the training loop before ``on_train_begin``.
    """

    params = None
    model = None
    validation_data = None

    def set_params(self, params):
        self.params = params

    def set_model(self, model):
        self.model = model

    # Keras 1.1.2 named these with a leading underscore; a subclass overriding the new
    # names is still called through the old ones.
    def _set_params(self, params):
        self.set_params(params)

    def _set_model(self, model):
        self.set_model(model)

    def on_epoch_begin(self, epoch, logs=None):
        pass

    def on_epoch_end(self, epoch, logs=None):
        pass

    def on_batch_begin(self, batch, logs=None):
        pass

    def on_batch_end(self, batch, logs=None):
        pass

    def on_train_begin(self, logs=None):
        pass

    def on_train_end(self, logs=None):
        pass


class CallbackList:
    """Calls each hook on every callback of the list, in order.

    It also times the batch hooks: when their median time over the last ``queue_length``
    batches exceeds both 0.1 s and 95% of the time of the batch update itself, it warns
    that the callbacks slow training down.
    """

    def __init__(self, callbacks=(), queue_length=10):
        # A worker other than the chief leaves out the chief-only callbacks (progress,
        # checkpoints, logs): see kcore.distribute.runs_here.
        self.callbacks = [c for c in callbacks or () if distribute.runs_here(c)]
        self.queue_length = queue_length
        self._reset_timing()

    def append(self, callback):
        if distribute.runs_here(callback):
            self.callbacks.append(callback)

    def __iter__(self):
        return iter(self.callbacks)

    def __len__(self):
        return len(self.callbacks)

    def set_params(self, params):
        for callback in self.callbacks:
            callback.set_params(params)

    def set_model(self, model):
        for callback in self.callbacks:
            callback.set_model(model)

    def on_train_begin(self, logs=None):
        self._call('on_train_begin', _logs(logs))

    def on_train_end(self, logs=None):
        self._call('on_train_end', _logs(logs))

    @contextlib.contextmanager
    def training(self):
        """``on_train_begin``, the body, ``on_train_end``; on Ctrl-C every callback still
        ends (files closed, logs flushed: ``on_train_interrupted``), then it goes on."""
        self.on_train_begin()
        try:
            yield
        except KeyboardInterrupt:
            self.on_train_interrupted()
            raise
        self.on_train_end()

    def on_train_interrupted(self, logs=None):
        """Call ``on_train_end`` on every callback after training was interrupted (Ctrl-C):
        each runs even if one before it fails; those failures become warnings, so that the
        interruption is what propagates."""
        logs = _logs(logs)
        for callback in self.callbacks:
            try:
                callback.on_train_end(logs)
            except Exception as e:   # noqa: BLE001 - reported, the interrupt goes on
                warnings.warn('%s.on_train_end failed after training was interrupted: %s: %s'
                              % (type(callback).__name__, type(e).__name__, e),
                              RuntimeWarning, stacklevel=2)

    def on_epoch_begin(self, epoch, logs=None):
        self._call('on_epoch_begin', epoch, _logs(logs))
        self._reset_timing()

    def on_epoch_end(self, epoch, logs=None):
        self._call('on_epoch_end', epoch, _logs(logs))

    def on_batch_begin(self, batch, logs=None):
        started = _clock()
        self._call('on_batch_begin', batch, _logs(logs))
        self._check_speed('on_batch_begin', self._begin_times, _clock() - started)
        self._batch_started = _clock()

    def on_batch_end(self, batch, logs=None):
        started = _clock()
        if self._batch_started is not None:
            self._batch_time = started - self._batch_started
        self._call('on_batch_end', batch, _logs(logs))
        self._check_speed('on_batch_end', self._end_times, _clock() - started)

    def _call(self, hook, *args):
        for callback in self.callbacks:
            getattr(callback, hook)(*args)

    def _reset_timing(self):
        self._begin_times = collections.deque(maxlen=self.queue_length)
        self._end_times = collections.deque(maxlen=self.queue_length)
        self._batch_started = None
        self._batch_time = 0.0

    def _check_speed(self, hook, times, elapsed):
        times.append(elapsed)
        if max(times) <= 0.1:  # then so is the median: skip np.median, costly per batch
            return
        median = float(np.median(times))
        if self._batch_time > 0 and median > 0.95 * self._batch_time and median > 0.1:
            warnings.warn('Method %s() is slow compared to the batch update (%.3fs against '
                          '%.3fs for the batch). Check your callbacks.'
                          % (hook, median, self._batch_time), RuntimeWarning, stacklevel=3)


def _logs(logs):
    return {} if logs is None else logs


class LambdaCallback(Callback):
    """A callback made of plain functions, for quick one-off hooks.

    ``on_epoch_begin``/``on_epoch_end`` take ``(epoch, logs)``, ``on_batch_begin``/
    ``on_batch_end`` take ``(batch, logs)``, ``on_train_begin``/``on_train_end`` take
    ``(logs)``. A hook left as None does nothing. Other keyword arguments become
    attributes of the callback.
    """

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_batch_begin=None,
                 on_batch_end=None, on_train_begin=None, on_train_end=None, **kwargs):
        self.__dict__.update(kwargs)
        hooks = {'on_epoch_begin': on_epoch_begin, 'on_epoch_end': on_epoch_end,
                 'on_batch_begin': on_batch_begin, 'on_batch_end': on_batch_end,
                 'on_train_begin': on_train_begin, 'on_train_end': on_train_end}
        for hook, function in hooks.items():
            if function is not None:
                if not callable(function):
                    raise TypeError('LambdaCallback(%s=...) must be a function; got %r.'
                                    % (hook, function))
                setattr(self, hook, function)
