"""The predefined Merge modes: checks, computation, output shape and output mask."""
from kcore import backend as K

MODES = ('sum', 'mul', 'concat', 'ave', 'max', 'cos', 'dot')
_ELEMENTWISE = ('sum', 'mul', 'ave', 'max')


def check_mode(name, mode):
    if not callable(mode) and mode not in MODES:
        raise ValueError('Merge %s: invalid mode %r; expected one of %s, or a function that '
                         'takes the list of tensors and returns one tensor.'
                         % (name, mode, ', '.join(repr(m) for m in MODES)))


def dot_axes(layer, shapes):
    """The pair of axes (batch axis = 0) that 'dot'/'cos' contract for these shapes."""
    axes = layer.dot_axes
    if isinstance(axes, int):
        axes = [axes % len(shapes[0]), axes % len(shapes[1])] if axes < 0 else [axes, axes]
    if not isinstance(axes, (list, tuple)) or len(axes) != 2 or not all(
            isinstance(a, int) for a in axes):
        raise ValueError('Merge %s: dot_axes must be an int or a pair of ints; got %r.'
                         % (layer.name, layer.dot_axes))
    return [axes[0] % len(shapes[0]), axes[1] % len(shapes[1])]


def check_shapes(layer, shapes):
    """Raise ValueError naming the layer when ``shapes`` cannot be merged in its mode."""
    mode = layer.mode
    if mode in _ELEMENTWISE and any(s != shapes[0] for s in shapes[1:]):
        raise ValueError('Merge %s: mode %r merges tensors of the same shape; got shapes %s.'
                         % (layer.name, mode, ', '.join(map(str, shapes))))
    if mode in ('dot', 'cos'):
        _check_pair(layer, shapes)
    if mode == 'concat':
        rest = set()
        for shape in shapes:
            shape = list(shape)
            if not -len(shape) <= layer.concat_axis < len(shape):
                raise ValueError('Merge %s: concat_axis=%d is out of range for shape %s.'
                                 % (layer.name, layer.concat_axis, tuple(shape)))
            del shape[layer.concat_axis]
            rest.add(tuple(shape))
        if len(rest) > 1:
            raise ValueError('Merge %s: mode "concat" needs shapes that match except along '
                             'concat_axis=%d; got shapes %s.'
                             % (layer.name, layer.concat_axis, ', '.join(map(str, shapes))))


def _check_pair(layer, shapes):
    if len(shapes) != 2:
        raise ValueError('Merge %s: mode %r takes exactly 2 tensors; got %d.'
                         % (layer.name, layer.mode, len(shapes)))
    if layer.mode == 'cos' and (len(shapes[0]) != 2 or shapes[0] != shapes[1]):
        raise ValueError('Merge %s: mode "cos" takes two 2D tensors (samples, features) of the '
                         'same shape; got shapes %s and %s.' % (layer.name, shapes[0], shapes[1]))
    a, b = dot_axes(layer, shapes)
    if a == 0 or b == 0:
        raise ValueError('Merge %s: dot_axes %r would contract the batch axis (axis 0); axes '
                         'count the batch axis as 0, so the first feature axis is 1.'
                         % (layer.name, layer.dot_axes))
    if shapes[0][a] != shapes[1][b]:
        raise ValueError('Merge %s: mode %r contracts axis %d of shape %s with axis %d of shape '
                         '%s, but their sizes differ (%s != %s).' % (
                             layer.name, layer.mode, a, shapes[0], b, shapes[1],
                             shapes[0][a], shapes[1][b]))


def compute(layer, inputs):
    mode = layer.mode
    if mode in ('sum', 'ave'):
        total = inputs[0]
        for x in inputs[1:]:
            total = total + x
        return total / len(inputs) if mode == 'ave' else total
    if mode == 'mul':
        product = inputs[0]
        for x in inputs[1:]:
            product = product * x
        return product
    if mode == 'max':
        largest = inputs[0]
        for x in inputs[1:]:
            largest = K.maximum(largest, x)
        return largest
    if mode == 'concat':
        return K.concatenate(inputs, axis=layer.concat_axis)
    x, y = inputs
    axes = dot_axes(layer, [K.int_shape(x), K.int_shape(y)])
    if mode == 'dot':
        return K.batch_dot(x, y, axes)
    norms = K.sqrt(K.sum(K.square(x), axis=1, keepdims=True) *
                   K.sum(K.square(y), axis=1, keepdims=True))
    return K.sum(x * y, axis=1, keepdims=True) / K.maximum(norms, K.epsilon())


def output_shape(layer, shapes):
    mode = layer.mode
    if mode in _ELEMENTWISE:
        return tuple(shapes[0])
    if mode == 'concat':
        shape = list(shapes[0])
        axis = layer.concat_axis
        sizes = [s[axis] for s in shapes]
        shape[axis] = None if any(s is None for s in sizes) else sum(sizes)
        return tuple(shape)
    if mode == 'cos':
        return (shapes[0][0], 1)
    a, b = dot_axes(layer, shapes)
    first = [d for i, d in enumerate(shapes[0]) if i != a]
    second = [d for i, d in enumerate(shapes[1]) if i not in (0, b)]
    shape = first + second
    return tuple(shape + [1] if len(shape) == 1 else shape)


def output_mask(layer, inputs, masks):
    """The merged mask: all masks AND-ed for element-wise modes; for 'concat' the masks
    follow their tensors along concat_axis; 'cos' and 'dot' drop the mask."""
    if masks is None or all(m is None for m in masks) or layer.mode in ('cos', 'dot'):
        return None
    if layer.mode in _ELEMENTWISE:
        present = [K.expand_dims(K.cast(m, 'bool'), 0) for m in masks if m is not None]
        return K.cast(K.all(K.concatenate(present, axis=0), axis=0), 'bool')
    full = []
    for x, m in zip(inputs, masks):
        ones = K.ones_like(x, dtype=K.floatx())
        if m is None:
            full.append(ones)
            continue
        m = K.cast(m, K.floatx())
        while K.ndim(m) < K.ndim(x):
            m = K.expand_dims(m, -1)
        full.append(ones * m)
    joined = K.concatenate(full, axis=layer.concat_axis)
    return K.cast(K.all(K.cast(joined, 'bool'), axis=-1), 'bool')
