"""Helpers on Keras tensors: backend tensors that carry ``_keras_shape``,
``_keras_history = (layer, node_index, tensor_index)`` and ``_uses_learning_phase``."""
import inspect

from kcore import backend as K


def to_list(x):
    """``x`` if it is a list, else ``[x]`` (a tuple is a shape, so it stays whole)."""
    return x if isinstance(x, list) else [x]


def unpack(values):
    """The single element of a one-element list, else the list."""
    return values[0] if len(values) == 1 else values


def is_keras_tensor(x):
    return getattr(x, '_keras_history', None) is not None


def shape_of(x):
    """The shape kcore knows for ``x``: its ``_keras_shape``, else the backend's static shape."""
    shape = getattr(x, '_keras_shape', None)
    return tuple(shape) if shape is not None else tuple(K.int_shape(x))


def normalize_shape(shape):
    """A shape (or a list of shapes) with tuples everywhere: configs bring lists."""
    if shape is None:
        return None
    if isinstance(shape, list) and shape and all(isinstance(s, (list, tuple)) or s is None
                                                 for s in shape):
        return [normalize_shape(s) for s in shape]
    return tuple(shape)


def same_tensors(xs, ys):
    return len(xs) == len(ys) and all(x is y for x, y in zip(xs, ys))


def fresh(x, others):
    """``x``, or a new tensor equal to it when ``x`` is one of ``others`` or already
    belongs to a layer: tagging it would rewrite the other layer's history."""
    if not is_keras_tensor(x) and not any(x is o for o in others):
        return x
    return K.identity(x)


_MASK_ARG = {}


def call_layer(layer, x, mask):
    """``layer.call(x, mask=mask)``, or ``layer.call(x)`` when its call takes no mask."""
    cls = type(layer)
    if cls not in _MASK_ARG:
        params = inspect.signature(layer.call).parameters
        _MASK_ARG[cls] = 'mask' in params or any(
            p.kind == p.VAR_KEYWORD for p in params.values())
    return layer.call(x, mask=mask) if _MASK_ARG[cls] else layer.call(x)


def describe_tensor(x):
    """A short description of a tensor for errors: its name (if any) and shape."""
    name = getattr(x, 'name', None)
    try:
        shape = shape_of(x)
    except Exception:
        shape = '?'
    return '%s (shape %s)' % (name, shape) if name else 'a tensor of shape %s' % (shape,)
