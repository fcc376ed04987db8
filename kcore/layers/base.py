"""What the layer families share: the weighted-layer base (``WeightedLayer``: init,
activation, W/b regularizers and constraints, bias) and the checks of their arguments and
input shapes, whose errors name the layer, what it got and what it expects."""
import functools
import inspect
import numbers

from kcore import activations, constraints, initializations, regularizers
from kcore import backend as K
from kcore.engine.topology import Layer
from kcore.utils.conv_utils import conv_output_length

BORDER_MODES = ('valid', 'same')


# ------------------------------------------------------------------ arguments
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
    """``value`` as an int; ValueError naming the layer if it is not an int > 0."""
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


def take_input_dim(kwargs, input_dim):
    """Turn the ``input_dim`` shortcut into ``input_shape`` unless a shape is given."""
    if input_dim is not None and 'input_shape' not in kwargs and 'batch_input_shape' not in kwargs:
        kwargs['input_shape'] = (input_dim,)


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


def check_rank(layer, input_shape, rank, wanted, exact=False):
    """ValueError naming the layer, the shape it got and the shape ``wanted`` when
    ``input_shape`` has fewer than ``rank`` axes (or not exactly ``rank`` if ``exact``)."""
    n = len(input_shape) if input_shape is not None else 0
    if n < rank or (exact and n != rank):
        raise ValueError('Layer %s expects input of shape %s (%s %d axes, batch included); '
                         'got shape %s.' % (layer.name, wanted, 'exactly' if exact else 'at least',
                                            rank, input_shape))


def output_lengths(layer, input_shape, lengths, windows, border_mode, strides, what):
    """The output length of each spatial axis (``lengths``, taken from ``input_shape``);
    ValueError naming the layer when an axis is shorter than its window with 'valid'."""
    result = tuple(conv_output_length(n, w, border_mode, s)
                   for n, w, s in zip(lengths, windows, strides))
    if any(r is not None and r < 1 for r in result):
        raise ValueError("Layer %s got input shape %s, too small for %s %s with border_mode "
                         "'valid': each spatial axis %s needs at least as many steps as the "
                         "window." % (layer.name, tuple(input_shape), what, tuple(windows),
                                      tuple(lengths)))
    return result


# --------------------------------------------------------- activations, configs
def get_activation(identifier):
    """An activation by name (custom_objects in scope first) or the callable itself."""
    if isinstance(identifier, str):
        from kcore.engine import serialization
        return serialization.get_object(identifier, 'activations')
    return activations.get(identifier)


def activation_config(function):
    """The name a config stores for an activation function."""
    return getattr(function, '__name__', None) or type(function).__name__


def config_of(obj):
    """``obj.get_config()``, or None for None (regularizers and constraints in configs)."""
    return obj.get_config() if obj is not None and hasattr(obj, 'get_config') else None


# ------------------------------------------------------------ weighted layers
def init_with_ordering(init, dim_ordering):
    """``init`` with ``dim_ordering`` bound when it takes one (the built-in initializations
    compute conv fans per ordering); a custom ``init(shape, name=None)`` as it is."""
    try:
        params = inspect.signature(init).parameters.values()
    except (TypeError, ValueError):
        return init
    if any(p.name == 'dim_ordering' or p.kind == p.VAR_KEYWORD for p in params):
        return functools.partial(init, dim_ordering=dim_ordering)
    return init


class WeightedLayer(Layer):
    """The arguments init, activation, W/b regularizers, activity_regularizer, W/b
    constraints and bias, their config, and weight creation.

    Decision: Keras 1's signatures spell ``W_constraint``/``b_constraint`` and its argument
    lists ``W_constraints``/``b_constraints``; the singular is the argument and the plural
    is accepted as an alias (both at once is an error); configs write the singular.
    """

    def __init__(self, init='glorot_uniform', activation='linear', W_regularizer=None,
                 b_regularizer=None, activity_regularizer=None, W_constraint=None,
                 b_constraint=None, bias=True, **kwargs):
        W_constraint = _constraint_alias(self, 'W', W_constraint, kwargs)
        b_constraint = _constraint_alias(self, 'b', b_constraint, kwargs)
        super().__init__(**kwargs)
        self.init = initializations.get(init)
        self.activation = get_activation(activation)
        self.W_regularizer = regularizers.get(W_regularizer)
        self.b_regularizer = regularizers.get(b_regularizer)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.W_constraint = constraints.get(W_constraint)
        self.b_constraint = constraints.get(b_constraint)
        self.bias = bias

    def _weight(self, suffix, shape, init=None, regularized=True):
        """Add the weight '<name>_<suffix>'; W* and b* get the W or b regularizer and
        constraint unless ``regularized`` is False."""
        kind = suffix[0]
        return self.add_weight(
            shape, init or self.init, name='%s_%s' % (self.name, suffix),
            regularizer=getattr(self, kind + '_regularizer') if regularized else None,
            constraint=getattr(self, kind + '_constraint') if regularized else None)

    def _affine(self, x, W, b):
        output = K.dot(x, W)
        if not self.bias:
            return output
        return K.bias_add(output, b) if K.ndim(b) == 1 else output + b   # MaxoutDense: 2D b

    def get_config(self):
        config = {'init': self.init.__name__,
                  'activation': activation_config(self.activation),
                  'W_regularizer': config_of(self.W_regularizer),
                  'b_regularizer': config_of(self.b_regularizer),
                  'activity_regularizer': config_of(self.activity_regularizer),
                  'W_constraint': config_of(self.W_constraint),
                  'b_constraint': config_of(self.b_constraint),
                  'bias': self.bias}
        return dict(super().get_config(), **config)


def _constraint_alias(layer, kind, singular, kwargs):
    plural = kind + '_constraints'
    if plural not in kwargs:
        return singular
    if singular is not None:
        raise TypeError('%s got both %s_constraint and %s (the same argument, the doc spells it '
                        'both ways); give only %s_constraint.'
                        % (type(layer).__name__, kind, plural, kind))
    return kwargs.pop(plural)
