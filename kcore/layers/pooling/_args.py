"""Argument checks and output-length arithmetic shared by the pooling and
locally-connected layers."""
import numbers

BORDER_MODES = ('valid', 'same')


def check_border_mode(layer, border_mode):
    """``border_mode`` if it is 'valid' or 'same'; ValueError naming the layer otherwise."""
    if border_mode not in BORDER_MODES:
        raise ValueError("%s: border_mode must be 'valid' or 'same'; got %r."
                         % (type(layer).__name__, border_mode))
    return border_mode


def int_tuple(layer, key, value, n):
    """``value`` (an int > 0, or a sequence of ``n`` of them) as a tuple of ``n`` ints;
    ValueError naming the layer otherwise."""
    items = (value,) * n if _is_int(value) else value
    if (not isinstance(items, (tuple, list)) or len(items) != n
            or not all(_is_int(v) and v > 0 for v in items)):
        wanted = 'an integer > 0' + ('' if n == 1 else ' or a tuple of %d of them' % n)
        raise ValueError('%s: %s must be %s; got %r.' % (type(layer).__name__, key, wanted, value))
    return tuple(int(v) for v in items)


def _is_int(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def output_length(length, window, border_mode, stride):
    """The number of window positions along an axis of ``length`` (None if unknown):
    'valid' keeps windows inside the input, 'same' pads so that it is ceil(length / stride)."""
    if length is None:
        return None
    if border_mode == 'same':
        return (length + stride - 1) // stride
    return (length - window + stride) // stride


def same_padding(length, window, stride):
    """(before, after): the padding 'same' adds along an axis, the odd pixel at the end
    (TensorFlow's rule)."""
    out = (length + stride - 1) // stride
    total = max((out - 1) * stride + window - length, 0)
    return total // 2, total - total // 2


def output_lengths(layer, input_shape, lengths, windows, border_mode, strides, what):
    """``output_length`` for each spatial axis (``lengths``, taken from ``input_shape``);
    ValueError naming the layer when an axis is shorter than its window with 'valid'."""
    result = tuple(output_length(n, w, border_mode, s)
                   for n, w, s in zip(lengths, windows, strides))
    if any(r is not None and r < 1 for r in result):
        raise ValueError("Layer %s got input shape %s, too small for %s %s with border_mode "
                         "'valid': each spatial axis %s needs at least as many steps as the "
                         "window." % (layer.name, tuple(input_shape), what, tuple(windows),
                                      tuple(lengths)))
    return result
