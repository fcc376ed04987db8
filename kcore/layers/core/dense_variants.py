"""Dense-like layers with several weight sets: MaxoutDense and Highway."""
import numpy as np

from kcore import activations
from kcore import backend as K
from kcore.engine.topology import InputSpec
from kcore.layers.base import WeightedLayer, check_rank, positive_int, take_input_dim


class MaxoutDense(WeightedLayer):
    """The element-wise maximum of ``nb_features`` linear Dense(input_dim, output_dim)
    outputs: a learnt convex, piecewise linear activation (Goodfellow et al.).

    Decision (the doc prints no signature): MaxoutDense(output_dim,
    nb_features=4, init, weights, W/b regularizers, activity_regularizer, W/b constraints,
    bias, input_dim), as Keras 1.1.2 but for the doc's spelling ``nb_features`` (Keras
    1.1.2's ``nb_feature`` is accepted too, for its configs). No ``activation``.
    Weights: W (nb_features, input_dim, output_dim), b (nb_features, output_dim).
    """

    def __init__(self, output_dim, nb_features=4, init='glorot_uniform', weights=None,
                 W_regularizer=None, b_regularizer=None, activity_regularizer=None,
                 W_constraint=None, b_constraint=None, bias=True, input_dim=None, **kwargs):
        if 'nb_feature' in kwargs:
            nb_features = kwargs.pop('nb_feature')
        self.output_dim = positive_int(self, 'output_dim', output_dim)
        self.nb_features = positive_int(self, 'nb_features', nb_features)
        self.input_dim = input_dim
        self._given_input_dim = input_dim   # configs record input_dim only where the user gave it
        take_input_dim(kwargs, input_dim)
        super().__init__(init, 'linear', W_regularizer, b_regularizer, activity_regularizer,
                         W_constraint, b_constraint, bias, weights=weights, **kwargs)
        self.input_spec = [InputSpec(ndim=2)]

    def build(self, input_shape):
        self.input_dim = input_shape[1]
        self.input_spec = [InputSpec(shape=(None, self.input_dim))]
        self.W = self._weight('W', (self.nb_features, self.input_dim, self.output_dim))
        self.b = (self._weight('b', (self.nb_features, self.output_dim), 'zero')
                  if self.bias else None)
        self.built = True

    def call(self, x, mask=None):
        # dot((n, input_dim), (k, input_dim, output_dim)) -> (n, k, output_dim)
        return K.max(self._affine(x, self.W, self.b), axis=1)

    def get_output_shape_for(self, input_shape):
        check_rank(self, input_shape, 2, '(nb_samples, input_dim)', exact=True)
        return (input_shape[0], self.output_dim)

    def get_config(self):
        config = super().get_config()
        del config['activation']
        return dict(config, output_dim=self.output_dim, nb_features=self.nb_features,
                    input_dim=self._given_input_dim)


class Highway(WeightedLayer):
    """A highway layer (Srivastava et al.): ``t * activation(x.W + b) + (1 - t) * x``
    with the transform gate ``t = sigmoid(x.W_carry + b_carry)``.

    ``transform_bias`` initialises b_carry (default -2: start close to the identity).
    Weights, in order: W, b, W_carry, b_carry (without bias: W, W_carry). W_regularizer /
    W_constraint apply to W and b_regularizer / b_constraint to b; the gate weights are
    not regularized, as in Keras 1.1.2.

    Decision: the doc's argument list has ``output_dim`` but the signature
    does not; the output has the input's size. ``output_dim`` is accepted (optional) and
    must then equal input_dim.
    """

    def __init__(self, init='glorot_uniform', transform_bias=-2, activation='linear',
                 weights=None, W_regularizer=None, b_regularizer=None,
                 activity_regularizer=None, W_constraint=None, b_constraint=None, bias=True,
                 input_dim=None, output_dim=None, **kwargs):
        self.transform_bias = transform_bias
        self.input_dim = input_dim
        self._given_input_dim = input_dim   # configs record input_dim only where the user gave it
        self.output_dim = (None if output_dim is None
                           else positive_int(self, 'output_dim', output_dim))
        take_input_dim(kwargs, input_dim)
        super().__init__(init, activation, W_regularizer, b_regularizer, activity_regularizer,
                         W_constraint, b_constraint, bias, weights=weights, **kwargs)
        self.input_spec = [InputSpec(ndim=2)]

    def build(self, input_shape):
        self.input_dim = self._check_dims(input_shape)
        self.input_spec = [InputSpec(shape=(None, self.input_dim))]
        square = (self.input_dim, self.input_dim)
        self.W = self._weight('W', square)
        self.b = self._weight('b', (self.input_dim,), 'zero') if self.bias else None
        self.W_carry = self._weight('W_carry', square, regularized=False)
        self.b_carry = (self._weight('b_carry', (self.input_dim,), self._gate_bias,
                                     regularized=False) if self.bias else None)
        self.built = True

    def _gate_bias(self, shape, name=None, dim_ordering='th'):
        return K.variable(np.full(shape, self.transform_bias), name=name)

    def _check_dims(self, input_shape):
        check_rank(self, input_shape, 2, '(nb_samples, input_dim)', exact=True)
        input_dim = input_shape[1]
        if self.output_dim is not None and input_dim is not None and input_dim != self.output_dim:
            raise ValueError('Layer %s: a Highway layer outputs as many units as it gets, but '
                             'output_dim=%d and the input has shape %s (input_dim %d).'
                             % (self.name, self.output_dim, tuple(input_shape), input_dim))
        return input_dim

    def call(self, x, mask=None):
        gate = activations.sigmoid(self._affine(x, self.W_carry, self.b_carry))
        transformed = self.activation(self._affine(x, self.W, self.b))
        return transformed * gate + (1. - gate) * x

    def get_output_shape_for(self, input_shape):
        self._check_dims(input_shape)
        return tuple(input_shape)

    def get_config(self):
        config = dict(super().get_config(), transform_bias=self.transform_bias,
                      input_dim=self._given_input_dim)
        if self.output_dim is not None:
            config['output_dim'] = self.output_dim
        return config
