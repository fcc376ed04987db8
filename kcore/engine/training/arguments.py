"""Checks of the numeric and option arguments of fit, evaluate, predict and the generator
methods: each error names the call, the argument, the value and what is allowed."""
import numbers

import numpy as np

VERBOSE_LEVELS = (0, 1, 2)


def _is_int(value):
    return isinstance(value, (numbers.Integral, np.integer)) and not isinstance(
        value, (bool, np.bool_))


def _fail(where, name, value, allowed, error=ValueError):
    raise error('%s(%s=%r): %s must be %s; got %r.' % (where, name, value, name, allowed, value))


def integer(where, name, value, minimum):
    """``value`` as an int, checked to be an integer >= ``minimum``."""
    if not _is_int(value):
        _fail(where, name, value, 'an integer >= %d' % minimum, TypeError)
    if value < minimum:
        _fail(where, name, value, 'an integer >= %d' % minimum)
    return int(value)


def verbose(where, value):
    if not _is_int(value) or value not in VERBOSE_LEVELS:
        _fail(where, 'verbose', value, 'one of 0, 1, 2')
    return int(value)


def fraction(where, name, value):
    """A number in [0, 1)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real) or \
            not 0 <= value < 1:
        _fail(where, name, value, 'a number in [0, 1)')
    return float(value)


def shuffle(where, value):
    if not (isinstance(value, (bool, np.bool_)) or value == 'batch'):
        _fail(where, 'shuffle', value, "True, False or 'batch'")
    return value


def epochs(where, nb_epoch, initial_epoch):
    """(nb_epoch, initial_epoch) as ints: nb_epoch >= 0, 0 <= initial_epoch <= nb_epoch."""
    nb_epoch = integer(where, 'nb_epoch', nb_epoch, 0)
    initial_epoch = integer(where, 'initial_epoch', initial_epoch, 0)
    if initial_epoch > nb_epoch:
        _fail(where, 'initial_epoch', initial_epoch,
              'at most nb_epoch=%d (the epochs run are initial_epoch to nb_epoch - 1)'
              % nb_epoch)
    return nb_epoch, initial_epoch


_HOOKS = ('set_model', 'set_params', 'on_epoch_begin', 'on_epoch_end', 'on_batch_begin',
          'on_batch_end', 'on_train_begin', 'on_train_end')


def callbacks(where, value):
    """The list of callbacks, each checked to have the callback hooks."""
    if value is None:
        return []
    if not isinstance(value, (list, tuple)):
        raise TypeError('%s(callbacks=%r): callbacks must be a list of Callback instances; got '
                        '%s.' % (where, value, type(value).__name__))
    for i, callback in enumerate(value):
        missing = [h for h in _HOOKS if not callable(getattr(callback, h, None))]
        if missing:
            raise TypeError('%s(callbacks=...): callbacks[%d] is %r, not a Callback instance '
                            '(it has no %s). Pass instances such as EarlyStopping(), not names '
                            'or classes.' % (where, i, callback, ', '.join(missing)))
    return list(value)


def workers(where, max_q_size, nb_worker):
    return integer(where, 'max_q_size', max_q_size, 1), integer(where, 'nb_worker', nb_worker, 1)


def finite(where, arrays, names, check):
    """Refuse arrays holding NaN or infinite values, unless ``check`` is False."""
    if not check:
        return
    for array, name in zip(arrays, names):
        if not isinstance(array, np.ndarray) or array.dtype.kind not in 'fc':
            continue
        bad = array.size - int(np.count_nonzero(np.isfinite(array)))
        if bad:
            nan = int(np.count_nonzero(np.isnan(array)))
            first = np.argwhere(~np.isfinite(array))[0]
            raise ValueError(
                '%s: %s holds %d non-finite value(s) (%d NaN, %d inf), the first at index %s. '
                'Training on them gives NaN weights while the reported loss may stay finite. '
                'Clean the data, or pass check_finite=False to use it as it is.'
                % (where, name, bad, nan, bad - nan, tuple(int(i) for i in first)))
