"""Helpers shared by the core layers: argument checks, activations, error messages."""
import numbers

from kcore import activations


def positive_int(layer, key, value):
    """``value`` as an int; ValueError naming the layer class if it is not an int > 0."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value <= 0:
        raise ValueError('%s: %s must be an integer > 0; got %r.'
                         % (type(layer).__name__, key, value))
    return int(value)


def check_rank(layer, input_shape, rank, wanted, exact=False):
    """ValueError naming the layer, the shape it got and the shape ``wanted`` when
    ``input_shape`` has fewer than ``rank`` axes (or not exactly ``rank`` if ``exact``)."""
    n = len(input_shape) if input_shape is not None else 0
    if n < rank or (exact and n != rank):
        raise ValueError('Layer %s expects input of shape %s (%s %d axes, batch included); '
                         'got shape %s.' % (layer.name, wanted, 'exactly' if exact else 'at least',
                                            rank, input_shape))


def take_input_dim(kwargs, input_dim):
    """Turn the ``input_dim`` shortcut into ``input_shape`` unless a shape is given."""
    if input_dim is not None and 'input_shape' not in kwargs and 'batch_input_shape' not in kwargs:
        kwargs['input_shape'] = (input_dim,)


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
