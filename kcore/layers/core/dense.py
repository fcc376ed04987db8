"""Fully connected layers: Dense and the deprecated TimeDistributedDense, with the
weight arguments of ``kcore.layers.base.WeightedLayer``."""
from kcore.engine.topology import InputSpec
from kcore.layers.base import WeightedLayer, check_rank, positive_int, take_input_dim


class Dense(WeightedLayer):
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
