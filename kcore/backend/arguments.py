"""Checks of backend-function arguments that every backend shares (plain Python, no tensors)."""
import numpy as np

BORDER_MODES = ('valid', 'same')


def is_int(v):
    """True for Python and numpy integers, False for bools."""
    return isinstance(v, (int, np.integer)) and not isinstance(v, bool)


def positive_ints(fn, arg, value, n):
    """``value`` (an int or a sequence of n ints) as a tuple of n positive ints."""
    values = (value,) * n if np.ndim(value) == 0 else tuple(value)
    if len(values) != n or not all(is_int(v) and v > 0 for v in values):
        raise ValueError('%s: %s must be a positive int or %d positive ints; got %r.'
                         % (fn, arg, n, value))
    return tuple(int(v) for v in values)


def border_mode(fn, value):
    """``value`` if it is 'valid' or 'same'; else a ValueError naming ``fn``."""
    if value not in BORDER_MODES:
        raise ValueError('%s: unknown border_mode %r; expected one of %s.'
                         % (fn, value, ', '.join(map(repr, BORDER_MODES))))
    return value


def step_results(output, new_states, states, phase_flag):
    """An rnn step function's new states as a list, checked against the previous ``states``;
    ``phase_flag`` (a list) gets True appended when ``output`` uses the learning phase."""
    if getattr(output, '_uses_learning_phase', False):
        phase_flag.append(True)
    new_states = list(new_states)
    if len(new_states) != len(states):
        raise ValueError('rnn: the step function returned %d states; expected %d, as many as '
                         'initial_states.' % (len(new_states), len(states)))
    return new_states
