"""fit_generator, evaluate_generator and predict_generator: training and evaluating on
the batches a generator yields, with the generator running ahead in worker threads (or
processes) through :class:`GeneratorEnqueuer`."""
import warnings

import numpy as np

from kcore.engine import training_data as data
from kcore.engine.tensors import unpack
from kcore.engine.training_enqueuer import GeneratorEnqueuer
from kcore.engine.training_loops import (end_epoch, make_callbacks, test_loop, train_batch,
                                         training_params)


def fit_generator(model, generator, samples_per_epoch, nb_epoch, verbose=1, callbacks=None,
                  validation_data=None, nb_val_samples=None, class_weight=None,
                  max_q_size=10, nb_worker=1, pickle_safe=False, initial_epoch=0):
    """Train ``model`` on batches from ``generator``; an epoch ends once
    ``samples_per_epoch`` samples were seen. Returns the History."""
    _check_count('fit_generator', 'samples_per_epoch', samples_per_epoch)
    function = model._make_train_function()
    validation = _validation(model, validation_data, nb_val_samples)
    params = training_params(model, None, nb_epoch, samples_per_epoch, verbose,
                             validation is not None)
    callback_list = make_callbacks(model, callbacks, verbose, params)
    model.stop_training = False
    workers = dict(max_q_size=max_q_size, nb_worker=nb_worker, pickle_safe=pickle_safe)
    callback_list.on_train_begin()
    with GeneratorEnqueuer(generator, **workers) as enqueuer:
        for epoch in range(initial_epoch, nb_epoch):
            callback_list.on_epoch_begin(epoch)
            batch_size = _train_epoch(model, function, enqueuer, samples_per_epoch,
                                      class_weight, callback_list)
            values = validation and _validate(model, validation, nb_val_samples, batch_size,
                                              workers)
            if end_epoch(model, callback_list, epoch, values):
                break
    callback_list.on_train_end()
    return model.history


def _train_epoch(model, function, enqueuer, samples_per_epoch, class_weight, callback_list):
    """Train on batches until the epoch's samples are seen; return the last batch size."""
    seen, index, size = 0, 0, None
    while seen < samples_per_epoch:
        arrays, size = _batch(model, enqueuer.get(), 'fit_generator', index, class_weight)
        train_batch(model, function, arrays, index, size, callback_list)
        seen, index = seen + size, index + 1
        if model.stop_training:
            return size
    if seen > samples_per_epoch:
        warnings.warn('fit_generator: the epoch saw %d samples, more than samples_per_epoch=%d, '
                      'because the last batch went past it. Make samples_per_epoch a multiple '
                      'of the batch size to avoid this.' % (seen, samples_per_epoch),
                      stacklevel=3)
    return size


def _validation(model, validation_data, nb_val_samples):
    """None, ('generator', generator), or ('arrays', (arrays, count))."""
    if validation_data is None:
        return None
    if hasattr(validation_data, '__next__'):
        _check_count('fit_generator', 'nb_val_samples (needed with a validation generator)',
                     nb_val_samples)
        model._make_test_function()
        return 'generator', validation_data
    model._make_test_function()
    return 'arrays', validation_arrays(model, validation_data)


def validation_arrays(model, validation_data):
    """(arrays, count) for ``validation_data`` = (x, y) or (x, y, sample_weight)."""
    if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
        raise ValueError('validation_data must be a tuple (x, y) or (x, y, sample_weight); got '
                         '%s.' % _describe(validation_data))
    x, y, weights = tuple(validation_data) + (None,) * (3 - len(validation_data))
    return data.loss_arrays(model, x, y, sample_weight=weights)


def _validate(model, validation, nb_val_samples, batch_size, workers):
    kind, source = validation
    if kind == 'generator':
        values = evaluate_generator(model, source, nb_val_samples, **workers)
        return values if isinstance(values, list) else [values]
    arrays, count = source
    return test_loop(model._make_test_function(), arrays, count, batch_size or 32)


def evaluate_generator(model, generator, val_samples, max_q_size=10, nb_worker=1,
                       pickle_safe=False):
    """The loss and metrics over ``val_samples`` samples from ``generator`` (batch values
    averaged, weighted by the batch sizes)."""
    _check_count('evaluate_generator', 'val_samples', val_samples)
    function = model._make_test_function()
    totals, seen, index = None, 0, 0
    with GeneratorEnqueuer(generator, max_q_size, nb_worker, pickle_safe) as enqueuer:
        while seen < val_samples:
            arrays, size = _batch(model, enqueuer.get(), 'evaluate_generator', index, None)
            values = [v * size for v in function(arrays)]
            totals = values if totals is None else [t + v for t, v in zip(totals, values)]
            seen, index = seen + size, index + 1
    averages = [t / seen for t in totals]
    return unpack(averages)


def predict_generator(model, generator, val_samples, max_q_size=10, nb_worker=1,
                      pickle_safe=False):
    """The outputs for the first ``val_samples`` samples that ``generator`` yields: items
    are inputs, or tuples (inputs, targets[, sample_weights]) whose inputs are used."""
    _check_count('predict_generator', 'val_samples', val_samples)
    function = model._make_predict_function()
    chunks, seen, index = [], 0, 0
    with GeneratorEnqueuer(generator, max_q_size, nb_worker, pickle_safe) as enqueuer:
        while seen < val_samples:
            item = enqueuer.get()
            x = item[0] if isinstance(item, tuple) and len(item) in (2, 3) else item
            try:
                arrays, size = data.input_arrays(model, x, batch_dim=True)
            except ValueError as e:
                raise ValueError('predict_generator, batch %d from the generator: %s'
                                 % (index, e)) from None
            chunks.append(function(arrays))
            seen, index = seen + size, index + 1
    outputs = [np.concatenate([c[i] for c in chunks])[:val_samples]
               for i in range(len(chunks[0]))]
    return unpack(outputs)


def _batch(model, item, where, index, class_weight):
    """The arrays the train/test function takes for one generator item, and its size."""
    if not isinstance(item, (tuple, list)) or len(item) not in (2, 3):
        raise ValueError('%s: the generator must yield tuples (inputs, targets) or (inputs, '
                         'targets, sample_weights); batch %d is %s.'
                         % (where, index, _describe(item)))
    x, y, weights = tuple(item) + (None,) * (3 - len(item))
    try:
        return data.loss_arrays(model, x, y, weights, class_weight, batch_dim=True)
    except ValueError as e:
        raise ValueError('%s, batch %d from the generator: %s' % (where, index, e)) from None


def _describe(value):
    if isinstance(value, (tuple, list)):
        return 'a %s of %d items' % (type(value).__name__, len(value))
    shape = getattr(value, 'shape', None)
    return 'a %s%s' % (type(value).__name__, '' if shape is None else ' of shape %s'
                       % (tuple(shape),))


def _check_count(where, what, value):
    if not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError('%s: %s must be a positive number of samples; got %r.'
                         % (where, what, value))
