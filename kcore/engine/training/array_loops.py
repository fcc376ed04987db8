"""The loops over arrays behind fit, evaluate and predict: batches, callbacks, validation.

Each batch is one selection of rows per array (a slice, or one fancy index when shuffled)
and one call of the model's compiled function, which the loops receive built; nothing
else runs per batch but the callbacks."""
import functools
import os

import numpy as np

from kcore.callbacks import BaseLogger, Callback, CallbackList, History, ProgbarLogger
from kcore.utils.generic_utils import Progbar


def epoch_batches(count, batch_size, shuffle=False):
    """The rows of each batch of one epoch: slices in order; with ``shuffle=True`` index
    arrays of a fresh permutation; with ``shuffle='batch'`` slices in a shuffled order
    (contiguous reads, for HDF5 data)."""
    starts = np.arange(0, count, batch_size)
    if shuffle == 'batch':
        starts = starts[np.random.permutation(len(starts))]
    elif shuffle:
        order = np.random.permutation(count)
        return [order[start:start + batch_size] for start in starts]
    return [slice(start, min(start + batch_size, count)) for start in starts]


def _select(arrays, rows):
    """The batch ``rows`` of each array; None for no rows."""
    return None if rows is None else [a[rows] for a in arrays]


def _size(rows):
    return rows.stop - rows.start if isinstance(rows, slice) else len(rows)


def make_callbacks(model, callbacks, verbose, params):
    """The callback list of a training run, Keras 1.1.2's order: BaseLogger, the user's,
    History (kept as ``model.history``), then the progress bar when ``verbose``."""
    model.history = History()
    listed = [BaseLogger()] + list(callbacks or []) + [model.history]
    if verbose:
        listed.append(ProgbarLogger())
    callback_list = CallbackList(listed)
    callback_list.set_model(model)
    callback_list.set_params(params)
    return callback_list


def training_params(model, batch_size, nb_epoch, count, verbose, do_validation):
    """The ``params`` dict the callbacks receive."""
    labels = model.metrics_names
    return {'batch_size': batch_size, 'nb_epoch': nb_epoch, 'nb_sample': count,
            'verbose': verbose, 'do_validation': do_validation,
            'metrics': labels + (['val_' + n for n in labels] if do_validation else [])}


def fit_loop(model, train_function, test_function, arrays, count, batch_size, nb_epoch,
             verbose, callbacks, shuffle, validation, initial_epoch=0):
    """Train ``model`` with ``train_function`` for epochs ``initial_epoch`` to
    ``nb_epoch - 1`` on ``arrays`` (inputs, targets, sample weights); ``validation`` is
    (arrays, count), evaluated with ``test_function`` after each epoch, or None.
    Returns History."""
    params = training_params(model, batch_size, nb_epoch, count, verbose, bool(validation))
    callback_list = make_callbacks(model, callbacks, verbose, params)
    for callback in callback_list:
        callback.validation_data = validation[0] if validation else None
    model.stop_training = False
    ends = _BatchEnds(callback_list)
    with callback_list.training():
        for epoch in range(initial_epoch, nb_epoch):
            callback_list.on_epoch_begin(epoch)
            batches = epoch_batches(count, batch_size, shuffle)
            fed = _select(arrays, batches[0])
            for index, rows in enumerate(batches):
                # The next batch is selected while this one computes.
                following = batches[index + 1] if index + 1 < len(batches) else None
                fed = train_batch(model, train_function, fed, index, _size(rows), callback_list,
                                  functools.partial(_select, arrays, following), ends)
                if model.stop_training:
                    break
            ends.flush()
            values = validation and test_loop(test_function, validation[0], validation[1],
                                              batch_size)
            if end_epoch(model, callback_list, epoch, values):
                break
    return model.history


def train_batch(model, function, arrays, index, size, callback_list, prepare=None,
                ends=None):
    """One training step, between its batch callbacks. ``prepare()`` (the next batch's
    arrays, returned) runs while the step computes, where the backend computes
    asynchronously (``function.call_async``); so does the batch before's ``on_batch_end``
    when ``ends`` (a :class:`_BatchEnds`) may defer it."""
    logs = {'batch': index, 'size': size}
    callback_list.on_batch_begin(index, logs)
    values = function.call_async(arrays)
    prepared = prepare() if prepare is not None else None
    if ends is not None and ends.defers(values):
        ends.flush()
        ends.pending = index, logs, model.metrics_names, values
    else:
        _end_batch(callback_list, index, logs, model.metrics_names, values)
    return prepared


def _end_batch(callback_list, index, logs, names, values):
    logs.update(zip(names, [_host(v) for v in values]))
    callback_list.on_batch_end(index, logs)


class _BatchEnds:
    """A batch's ``on_batch_end`` left until the next step is dispatched, so that the
    backend's queue never runs dry while the host waits for a loss, converts it and runs
    the callbacks (Keras 3 does the same). Only where every batch hook only reads its logs
    (kcore's loggers, hooks not overridden) and the step's values are still computing;
    ``KCORE_DEFER_BATCH_END=0`` turns it off."""

    def __init__(self, callback_list):
        self.callback_list = callback_list
        self.pending = None
        self.allowed = os.environ.get('KCORE_DEFER_BATCH_END') != '0' and all(
            getattr(getattr(c, hook), '__func__', None) in _READ_ONLY_HOOKS
            for c in callback_list for hook in ('on_batch_begin', 'on_batch_end'))

    def defers(self, values):
        return self.allowed and not all(_on_host(v) for v in values)

    def flush(self):
        """Run the deferred ``on_batch_end``, if any."""
        if self.pending is not None:
            pending, self.pending = self.pending, None
            _end_batch(self.callback_list, *pending)


#: Batch hooks that only read their logs: deferring them changes nothing they see.
_READ_ONLY_HOOKS = {Callback.on_batch_begin, Callback.on_batch_end, BaseLogger.on_batch_end,
                    ProgbarLogger.on_batch_end}


def _host(value):
    """A value of ``call_async`` as a plain call returns it: numpy values as they are, a
    backend's array (still being computed) as a numpy array."""
    return value if _on_host(value) else np.asarray(value)


def _on_host(value):
    return isinstance(value, (np.ndarray, np.generic, float, int))


def end_epoch(model, callback_list, epoch, validation_values):
    """Call on_epoch_end with the validation values (if any) as ``val_*``; return whether
    training should stop."""
    logs = {}
    if validation_values:
        logs.update(('val_' + n, v) for n, v in zip(model.metrics_names, validation_values))
    callback_list.on_epoch_end(epoch, logs)
    return model.stop_training


def test_loop(function, arrays, count, batch_size, verbose=0):
    """The loss and metrics over all samples: batch values averaged, weighted by the
    batch sizes."""
    totals = None
    bar = Progbar(target=count) if verbose == 1 else None
    for rows in epoch_batches(count, batch_size):
        size = _size(rows)
        values = function([a[rows] for a in arrays])
        if totals is None:
            totals = [v * size for v in values]
        else:
            totals = [t + v * size for t, v in zip(totals, values)]
        if bar is not None:
            bar.update(rows.stop)
    return [t / count for t in totals]


def predict_loop(function, arrays, count, batch_size, verbose=0):
    """The outputs for all samples, batch by batch, as one array per output. Each batch's
    outputs are copied out after the next batch is called (``function.call_async``), so
    that a backend that computes asynchronously runs one batch while the loop copies the
    one before."""
    outputs = None
    bar = Progbar(target=count) if verbose == 1 else None
    pending = None
    for rows in epoch_batches(count, batch_size) or [slice(0, 0)]:
        values = function.call_async([a[rows] for a in arrays])
        if pending is not None:
            outputs = _store(outputs, count, bar, *pending)
        pending = rows, values
    return _store(outputs, count, bar, *pending)


def _store(outputs, count, bar, rows, values):
    """Copy one batch's outputs into ``outputs`` (made at the first batch)."""
    values = [np.asarray(v) for v in values]
    if outputs is None:
        outputs = [np.empty((count,) + v.shape[1:], dtype=v.dtype) for v in values]
    for output, value in zip(outputs, values):
        output[rows] = value
    if bar is not None:
        bar.update(rows.stop)
    return outputs
