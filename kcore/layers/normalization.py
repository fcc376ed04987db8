"""BatchNormalization (``keras.layers.normalization``)."""
import numbers

from kcore import backend as K
from kcore import initializations, regularizers
from kcore.engine.topology import InputSpec, Layer
from kcore.layers.base import config_of
from kcore.plugins import hookimpl

__all__ = ['BatchNormalization']

MODES = (0, 1, 2)


class BatchNormalization(Layer):
    """Normalize the activations of the previous layer to mean 0 and standard deviation
    1, then scale by gamma and shift by beta (learned, shape (input_shape[axis],)).

    mode 0: feature-wise along ``axis`` (for 'th' images use axis=1): training uses the
    batch's mean and variance and updates the running statistics (``layer.updates``,
    run by the model's training step); testing uses the running statistics.
    mode 1: sample-wise, over the last axis of each sample.
    mode 2: feature-wise with the batch's statistics in training and testing.

    Weights: [gamma, beta, running_mean, running_std], trainable first (the doc's pitfalls
    page). As in Keras 1.1.2, ``running_std`` holds the moving average of the batch
    *variance* (the name is Keras 1's), so Keras 1.x files load with the same outputs.
    Decision: ``weights=`` takes those 4 arrays, or the doc's 2 arrays
    [gamma, beta] (the running statistics then start at 0 and 1).
    Decision: the defaults are the doc's printed ones, epsilon=1e-6 and momentum=0.9.
    """

    def __init__(self, epsilon=1e-6, mode=0, axis=-1, momentum=0.9, weights=None,
                 beta_init='zero', gamma_init='one', gamma_regularizer=None,
                 beta_regularizer=None, **kwargs):
        super().__init__(**kwargs)
        if mode not in MODES or isinstance(mode, bool):
            raise ValueError('BatchNormalization: mode must be 0 (feature-wise), 1 (sample-wise) '
                             'or 2 (feature-wise, batch statistics also at test time); got %r.'
                             % (mode,))
        self.epsilon = _positive(self, 'epsilon', epsilon)
        self.momentum = _positive(self, 'momentum', momentum)
        if self.momentum > 1:
            raise ValueError('BatchNormalization: momentum (the weight of the old running '
                             'statistics) must be in [0, 1]; got %r.' % (momentum,))
        self.mode, self.axis = mode, axis
        self.beta_init = initializations.get(beta_init)
        self.gamma_init = initializations.get(gamma_init)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self._start_weights = None if weights is None else list(weights)
        self.supports_masking = True
        self.uses_learning_phase = mode == 0

    def build(self, input_shape):
        axis = self._axis(input_shape)
        self.input_spec = [InputSpec(shape=(None,) + tuple(input_shape[1:]))]
        shape = (input_shape[axis],)
        self.gamma = self.add_weight(shape, self.gamma_init, name='%s_gamma' % self.name,
                                     regularizer=self.gamma_regularizer)
        self.beta = self.add_weight(shape, self.beta_init, name='%s_beta' % self.name,
                                    regularizer=self.beta_regularizer)
        self.running_mean = self.add_weight(shape, 'zero', name='%s_running_mean' % self.name,
                                            trainable=False)
        self.running_std = self.add_weight(shape, 'one', name='%s_running_std' % self.name,
                                           trainable=False)
        self.built = True
        self._set_start_weights()

    def _axis(self, input_shape):
        rank = len(input_shape)
        if not -rank <= self.axis < rank or self.axis % rank == 0 \
                or input_shape[self.axis] is None:
            raise ValueError('Layer %s normalizes along axis %d, which must be a non-batch axis '
                             'of known size; got input shape %s.'
                             % (self.name, self.axis, tuple(input_shape)))
        return self.axis % rank

    def _set_start_weights(self):
        weights, self._start_weights = self._start_weights, None
        if weights is None:
            return
        if len(weights) == 2:   # the doc's [gamma, beta]
            weights = weights + K.batch_get_value([self.running_mean, self.running_std])
        self.set_weights(weights)

    def get_output_shape_for(self, input_shape):
        return input_shape

    def call(self, x, mask=None):
        if self.mode == 1:
            return self._sample_wise(x)
        rank = K.ndim(x)
        axis = self.axis % rank
        reduction_axes = [a for a in range(rank) if a != axis]
        normed, mean, var = K.normalize_batch_in_training(x, self.gamma, self.beta,
                                                          reduction_axes, epsilon=self.epsilon)
        if self.mode == 2:
            return normed
        self.add_update([K.moving_average_update(self.running_mean, mean, self.momentum),
                         K.moving_average_update(self.running_std, var, self.momentum)], x)
        broadcast = [self._broadcast(w, rank, axis) for w in
                     (self.running_mean, self.running_std, self.beta, self.gamma)]
        running = K.batch_normalization(x, *broadcast, epsilon=self.epsilon)
        return K.in_train_phase(normed, running)

    def _broadcast(self, weight, rank, axis):
        shape = [1] * rank
        shape[axis] = K.int_shape(weight)[0]
        return K.reshape(weight, shape)

    def _sample_wise(self, x):
        """Keras 1.1.2's mode 1: (x - mean) / (sqrt(var + eps) + eps) over the last axis."""
        mean = K.mean(x, axis=-1, keepdims=True)
        std = K.sqrt(K.var(x, axis=-1, keepdims=True) + self.epsilon)
        rank = K.ndim(x)
        gamma, beta = (self._broadcast(w, rank, self.axis % rank) for w in (self.gamma, self.beta))
        return gamma * ((x - mean) / (std + self.epsilon)) + beta

    def get_config(self):
        return dict(super().get_config(), epsilon=self.epsilon, mode=self.mode, axis=self.axis,
                    momentum=self.momentum, beta_init=self.beta_init.__name__,
                    gamma_init=self.gamma_init.__name__,
                    gamma_regularizer=config_of(self.gamma_regularizer),
                    beta_regularizer=config_of(self.beta_regularizer))


def _positive(layer, key, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or value < 0:
        raise ValueError('%s: %s must be a number >= 0; got %r.'
                         % (type(layer).__name__, key, value))
    return float(value)


@hookimpl
def register_layers(register):
    for layer in (BatchNormalization,):
        register(layer.__name__, layer)
