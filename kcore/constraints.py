"""Weight constraints (``kcore.constraints``): callables ``p -> constrained p`` that the
optimizer applies to a weight after each update (``W_constraint=maxnorm(2)``)."""
from kcore import backend as K
from kcore.plugins import hookimpl
from kcore.utils.generic_utils import get_from_module  # noqa: F401 (a Keras 1 name here)


class Constraint:
    """Base class: the identity."""

    def __call__(self, p):
        return p

    def get_config(self):
        return {'name': self.__class__.__name__}

    def __repr__(self):
        items = sorted((k, v) for k, v in self.get_config().items() if k != 'name')
        return '%s(%s)' % (self.__class__.__name__, ', '.join('%s=%r' % kv for kv in items))


def _norms(p, axis):
    return K.sqrt(K.sum(K.square(p), axis=axis, keepdims=True))


class MaxNorm(Constraint):
    """Rescale the weight vectors along ``axis`` whose L2 norm exceeds ``m`` to norm ``m``.

    With the default ``axis=0`` each column of a Dense weight (input_dim, output_dim),
    i.e. the incoming weights of one unit, is constrained.
    """

    def __init__(self, m=2, axis=0):
        self.m = m
        self.axis = axis

    def __call__(self, p):
        norms = _norms(p, self.axis)
        desired = K.clip(norms, 0, self.m)
        return p * (desired / (K.epsilon() + norms))

    def get_config(self):
        return {'name': self.__class__.__name__, 'm': self.m, 'axis': self.axis}


class NonNeg(Constraint):
    """Set negative weights to zero."""

    def __call__(self, p):
        return p * K.cast(K.greater_equal(p, 0.), K.floatx())


class UnitNorm(Constraint):
    """Divide the weight vectors along ``axis`` by their L2 norm.

    Decision (the doc says "along the last axis", Keras 1.1.2 and our contract use
    ``axis=0``): the default is ``axis=0``, like MaxNorm: each column of a Dense weight
    gets unit norm. ``unitnorm(axis=-1)`` gives the other reading.
    """

    def __init__(self, axis=0):
        self.axis = axis

    def __call__(self, p):
        return p / (K.epsilon() + _norms(p, self.axis))

    def get_config(self):
        return {'name': self.__class__.__name__, 'axis': self.axis}


identity = Constraint
maxnorm = MaxNorm
nonneg = NonNeg
unitnorm = UnitNorm


def get(identifier, kwargs=None):
    """A constraint from None, an instance or callable, a config dict ``{'name': ...,
    **kwargs}`` (what ``get_config`` returns), or a name (instantiated with ``kwargs``)."""
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        kwargs = {k: v for k, v in identifier.items() if k != 'name'}
        identifier = identifier.get('name')
    if isinstance(identifier, str):
        from kcore.engine import serialization
        return serialization.get_object(identifier, 'constraints')(**(kwargs or {}))
    if isinstance(identifier, type):
        return identifier(**(kwargs or {}))
    if callable(identifier):
        return identifier
    raise ValueError('A constraint must be None, a callable, a name or a config dict; got %r.'
                     % (identifier,))


@hookimpl
def register_constraints(register):
    register('Constraint', Constraint, aliases=('identity',))
    for cls in (MaxNorm, NonNeg, UnitNorm):   # lookup ignores case: 'maxnorm' finds MaxNorm
        register(cls.__name__, cls)
