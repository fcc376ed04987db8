"""fit_generator, evaluate_generator and predict_generator: training and evaluating on
the batches a generator yields, with the generator running ahead in worker threads (or
processes) through :class:`GeneratorEnqueuer`. Each loop receives the model's built
train, test or predict function and calls it for every batch."""
import warnings

import numpy as np

from kcore.engine.tensors import unpack
from kcore.engine.training import arguments, data
from kcore.engine.training.array_loops import (end_epoch, make_callbacks, test_loop,
                                               train_batch, training_params)
from kcore.engine.training.enqueuer import GeneratorEnqueuer, GeneratorExhausted


def fit_generator(model, train_function, test_function, generator, samples_per_epoch,
                  nb_epoch, verbose=1, callbacks=None, validation_data=None,
                  nb_val_samples=None, class_weight=None, max_q_size=10, nb_worker=1,
                  pickle_safe=False, initial_epoch=0, check_finite=True):
    """Train ``model`` with ``train_function`` on batches from ``generator``; an epoch ends
    once ``samples_per_epoch`` samples were seen; ``test_function`` evaluates
    ``validation_data`` (it may be None without). Returns the History."""
    _check_count('fit_generator', 'samples_per_epoch', samples_per_epoch)
    validation = _validation(model, validation_data, nb_val_samples, check_finite)
    params = training_params(model, None, nb_epoch, samples_per_epoch, verbose,
                             validation is not None)
    callback_list = make_callbacks(model, callbacks, verbose, params)
    model.stop_training = False
    workers = dict(max_q_size=max_q_size, nb_worker=nb_worker, pickle_safe=pickle_safe,
                   check_finite=check_finite)
    with callback_list.training(), GeneratorEnqueuer(generator, max_q_size, nb_worker,
                                                     pickle_safe) as enqueuer:
        for epoch in range(initial_epoch, nb_epoch):
            callback_list.on_epoch_begin(epoch)
            batch_size = _train_epoch(model, train_function, enqueuer, samples_per_epoch,
                                      class_weight, callback_list, check_finite)
            values = validation and _validate(model, test_function, validation,
                                              nb_val_samples, batch_size, workers)
            if end_epoch(model, callback_list, epoch, values):
                break
    return model.history


def _next(enqueuer, where, seen, wanted):
    """The generator's next item; an early end names the samples delivered."""
    try:
        return enqueuer.get()
    except GeneratorExhausted as e:
        raise RuntimeError('%s: the generator stopped after %d samples of %d (%d batches), '
                           'before the number of samples asked for. Generators must loop '
                           'forever (`while True:` around the `yield`).'
                           % (where, seen, wanted, e.items)) from None


def _train_epoch(model, function, enqueuer, samples_per_epoch, class_weight, callback_list,
                 check_finite):
    """Train on batches until the epoch's samples are seen; return the last batch size."""
    seen, index, size = 0, 0, None
    while seen < samples_per_epoch:
        item = _next(enqueuer, 'fit_generator', seen, samples_per_epoch)
        arrays, size = _batch(model, item, 'fit_generator', index, class_weight, check_finite)
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


def _validation(model, validation_data, nb_val_samples, check_finite):
    """None, ('generator', generator), or ('arrays', (arrays, count))."""
    if validation_data is None:
        return None
    if hasattr(validation_data, '__next__'):
        _check_count('fit_generator', 'nb_val_samples', nb_val_samples)
        return 'generator', validation_data
    arrays, count = data.validation_arrays(model, validation_data)
    model._check_finite('fit_generator', arrays, check_finite, 'validation ')
    return 'arrays', (arrays, count)


def _validate(model, function, validation, nb_val_samples, batch_size, workers):
    kind, source = validation
    if kind == 'generator':
        values = evaluate_generator(model, function, source, nb_val_samples, **workers)
        return values if isinstance(values, list) else [values]
    arrays, count = source
    return test_loop(function, arrays, count, batch_size or 32)


def evaluate_generator(model, function, generator, val_samples, max_q_size=10, nb_worker=1,
                       pickle_safe=False, check_finite=True):
    """The loss and metrics (``function``, the model's test function) over
    ``val_samples`` samples from ``generator``: batch values averaged, weighted by the
    batch sizes."""
    _check_count('evaluate_generator', 'val_samples', val_samples)
    totals, seen, index = None, 0, 0
    with GeneratorEnqueuer(generator, max_q_size, nb_worker, pickle_safe) as enqueuer:
        while seen < val_samples:
            item = _next(enqueuer, 'evaluate_generator', seen, val_samples)
            arrays, size = _batch(model, item, 'evaluate_generator', index, None, check_finite)
            values = [v * size for v in function(arrays)]
            totals = values if totals is None else [t + v for t, v in zip(totals, values)]
            seen, index = seen + size, index + 1
    averages = [t / seen for t in totals]
    return unpack(averages)


def predict_generator(model, function, generator, val_samples, max_q_size=10, nb_worker=1,
                      pickle_safe=False):
    """The outputs for the first ``val_samples`` samples that ``generator`` yields: items
    are inputs, or tuples (inputs, targets[, sample_weights]) whose inputs are used."""
    _check_count('predict_generator', 'val_samples', val_samples)
    chunks, seen, index = [], 0, 0
    with GeneratorEnqueuer(generator, max_q_size, nb_worker, pickle_safe) as enqueuer:
        while seen < val_samples:
            item = _next(enqueuer, 'predict_generator', seen, val_samples)
            x = item[0] if isinstance(item, tuple) and len(item) in (2, 3) else item
            try:
                arrays, size = data.input_arrays(model, x, batch_dim=True)
            except ValueError as e:
                raise ValueError('predict_generator, batch %d from the generator: %s'
                                 % (index, e)) from None
            _require_rows('predict_generator', index, size)
            chunks.append(function(arrays))
            seen, index = seen + size, index + 1
    outputs = [np.concatenate([c[i] for c in chunks])[:val_samples]
               for i in range(len(chunks[0]))]
    return unpack(outputs)


def _batch(model, item, where, index, class_weight, check_finite):
    """The arrays the train/test function takes for one generator item, and its size."""
    if not isinstance(item, (tuple, list)) or len(item) not in (2, 3):
        raise ValueError('%s: the generator must yield tuples (inputs, targets) or (inputs, '
                         'targets, sample_weights); batch %d is %s.'
                         % (where, index, data.describe(item)))
    x, y, weights = tuple(item) + (None,) * (3 - len(item))
    try:
        arrays, size = data.loss_arrays(model, x, y, weights, class_weight, batch_dim=True)
    except ValueError as e:
        raise ValueError('%s, batch %d from the generator: %s' % (where, index, e)) from None
    _require_rows(where, index, size)
    model._check_finite('%s, batch %d from the generator' % (where, index), arrays,
                        check_finite)
    return arrays, size


def _require_rows(where, index, size):
    # A 0-row batch would never advance the sample count: the loop would spin forever.
    if not size:
        raise ValueError('%s: batch %d from the generator has 0 rows; every batch needs at '
                         'least one sample.' % (where, index))


def _check_count(where, what, value):
    arguments.integer(where, what, value, 1)
