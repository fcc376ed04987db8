"""Argument checks, input-shape checks and length arithmetic shared by the
convolutional layers."""
import numbers

from kcore import backend as K
from kcore.utils.conv_utils import conv_output_length  # noqa: F401 (the layers' length rule)

BORDER_MODES = ('valid', 'same')


def who(layer):
    """'Convolution2D' before the layer has a name, 'Convolution2D conv_1' after."""
    name = getattr(layer, 'name', None)
    return '%s %s' % (type(layer).__name__, name) if name else type(layer).__name__


def is_int(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _is_seq(value):
    return isinstance(value, (tuple, list))


def ordering(layer, dim_ordering):
    """'th' or 'tf'; 'default' (the documented default) is the config's image_dim_ordering."""
    if dim_ordering in (None, 'default'):
        return K.image_dim_ordering()
    if dim_ordering not in ('th', 'tf'):
        raise ValueError("%s: dim_ordering must be 'th', 'tf' or 'default'; got %r."
                         % (who(layer), dim_ordering))
    return dim_ordering


def border_mode(layer, value):
    if value not in BORDER_MODES:
        raise ValueError("%s: border_mode must be 'valid' or 'same'; got %r."
                         % (who(layer), value))
    return value


def positive_ints(layer, key, value, n):
    """``value`` (an int, or a tuple/list of ``n`` ints) as a tuple of ``n`` ints > 0."""
    values = (value,) * n if is_int(value) else value
    if not _is_seq(values) or len(values) != n or not all(is_int(v) and v > 0 for v in values):
        wanted = 'an integer > 0' + ('' if n == 1 else ' or a tuple of %d integers > 0' % n)
        raise ValueError('%s: %s must be %s; got %r.' % (who(layer), key, wanted, value))
    return tuple(int(v) for v in values)


def positive_int(layer, key, value):
    return positive_ints(layer, key, value, 1)[0]


def side_pairs(layer, key, value, n):
    """Cropping or padding amounts as ``n`` (before, after) pairs of ints >= 0.

    ``value`` may be one int (every side), for n == 1 one (before, after) pair, ``n``
    ints (each axis, both sides) or ``n`` pairs.
    """
    if is_int(value):
        pairs = ((value, value),) * n
    elif n == 1 and _is_seq(value) and len(value) == 2 and all(map(is_int, value)):
        pairs = (tuple(value),)
    elif _is_seq(value) and len(value) == n and all(map(is_int, value)):
        pairs = tuple((v, v) for v in value)
    else:
        pairs = value
    if not (_is_seq(pairs) and len(pairs) == n and all(
            _is_seq(p) and len(p) == 2 and all(is_int(v) and v >= 0 for v in p) for p in pairs)):
        wanted = ('an int or a (before, after) pair' if n == 1 else
                  'an int, %d ints or %d (before, after) pairs' % (n, n))
        raise ValueError('%s: %s must be %s of integers >= 0; got %r.'
                         % (who(layer), key, wanted, value))
    return tuple((int(a), int(b)) for a, b in pairs)


# ------------------------------------------------------------- input shapes
def spatial_axes(dim_ordering, rank):
    """The axes of the ``rank`` spatial dimensions in a batch of that ordering."""
    return tuple(range(2, rank + 2)) if dim_ordering == 'th' else tuple(range(1, rank + 1))


def channel_axis(dim_ordering, rank):
    return 1 if dim_ordering == 'th' else rank + 1


def layout(dim_ordering, names, channels='channels'):
    """How an input is laid out, e.g. '(samples, channels, rows, cols)'."""
    axes = [channels] + list(names) if dim_ordering == 'th' else list(names) + [channels]
    return '(%s)' % ', '.join(['samples'] + axes)


def check_input_shape(layer, input_shape, dim_ordering, names, channels='channels'):
    """ValueError naming the layer, the shape it got and the layout it wants when
    ``input_shape`` does not have 2 + len(names) axes."""
    ndim = len(names) + 2
    if input_shape is None or len(input_shape) != ndim:
        wanted = layout(dim_ordering, names, channels)
        if len(names) > 1:
            wanted += " ('%s' dim_ordering)" % dim_ordering
        raise ValueError('Layer %s expects %dD input of shape %s; got shape %s.'
                         % (layer.name, ndim, wanted, input_shape and tuple(input_shape)))


# -------------------------------------------------------- length arithmetic
def deconv_length_range(length, size, mode, stride):
    """The output lengths (low, high) a transposed convolution of ``length`` can have:
    o = s (i - 1) + a + k - 2p (the doc's formula), a in [0, s - 1]."""
    if mode == 'valid':
        low = stride * (length - 1) + size
        return low, low + stride - 1
    return stride * (length - 1) + 1, stride * length


def deconv_length(length, size, mode, stride):
    """The output length chosen when ``output_shape`` leaves it None: s (i - 1) + k for
    'valid' (a = 0), s * i for 'same'. ``length`` may be a backend scalar."""
    if mode == 'valid':
        return length * stride + (size - stride)
    return length * stride
