"""Fully connected layers: Dense and the deprecated TimeDistributedDense, with the
weight arguments they share with MaxoutDense and Highway (``_WeightedLayer``)."""
from kcore import backend as K
from kcore import constraints, initializations, regularizers
from kcore.engine.topology import InputSpec, Layer
from kcore.layers.core._common import (activation_config, check_rank, config_of, get_activation,
                                      positive_int, take_input_dim)


class _WeightedLayer(Layer):
    """The arguments init, activation, W/b regularizers, activity_regularizer, W/b
    constraints and bias, their config, and weight creation.

    Decision (§20 item 2): the signatures spell ``W_constraint``/``b_constraint``, the
    argument lists ``W_constraints``/``b_constraints``: the singular is the argument and
    the plural is accepted as an alias (both at once is an error); configs write the
    singular.
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


class Dense(_WeightedLayer):
    """``output = activation(dot(input, W) + b)``; W is (input_dim, output_dim).

    Input (nb_samples, input_dim), output (nb_samples, output_dim). Decision: the doc
    describes 2D inputs only; inputs of higher rank are accepted too and their last axis
    is transformed.
    """

    def __init__(self, output_dim, init='glorot_uniform', activation='linear', weights=None,
                 W_regularizer=None, b_regularizer=None, activity_regularizer=None,
                 W_constraint=None, b_constraint=None, bias=True, input_dim=None, **kwargs):
        self.output_dim = positive_int(self, 'output_dim', output_dim)
        self.input_dim = input_dim
        self._given_input_dim = input_dim   # configs record input_dim only where the user gave it
        take_input_dim(kwargs, input_dim)
        super().__init__(init, activation, W_regularizer, b_regularizer, activity_regularizer,
                         W_constraint, b_constraint, bias, weights=weights, **kwargs)
        self.input_spec = [InputSpec(ndim='2+')]

    def build(self, input_shape):
        check_rank(self, input_shape, 2, '(nb_samples, input_dim)')
        self.input_dim = input_shape[-1]
        self.input_spec = [InputSpec(shape=(None,) * (len(input_shape) - 1) + (self.input_dim,))]
        self.W = self._weight('W', (self.input_dim, self.output_dim))
        self.b = self._weight('b', (self.output_dim,), 'zero') if self.bias else None
        self.built = True

    def call(self, x, mask=None):
        return self.activation(self._affine(x, self.W, self.b))

    def get_output_shape_for(self, input_shape):
        check_rank(self, input_shape, 2, '(nb_samples, input_dim)')
        return tuple(input_shape[:-1]) + (self.output_dim,)

    def get_config(self):
        return dict(super().get_config(), output_dim=self.output_dim, input_dim=self._given_input_dim)


class TimeDistributedDense(Dense):
    """Deprecated (use ``TimeDistributed(Dense(...))``): the same Dense applied to every
    step of (nb_sample, time_dimension, input_dim). Passes an input mask through."""

    def __init__(self, output_dim, init='glorot_uniform', activation='linear', weights=None,
                 W_regularizer=None, b_regularizer=None, activity_regularizer=None,
                 W_constraint=None, b_constraint=None, bias=True, input_dim=None,
                 input_length=None, **kwargs):
        self.input_length = input_length
        if (input_dim is not None and 'input_shape' not in kwargs
                and 'batch_input_shape' not in kwargs):
            kwargs['input_shape'] = (input_length, input_dim)
        super().__init__(output_dim, init, activation, weights, W_regularizer, b_regularizer,
                         activity_regularizer, W_constraint, b_constraint, bias, input_dim,
                         **kwargs)
        self.input_spec = [InputSpec(ndim=3)]
        self.supports_masking = True

    def build(self, input_shape):
        check_rank(self, input_shape, 3, '(nb_sample, time_dimension, input_dim)', exact=True)
        super().build(input_shape)
        self.input_length = input_shape[1]

    def get_output_shape_for(self, input_shape):
        check_rank(self, input_shape, 3, '(nb_sample, time_dimension, input_dim)', exact=True)
        return super().get_output_shape_for(input_shape)

    def get_config(self):
        return dict(super().get_config(), input_length=self.input_length)
