"""Weight initializations (``kcore.initializations``), registered through the plugin hooks.

Each one is a function ``init(shape, name=None, dim_ordering='th')`` that returns a
new backend variable, as in Keras 1.1.2 (the same names, scales and fans). A custom
initialization is any callable ``(shape, name=None)`` returning a variable.
"""
import numpy as np

from kcore import backend as K
from kcore.plugins import hookimpl
from kcore.utils.generic_utils import get_from_module  # noqa: F401 (a Keras 1 name here)


def get_fans(shape, dim_ordering='th'):
    """(fan_in, fan_out) of a weight of ``shape``.

    2D: (input_dim, output_dim). 3D: a Convolution1D kernel (length, input_dim, nb_filter),
    with the fans Keras 1.1.2 gave its 4D form (length, 1, input_dim, nb_filter).
    4D/5D: convolution kernels, 'th' (nb_filter, stack, *spatial) or 'tf' (*spatial, stack,
    nb_filter). Any other rank: sqrt(size) for both, as Keras 1.1.2 does.
    """
    shape = tuple(shape)
    if len(shape) == 2:
        return shape[0], shape[1]
    if len(shape) == 3:
        return shape[0] * shape[1], shape[0] * shape[2]
    if len(shape) in (4, 5):
        if dim_ordering == 'th':
            field = int(np.prod(shape[2:]))
            return shape[1] * field, shape[0] * field
        if dim_ordering == 'tf':
            field = int(np.prod(shape[:-2]))
            return shape[-2] * field, shape[-1] * field
        raise ValueError("Invalid dim_ordering %r for the fans of a kernel of shape %s: "
                         "expected 'th' or 'tf'." % (dim_ordering, shape))
    size = np.sqrt(np.prod(shape)) if shape else 1.0
    return size, size


def uniform(shape, scale=0.05, name=None, dim_ordering='th'):
    """U(-scale, scale)."""
    return K.random_uniform_variable(shape, -scale, scale, name=name)


def normal(shape, scale=0.05, name=None, dim_ordering='th'):
    """N(0, scale**2)."""
    return K.random_normal_variable(shape, 0.0, scale, name=name)


def lecun_uniform(shape, name=None, dim_ordering='th'):
    """U(-s, s) with s = sqrt(3 / fan_in) (LeCun 98)."""
    fan_in, _ = get_fans(shape, dim_ordering)
    return uniform(shape, np.sqrt(3. / fan_in), name=name)


def glorot_normal(shape, name=None, dim_ordering='th'):
    """N(0, s**2) with s = sqrt(2 / (fan_in + fan_out)) (Glorot 2010)."""
    fan_in, fan_out = get_fans(shape, dim_ordering)
    return normal(shape, np.sqrt(2. / (fan_in + fan_out)), name=name)


def glorot_uniform(shape, name=None, dim_ordering='th'):
    """U(-s, s) with s = sqrt(6 / (fan_in + fan_out)) (Glorot 2010)."""
    fan_in, fan_out = get_fans(shape, dim_ordering)
    return uniform(shape, np.sqrt(6. / (fan_in + fan_out)), name=name)


def he_normal(shape, name=None, dim_ordering='th'):
    """N(0, s**2) with s = sqrt(2 / fan_in) (He et al. 2014)."""
    fan_in, _ = get_fans(shape, dim_ordering)
    return normal(shape, np.sqrt(2. / fan_in), name=name)


def he_uniform(shape, name=None, dim_ordering='th'):
    """U(-s, s) with s = sqrt(6 / fan_in)."""
    fan_in, _ = get_fans(shape, dim_ordering)
    return uniform(shape, np.sqrt(6. / fan_in), name=name)


def orthogonal(shape, scale=1.1, name=None, dim_ordering='th'):
    """``scale`` times a random orthogonal matrix (Saxe et al.).

    The doc restricts it to square 2D weights; as in Keras 1.1.2 any shape of rank >= 2
    works: the weight, seen as (shape[0], prod(shape[1:])), has orthonormal rows or
    columns (whichever there are fewer of).
    """
    shape = tuple(shape)
    if len(shape) < 2:
        raise ValueError('orthogonal initialization needs a weight of rank >= 2; got shape %s.'
                         % (shape,))
    flat = (shape[0], int(np.prod(shape[1:])))
    a = np.random.normal(0.0, 1.0, flat)
    u, _, v = np.linalg.svd(a, full_matrices=False)
    q = u if u.shape == flat else v
    return K.variable(scale * q.reshape(shape), name=name)


def identity(shape, scale=1, name=None, dim_ordering='th'):
    """``scale`` times the identity matrix; only for square 2D weights."""
    shape = tuple(shape)
    if len(shape) != 2 or shape[0] != shape[1]:
        raise ValueError('identity initialization works only on square 2D weights '
                         '(shape[0] == shape[1]); got shape %s.' % (shape,))
    return K.variable(scale * np.identity(shape[0]), name=name)


def zero(shape, name=None, dim_ordering='th'):
    """All zeros."""
    return K.zeros(shape, name=name)


def one(shape, name=None, dim_ordering='th'):
    """All ones."""
    return K.ones(shape, name=name)


ALL = (uniform, lecun_uniform, normal, identity, orthogonal, zero, one, glorot_normal,
       glorot_uniform, he_normal, he_uniform)
_ALIASES = {'zero': ('zeros',), 'one': ('ones',)}


def get(identifier):
    """An initialization by name (custom_objects in scope first, then the registry), or
    ``identifier`` itself if callable."""
    if callable(identifier):
        return identifier
    if not isinstance(identifier, str):
        raise ValueError('An initialization must be a name or a callable (shape, name=None) '
                         '-> variable; got %r.' % (identifier,))
    from kcore.engine import serialization
    return serialization.get_object(identifier, 'initializations')


@hookimpl
def register_initializations(register):
    for function in ALL:
        register(function.__name__, function, aliases=_ALIASES.get(function.__name__, ()))
