"""The optimizer base class: gradient clipping, state (``weights``) and config.

A subclass names its hyperparameters (held in backend variables, so that a
callback can change them with ``K.set_value(model.optimizer.lr, x)``), its
plain settings, and implements ``_new_params``: the symbolic step for every
parameter at once. ``get_updates`` builds that step once, when the model is
compiled; each training batch then only runs the compiled function.
"""
import numpy as np

from kcore import backend as K
from kcore import distribute


class Optimizer:
    """Base class of kcore's optimizers.

    Every optimizer accepts ``clipnorm`` (rescale all gradients together when
    their global L2 norm exceeds it) and ``clipvalue`` (clip each gradient to
    [-clipvalue, clipvalue]); any other keyword is a TypeError.
    """

    #: Names of the hyperparameters held in backend variables (floats in the config).
    hyperparameters = ()
    #: Names of the plain settings that go into the config as they are.
    settings = ()
    #: Whether Keras 1.1.2 saved the step count first in this optimizer's state.
    keras1_saved_iterations = True

    def __init__(self, **kwargs):
        unknown = sorted(set(kwargs) - {'clipnorm', 'clipvalue'})
        if unknown:
            raise TypeError('%s got unexpected keyword argument(s) %s. Besides its own arguments '
                            'an optimizer accepts only clipnorm and clipvalue.'
                            % (type(self).__name__, ', '.join(map(repr, unknown))))
        # Set only when given, as Keras 1 did (its optimizers test hasattr(self, 'clipnorm')).
        self.__dict__.update(kwargs)
        self.updates = []
        self.weights = []
        self._initial = {}
        with K.name_scope(type(self).__name__):
            self.iterations = K.variable(0., name='iterations')

    def _set_hyperparameters(self, **values):
        """Create one backend variable per hyperparameter, e.g. ``self.lr``."""
        with K.name_scope(type(self).__name__):
            for name, value in values.items():
                self._initial[name] = float(value)
                setattr(self, name, K.variable(float(value), name=name))

    # ----------------------------------------------------------- the update
    def get_updates(self, params, constraints, loss):
        """Return the updates (for ``K.function``) of one training step on ``loss``.

        ``constraints`` maps a parameter to a callable applied to its new value.
        Creates the optimizer's state (``self.weights``) afresh.
        """
        params = list(params)
        grads = self.get_gradients(loss, params)
        # Read the step counter once: every use below, and its own update, see the old value.
        done = self.iterations * 1.
        self.updates = [K.update(self.iterations, done + 1.)]
        by_id = _constraints_by_id(constraints)
        self._constrained = set(by_id)
        new_params = self._new_params(params, grads, done)
        for p, new_p in zip(params, new_params):
            if new_p is None:   # updated in place by a fused op (``_fused_step``)
                continue
            constraint = by_id.get(id(p))
            if constraint is not None:
                new_p = constraint(new_p)
            self.updates.append(K.update(p, new_p))
        return self.updates

    def _new_params(self, params, grads, done):
        """Create the state, append its updates to ``self.updates`` and return the new
        value of each parameter (None for one a fused op updates in place). ``done`` is the
        number of steps taken before this one."""
        raise NotImplementedError('%s must implement _new_params' % type(self).__name__)

    def _fused_step(self, rule, param, grad, state, **hyper):
        """Where the backend has one op for this step of ``param`` (its ``_fused_update``) and
        no constraint applies to it, append that op to the updates and return True; else
        False, and the caller builds the step from its formulas."""
        if id(param) in getattr(self, '_constrained', ()):
            return False
        op = K.active()._fused_update(rule, param, grad, state, **hyper)
        if op is None:
            return False
        self.updates.append(op)
        return True

    def _decayed_lr(self, done):
        """lr / (1 + decay * iterations): the learning rate of this step."""
        return self.lr * (1. / (1. + self.decay * done))

    def _zeros_like(self, params):
        """One zero-filled state variable per parameter, with its shape."""
        return [K.zeros(K.get_variable_shape(p)) for p in params]

    def get_gradients(self, loss, params):
        """The gradients of ``loss`` for ``params``, clipped by clipnorm and clipvalue."""
        grads = K.gradients(loss, params)
        for p, g in zip(params, grads):
            if g is None:
                raise ValueError('The loss does not depend on the parameter %r, so it has no '
                                 'gradient. Train only the weights the loss uses (mark the '
                                 'others non-trainable).' % (getattr(p, 'name', p),))
        # Across workers: the mean gradient of the whole batch, which the clipping then sees.
        grads = distribute.reduce_gradients(grads)
        clipnorm = getattr(self, 'clipnorm', None)
        clipvalue = getattr(self, 'clipvalue', None)
        if clipnorm is not None and clipnorm > 0:
            norm = K.sqrt(sum(K.sum(K.square(g)) for g in grads))
            grads = [clip_norm(g, float(clipnorm), norm) for g in grads]
        if clipvalue is not None and clipvalue > 0:
            v = float(clipvalue)
            grads = [K.clip(g, -v, v) for g in grads]
        return grads

    # ---------------------------------------------------------------- state
    def get_weights(self):
        """The values of the optimizer's state (``self.weights``) as numpy arrays."""
        return K.batch_get_value(self.weights)

    def set_weights(self, weights):
        """Load state values, e.g. from ``get_weights`` or a saved model (which must
        match ``self.weights`` in number and shapes; a Keras 1 layout is accepted)."""
        weights = [np.asarray(w) for w in weights]
        if not self.weights and weights:
            raise ValueError('%s has no state yet: it is created when the training function is '
                             'built (get_updates). Build it, then call set_weights.'
                             % type(self).__name__)
        if len(weights) != len(self.weights):
            upgraded = self._from_keras1_layout(weights)
            if upgraded is None:
                raise ValueError('%s has %d state weights, but %d values were given.'
                                 % (type(self).__name__, len(self.weights), len(weights)))
            weights = upgraded
        for i, (variable, value) in enumerate(zip(self.weights, weights)):
            shape = tuple(K.get_variable_shape(variable))
            if shape != value.shape:
                raise ValueError('%s state weight %d has shape %s, but the value given for it '
                                 'has shape %s.' % (type(self).__name__, i, shape, value.shape))
        K.batch_set_value(list(zip(self.weights, weights)))

    def _from_keras1_layout(self, weights):
        """The full state list from a list in the layout Keras 1.1.2 saved, or None.

        Keras 1.1.2's RMSprop, Adagrad and Adadelta saved their state without the step
        count: such a list is completed with a count of 0."""
        if self.keras1_saved_iterations or len(weights) + 1 != len(self.weights):
            return None
        return [np.zeros(())] + list(weights)

    # --------------------------------------------------------------- config
    def get_config(self):
        """The constructor arguments: hyperparameters as floats, then the settings,
        then clipnorm/clipvalue when they were given."""
        names = list(self.hyperparameters)
        values = K.batch_get_value([getattr(self, name) for name in names]) if names else []
        config = {}
        for name, value in zip(names, values):
            initial = self._initial.get(name)
            # Report the number the user gave while the variable still holds it
            # (0.01, not 0.009999999776 after a round trip through float32).
            same = initial is not None and np.asarray(initial, dtype=value.dtype) == value
            config[name] = initial if same else float(value)
        for name in self.settings:
            config[name] = getattr(self, name)
        for name in ('clipnorm', 'clipvalue'):
            if getattr(self, name, None) is not None:
                config[name] = float(getattr(self, name))
        return config

    @classmethod
    def from_config(cls, config):
        """The optimizer that ``get_config`` describes."""
        config = dict(config)
        config.pop('name', None)   # written by Keras 1.0.x
        return cls(**config)

    def __repr__(self):
        try:
            args = ', '.join('%s=%r' % item for item in self.get_config().items())
        except Exception:   # e.g. a backend that is gone
            args = '...'
        return '%s(%s)' % (type(self).__name__, args)


def _constraints_by_id(constraints):
    """{id(param): constraint}: lookups by identity, since backend tensors may not hash."""
    if not constraints:
        return {}
    items = constraints.items() if hasattr(constraints, 'items') else constraints
    return {id(p): c for p, c in items}


def clip_norm(g, c, n):
    """The gradient ``g`` scaled by ``c / n`` when the norm ``n`` (of all gradients
    together) exceeds ``c`` > 0, else ``g`` (Keras 1.1.2's ``keras.optimizers.clip_norm``)."""
    if c <= 0:
        return g
    # c / max(n, c) is exactly 1 while the norm is within bounds.
    return g * (c / K.maximum(n, c))
