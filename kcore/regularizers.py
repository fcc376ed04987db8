"""Regularizers (``kcore.regularizers``): penalties on weights or activations that the
engine adds to the loss (``layer.losses``).

A regularizer is called on a tensor and returns a scalar penalty tensor. The Keras 1
way also works: ``reg.set_param(weight)`` then ``reg()``; ``reg.set_layer(layer)`` then
``reg()`` sums an activity penalty over every output of the layer.

Decision: the penalty is returned as is. Keras 1.1.2 counted it only in the training
phase; whoever adds ``layer.losses`` to the loss chooses the phase.
"""
from kcore import backend as K
from kcore.plugins import hookimpl
from kcore.utils.generic_utils import get_from_module  # noqa: F401 (a Keras 1 name here)


class Regularizer:
    """Base class: no penalty."""

    def set_param(self, p):
        """Record the weight this regularizer penalises (for ``reg()`` without argument)."""
        self.p = p

    def set_layer(self, layer):
        """Record the layer whose outputs this regularizer penalises."""
        self.layer = layer

    def __call__(self, x=None):
        return K.constant(0.)

    def get_config(self):
        return {'name': self.__class__.__name__}

    def __repr__(self):
        items = sorted((k, v) for k, v in self.get_config().items() if k != 'name')
        return '%s(%s)' % (self.__class__.__name__, ', '.join('%s=%r' % kv for kv in items))


class _L1L2(Regularizer):
    """The two factors l1 and l2 (numbers >= 0) and their config."""

    def __init__(self, l1=0., l2=0.):
        self.l1 = _factor(self, 'l1', l1)
        self.l2 = _factor(self, 'l2', l2)
        self.uses_learning_phase = False

    def get_config(self):
        return {'name': self.__class__.__name__, 'l1': self.l1, 'l2': self.l2}


class WeightRegularizer(_L1L2):
    """l1 * sum(|w|) + l2 * sum(w ** 2)."""

    def __call__(self, x=None):
        if x is None:
            x = getattr(self, 'p', None)
            if x is None:
                raise ValueError('WeightRegularizer: call it on a weight, or call set_param(weight) '
                                 'first. (For a penalty on a layer\'s output use an '
                                 'ActivityRegularizer, e.g. activity_l2 rather than l2.)')
        return _penalty(self.l1, self.l2, K.sum(K.abs(x)), K.sum(K.square(x)))


class ActivityRegularizer(_L1L2):
    """l1 * sum(mean(|y|, axis=0)) + l2 * sum(mean(y ** 2, axis=0)) on a layer's output y:
    averaged over the batch, summed over the features (Keras 1.1.2)."""

    def __call__(self, x=None):
        if x is None:
            return self._layer_penalty()
        return _penalty(self.l1, self.l2, K.sum(K.mean(K.abs(x), axis=0)),
                        K.sum(K.mean(K.square(x), axis=0)))

    def _layer_penalty(self):
        layer = getattr(self, 'layer', None)
        if layer is None:
            raise ValueError('ActivityRegularizer: call it on a layer output, or call '
                             'set_layer(layer) first.')
        total = K.constant(0.)
        for i in range(len(layer.inbound_nodes)):
            total = total + self(layer.get_output_at(i))
        return total


class EigenvalueRegularizer(Regularizer):
    """Eigenvalue decay: ``k`` times the square root of the largest eigenvalue of W^T W
    (the largest singular value of the 2D weight W, for Dense and Embedding layers),
    estimated by Keras 1.1.2's 9 steps of power iteration from a vector of ones.

    Decision: each step is normalised (the estimate is the same; Keras 1.1.2's unscaled
    vector grows as the eigenvalue to the 9th power and overflows float32 on large W).
    """

    POWER_STEPS = 9

    def __init__(self, k):
        self.k = _factor(self, 'k', k)
        self.uses_learning_phase = False

    def __call__(self, x=None):
        w = x if x is not None else getattr(self, 'p', None)
        if w is None:
            raise ValueError('EigenvalueRegularizer: call it on a weight, or call '
                             'set_param(weight) first.')
        if K.ndim(w) != 2:
            raise ValueError('EigenvalueRegularizer works on 2D weights (Dense, Embedding); '
                             'got a weight with %d axes.' % K.ndim(w))
        return self.k * K.sqrt(_largest_eigenvalue(K.dot(K.transpose(w), w), self.POWER_STEPS))

    def get_config(self):
        return {'name': self.__class__.__name__, 'k': self.k}


def _largest_eigenvalue(matrix, steps):
    """The Rayleigh quotient v^T M v / v^T v after ``steps`` products of the symmetric
    ``matrix`` M with a vector that starts as ones."""
    vector = K.sum(matrix, axis=1, keepdims=True)     # M times a column of ones
    for _ in range(steps - 1):
        vector = K.dot(matrix, vector / K.sqrt(K.sum(K.square(vector)) + K.epsilon()))
    product = K.dot(matrix, vector)
    return K.sum(product * vector) / K.maximum(K.sum(K.square(vector)), K.epsilon())


def _factor(regularizer, key, value):
    try:
        value = float(value)
    except (TypeError, ValueError):
        value = None
    if value is None or value < 0:
        raise ValueError('%s: %s must be a number >= 0.' % (type(regularizer).__name__, key))
    return value


def _penalty(l1, l2, abs_sum, square_sum):
    terms = ([l1 * abs_sum] if l1 else []) + ([l2 * square_sum] if l2 else [])
    if not terms:
        return K.constant(0.)
    return terms[0] if len(terms) == 1 else terms[0] + terms[1]


def l1(l=0.01):
    """L1 weight penalty (LASSO)."""
    return WeightRegularizer(l1=l)


def l2(l=0.01):
    """L2 weight penalty (weight decay, Ridge)."""
    return WeightRegularizer(l2=l)


def l1l2(l1=0.01, l2=0.01):
    """L1 + L2 weight penalty (ElasticNet)."""
    return WeightRegularizer(l1=l1, l2=l2)


# The doc writes activity_l2(λ=0.01) and activity_l1l2(λ1=0.01, λ2=0.01), which Python
# cannot spell: the arguments are named l and l1, l2, as for the weight shortcuts.
def activity_l1(l=0.01):
    """L1 activity penalty."""
    return ActivityRegularizer(l1=l)


def activity_l2(l=0.01):
    """L2 activity penalty."""
    return ActivityRegularizer(l2=l)


def activity_l1l2(l1=0.01, l2=0.01):
    """L1 + L2 activity penalty."""
    return ActivityRegularizer(l1=l1, l2=l2)


def get(identifier, kwargs=None):
    """A regularizer from None, an instance, a config dict ``{'name': ..., **kwargs}``
    (what ``get_config`` returns), or a name (a class or shortcut, called with ``kwargs``)."""
    if identifier is None or isinstance(identifier, Regularizer):
        return identifier
    if isinstance(identifier, dict):
        kwargs = {k: v for k, v in identifier.items() if k != 'name'}
        identifier = identifier.get('name')
    if isinstance(identifier, str):
        from kcore.engine import serialization
        identifier = serialization.get_object(identifier, 'regularizers')
        return identifier(**(kwargs or {}))
    if isinstance(identifier, type):
        return identifier(**(kwargs or {}))
    if callable(identifier):
        return identifier
    raise ValueError('A regularizer must be None, a Regularizer, a name or a config dict; '
                     'got %r.' % (identifier,))


@hookimpl
def register_regularizers(register):
    for obj in (Regularizer, WeightRegularizer, ActivityRegularizer, EigenvalueRegularizer, l1,
                l2, l1l2, activity_l1, activity_l2, activity_l1l2):
        register(obj.__name__, obj)
