"""Checks of backend-function arguments that every backend shares (plain Python, no tensors)."""
import warnings

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


def check_ndim(fn, ndim, shape, *allowed):
    """A ValueError naming ``fn`` unless ``ndim`` (None: unknown, accepted) is in ``allowed``;
    ``shape`` is shown in the message."""
    if ndim is not None and ndim not in allowed:
        raise ValueError('%s: expected a tensor with %s axes; got %s axes (shape %s).'
                         % (fn, ' or '.join(map(str, allowed)), ndim, shape))


def batch_dot_axes(x_ndim, y_ndim, axes):
    """``batch_dot``'s ``axes`` as a pair of non-negative axes: None contracts the last axis
    of x with the second-to-last of y (the last one when y is 2D); an int is both."""
    if x_ndim is None or y_ndim is None or x_ndim < 2 or y_ndim < 2:
        raise ValueError('batch_dot needs tensors of at least 2 known axes; got ndim %s and %s.'
                         % (x_ndim, y_ndim))
    if axes is None:
        axes = (x_ndim - 1, y_ndim - 2 if y_ndim > 2 else 1)
    elif is_int(axes):
        axes = (axes, axes)
    if len(axes) != 2:
        raise ValueError('batch_dot: `axes` must be an int or a pair of ints; got %r.' % (axes,))
    x_axis, y_axis = axes[0] % x_ndim, axes[1] % y_ndim
    if x_axis == 0 or y_axis == 0:
        raise ValueError('batch_dot cannot sum over the batch axis 0; got axes %r.' % (axes,))
    return x_axis, y_axis


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


def ignored_kwargs(fn, kwargs, accepted, backend):
    """The items of ``kwargs`` whose keys are in ``accepted``; a UserWarning names the others,
    which are ignored (Keras 1.1.2's TensorFlow backend warned and went on)."""
    unknown = sorted(set(kwargs) - set(accepted))
    if unknown:
        warnings.warn('%s: keyword arguments %s are ignored by the %s backend, which takes %s.'
                      % (fn, ', '.join(unknown), backend,
                         ', '.join(sorted(accepted)) or 'none'), stacklevel=3)
    return {key: value for key, value in kwargs.items() if key in accepted}


def check_call_inputs(inputs, declared):
    """The checks of a compiled function's call: ``inputs`` must be a list (or tuple) of
    arrays, one per ``declared`` input."""
    if not isinstance(inputs, (list, tuple)):
        raise TypeError('A kcore function is called with a list of arrays (one per input); '
                        'got %r.' % type(inputs))
    if len(inputs) != len(declared):
        names = [getattr(x, 'name', None) or repr(x) for x in declared]
        raise ValueError('This function expects %d inputs (%s) but got %d.'
                         % (len(declared), ', '.join(names), len(inputs)))


def ctc_search(greedy, beam_width, top_paths, dict_values):
    """``ctc_decode``'s (beam_width, top_paths), checked: ``beam_width`` None means 100 (the
    documentation's signature had None); greedy decoding returns one path (Keras 1.1.2
    ignored ``top_paths`` there); ``top_paths`` is at most ``beam_width`` (beam search) or
    the number of dictionary entries."""
    beam_width = 100 if beam_width is None else beam_width
    if dict_values is None and greedy:
        return beam_width, 1
    if not is_int(top_paths) or top_paths < 1:
        raise ValueError('ctc_decode: top_paths must be a positive int; got %r.' % (top_paths,))
    if dict_values is not None:
        if top_paths > len(dict_values):
            raise ValueError('ctc_decode: top_paths=%d but the dictionary has %d entries; ask '
                             'for at most as many paths as entries.'
                             % (top_paths, len(dict_values)))
    elif not is_int(beam_width) or beam_width < top_paths:
        raise ValueError('ctc_decode: beam_width must be an int >= top_paths (%d); got %r.'
                         % (top_paths, beam_width))
    return int(beam_width), int(top_paths)


def ctc_dictionary(dict_seq_lens, dict_values, nb_classes):
    """The dictionary of ``ctc_decode`` as a table: (entries (n, longest) int64 padded with
    -1, their lengths, the frames each needs: one per label plus a blank between repeats).
    ``nb_classes`` (blank included) may be None when unknown."""
    entries = [np.asarray(v, dtype=np.int64).reshape(-1) for v in dict_values]
    if not entries:
        raise ValueError('ctc_decode: dict_values is empty; expected a list of label sequences.')
    if dict_seq_lens is not None:
        dict_seq_lens = list(np.asarray(dict_seq_lens).reshape(-1))
        if len(dict_seq_lens) != len(entries):
            raise ValueError('ctc_decode: dict_seq_lens has %d lengths for %d dict_values; '
                             'expected one length per entry.' % (len(dict_seq_lens), len(entries)))
        entries = [e[:int(n)] for e, n in zip(entries, dict_seq_lens)]
    nb_labels = None if nb_classes is None else int(nb_classes) - 1
    for e in entries:
        if e.size and (e.min() < 0 or (nb_labels is not None and e.max() >= nb_labels)):
            raise ValueError('ctc_decode: dictionary entry %s has labels outside [0, %s); the '
                             'last class of y_pred is the blank.'
                             % (e.tolist(), nb_labels if nb_labels is not None else 'classes - 1'))
    table = np.full((len(entries), max([len(e) for e in entries] + [1])), -1, dtype=np.int64)
    for j, entry in enumerate(entries):
        table[j, :len(entry)] = entry
    lengths = np.array([len(e) for e in entries], dtype=np.int64)
    needed = lengths + np.array([np.sum(np.diff(e) == 0) for e in entries], dtype=np.int64)
    return table, lengths, needed
