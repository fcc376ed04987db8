"""Layers that rearrange their input: Flatten, Reshape, Permute, RepeatVector."""
import numbers

import numpy as np

from kcore import backend as K
from kcore.engine.tensors import shape_of
from kcore.engine.topology import InputSpec, Layer
from kcore.layers.base import positive_int


class Flatten(Layer):
    """Flatten every axis but the batch axis: (None, 64, 32, 32) -> (None, 65536)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.input_spec = [InputSpec(ndim='2+')]

    def get_output_shape_for(self, input_shape):
        if not all(input_shape[1:]):
            raise ValueError('Layer %s: the shape of its input is not fully defined (got %s); '
                             'Flatten needs every axis but the batch axis. Pass a complete '
                             'input_shape or batch_input_shape to the first layer of the model.'
                             % (self.name, tuple(input_shape)))
        return (input_shape[0], int(np.prod(input_shape[1:])))

    def call(self, x, mask=None):
        return K.batch_flatten(x)


class Reshape(Layer):
    """Reshape to ``(batch_size,) + target_shape``; one entry of ``target_shape`` may be
    -1 (inferred from the input's size)."""

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        self.target_shape = _target_shape(self, target_shape)

    def get_output_shape_for(self, input_shape):
        return (input_shape[0],) + self._resolve(input_shape[1:])

    def _resolve(self, shape):
        """``target_shape`` with its -1 filled in from the input's ``shape`` (no batch axis);
        ValueError if the sizes do not match."""
        target = self.target_shape
        known = int(np.prod([d for d in target if d != -1]))
        if not all(shape):      # unknown input size: nothing to check or infer
            return tuple(None if d == -1 else d for d in target)
        size = int(np.prod(shape))
        if -1 in target:
            if size % known:
                raise self._mismatch(shape, size)
            return tuple(size // known if d == -1 else d for d in target)
        if size != known:
            raise self._mismatch(shape, size)
        return target

    def _mismatch(self, shape, size):
        return ValueError('Layer %s cannot reshape an input of shape %s (%d values per sample) to '
                          'target_shape %s: the total size must stay the same.'
                          % (self.name, (None,) + tuple(shape), size, self.target_shape))

    def call(self, x, mask=None):
        target = self._resolve(shape_of(x)[1:])
        if None not in target and -1 not in target:
            return K.reshape(x, (-1,) + target)
        return K.reshape(x, (K.shape(x)[0],) + self.target_shape)

    def get_config(self):
        return dict(super().get_config(), target_shape=self.target_shape)


def _target_shape(layer, target_shape):
    try:
        target = tuple(target_shape)
    except TypeError:
        target = None
    if (target is None or not target
            or not all(isinstance(d, numbers.Integral) and (d > 0 or d == -1) for d in target)
            or target.count(-1) > 1):
        raise ValueError('Layer %s: target_shape must be a non-empty tuple of integers > 0 '
                         '(one of them may be -1), without the batch axis; got %r.'
                         % (layer.name, target_shape))
    return tuple(int(d) for d in target)


class Permute(Layer):
    """Permute the non-batch axes by ``dims`` (1-indexed): Permute((2, 1)) turns
    (None, 10, 64) into (None, 64, 10)."""

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        try:
            dims = tuple(int(d) for d in dims)
        except (TypeError, ValueError):
            dims = None
        if dims is None or sorted(dims) != list(range(1, len(dims) + 1)):
            raise ValueError('Layer %s: dims must be a permutation of 1..n (the non-batch axes, '
                             'numbered from 1), e.g. (2, 1); got %r.' % (self.name, dims))
        self.dims = dims
        self.input_spec = [InputSpec(ndim=len(dims) + 1)]

    def get_output_shape_for(self, input_shape):
        return (input_shape[0],) + tuple(input_shape[d] for d in self.dims)

    def call(self, x, mask=None):
        return K.permute_dimensions(x, (0,) + self.dims)

    def get_config(self):
        return dict(super().get_config(), dims=self.dims)


class RepeatVector(Layer):
    """Repeat the input n times: (nb_samples, features) -> (nb_samples, n, features)."""

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        self.n = positive_int(self, 'n', n)
        self.input_spec = [InputSpec(ndim=2)]

    def get_output_shape_for(self, input_shape):
        return (input_shape[0], self.n, input_shape[1])

    def call(self, x, mask=None):
        return K.repeat(x, self.n)

    def get_config(self):
        return dict(super().get_config(), n=self.n)
