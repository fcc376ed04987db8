"""A layer's weights and what comes with them: regularization penalties, constraints,
updates, and the trainable flag."""
import numpy as np

from kcore import backend as K


class WeightsMixin:
    """Weight bookkeeping for Layer.

    Layers written the Keras 1 way assign ``self.trainable_weights = [W, b]``,
    ``self.regularizers``, ``self.constraints`` and ``self.updates`` in ``build``; newer
    code calls :meth:`add_weight`. With ``trainable=False`` the trainable weights are
    reported as non-trainable (a model picks this up when it is compiled).
    """

    def _init_weight_state(self):
        for attr, default in (('_trainable_weights', []), ('_non_trainable_weights', []),
                              ('_constraints', {}), ('_updates', []), ('_losses', []),
                              ('_conditional_updates', []), ('_regularizer_penalties', {})):
            self.__dict__.setdefault(attr, type(default)())
        self.__dict__.setdefault('regularizers', [])

    # ----------------------------------------------------------------- weights
    @property
    def trainable_weights(self):
        return list(self._trainable_weights) if self.trainable else []

    @trainable_weights.setter
    def trainable_weights(self, weights):
        self._trainable_weights = list(weights)

    @property
    def non_trainable_weights(self):
        if self.trainable:
            return list(self._non_trainable_weights)
        return list(self._trainable_weights) + list(self._non_trainable_weights)

    @non_trainable_weights.setter
    def non_trainable_weights(self, weights):
        self._non_trainable_weights = list(weights)

    @property
    def weights(self):
        """All weights: trainable first, then non-trainable (Keras 1 order)."""
        return self.trainable_weights + self.non_trainable_weights

    def add_weight(self, shape, initializer, name=None, trainable=True, regularizer=None,
                   constraint=None):
        """Create a weight variable named '<layer name>_<name>' with ``initializer`` (a name
        or a function ``(shape, name=None) -> variable``), record its regularization
        penalty and constraint, and return it."""
        from kcore import initializations
        if name is None:
            name = 'weight_%d' % len(self._trainable_weights + self._non_trainable_weights)
        if not name.startswith(self.name + '_'):
            name = '%s_%s' % (self.name, name)
        shape = _weight_shape(self.name, name, shape)
        weight = initializations.get(initializer)(shape, name=name)
        (self._trainable_weights if trainable else self._non_trainable_weights).append(weight)
        if regularizer is not None:
            self._losses.append(regularizer(weight))
        if constraint is not None:
            self._constraints[weight] = constraint
        return weight

    def get_weights(self):
        """The weights' current values, as a list of numpy arrays."""
        weights = self.weights
        return K.batch_get_value(weights) if weights else []

    def set_weights(self, weights):
        """Assign a list of numpy arrays, one per weight, in ``get_weights`` order."""
        params = self.weights
        weights = list(weights)
        if len(weights) != len(params):
            raise ValueError('Layer %s has %d weights %s, but set_weights got %d arrays %s.'
                             % (self.name, len(params), [tuple(K.int_shape(p)) for p in params],
                                len(weights), [np.shape(w) for w in weights]))
        pairs = []
        for index, (param, value) in enumerate(zip(params, weights)):
            value = np.asarray(value)
            expected = tuple(K.int_shape(param))
            if value.shape != expected:
                raise ValueError('Layer %s, weight %d (%s): set_weights got an array of shape '
                                 '%s, expected shape %s.' % (self.name, index,
                                                             getattr(param, 'name', '?'),
                                                             value.shape, expected))
            pairs.append((param, value))
        if pairs:
            K.batch_set_value(pairs)

    def count_params(self):
        """The number of scalars in the layer's weights."""
        if not self.built:
            raise ValueError('count_params: layer %s is not built yet. Call it on an input (or '
                             'build it with layer.build(input_shape)) first.' % (self.name,))
        return int(sum(K.count_params(w) for w in self.weights))

    def convert_loaded_weights(self, weights, source):
        """Adapt weights read from a file written under ``source`` (a dict with 'backend',
        'image_dim_ordering', 'kcore_version'); layers with kernels override this."""
        return weights

    # ------------------------------------------------------------ constraints
    @property
    def constraints(self):
        """{weight variable: constraint} for the optimizer to apply."""
        return self._constraints

    @constraints.setter
    def constraints(self, value):
        self._constraints = dict(value)

    # ------------------------------------------------------------------ losses
    @property
    def losses(self):
        """Penalty tensors: weight regularization, then the activity penalty of each call."""
        return self._weight_losses() + [loss for node in self.inbound_nodes
                                        for loss in node.losses]

    @losses.setter
    def losses(self, value):
        self._losses = list(value)

    def add_loss(self, losses):
        """Add penalty tensors that do not depend on the layer's inputs."""
        self._losses.extend(losses if isinstance(losses, (list, tuple)) else [losses])

    def _weight_losses(self):
        """Penalties that hold for every call: add_weight's, and those of a Keras 1 style
        ``self.regularizers`` list (each called with no argument, once)."""
        activity = getattr(self, 'activity_regularizer', None)
        for regularizer in self.regularizers:
            if regularizer is activity or id(regularizer) in self._regularizer_penalties:
                continue   # the activity penalty is added per call, by __call__
            self._regularizer_penalties[id(regularizer)] = (regularizer, regularizer())
        return list(self._losses) + [p for _, p in self._regularizer_penalties.values()]

    def _call_losses(self, outputs):
        """Penalties for one call with these outputs: the activity regularization."""
        regularizer = getattr(self, 'activity_regularizer', None)
        if regularizer is None:
            return []
        return [regularizer(x) for x in outputs]

    # ----------------------------------------------------------------- updates
    @property
    def updates(self):
        """(variable, new value) pairs to run at each training step."""
        return self._updates

    @updates.setter
    def updates(self, value):
        self._updates = list(value)

    def add_update(self, updates, inputs=None):
        """Add updates; with ``inputs``, they belong to the call on those inputs (a model
        then runs them only if it contains that call)."""
        updates = list(updates) if isinstance(updates, (list, tuple)) else [updates]
        self._updates.extend(updates)
        if inputs is not None:
            inputs = inputs if isinstance(inputs, (list, tuple)) else [inputs]
            self._conditional_updates.append((list(inputs), updates))

    add_updates = add_update

    def get_updates_for(self, inputs):
        """The updates added for these inputs; ``None``: those that hold for every call."""
        if inputs is None:
            conditional = {id(u) for _, ups in self._conditional_updates for u in ups}
            return [u for u in self.updates if id(u) not in conditional]
        inputs = inputs if isinstance(inputs, (list, tuple)) else [inputs]
        return [u for xs, ups in self._conditional_updates
                if len(xs) == len(inputs) and all(a is b for a, b in zip(xs, inputs))
                for u in ups]

    def reset_states(self):
        """Reset the state of a stateful layer; layers without state do nothing."""


# Largest number of values one weight may hold: beyond it no backend can allocate it.
_MAX_WEIGHT_SIZE = 2 ** 48


def _weight_shape(layer, name, shape):
    """``shape`` as a tuple of ints >= 0, checked before the backend sees it."""
    try:
        dims = tuple(shape)
        ok = all(isinstance(d, (int, np.integer)) and not isinstance(d, bool) and d >= 0
                 for d in dims)
    except TypeError:
        dims, ok = shape, False
    if not ok:
        raise ValueError('Layer %s: weight %s has shape %r; expected a tuple of integers >= 0.'
                         % (layer, name, dims))
    size = 1
    for d in dims:
        size *= int(d)
    if size > _MAX_WEIGHT_SIZE:
        raise ValueError('Layer %s: weight %s would have shape %s, %d values, more than any '
                         'backend can allocate; check the layer\'s sizes (e.g. output_dim).'
                         % (layer, name, dims, size))
    return tuple(int(d) for d in dims)
