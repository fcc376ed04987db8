"""Layers that keep the input's shape: Activation, ActivityRegularization, Masking."""
import numbers

from kcore import backend as K
from kcore.engine.topology import Layer
from kcore.layers.base import activation_config, get_activation
from kcore.regularizers import ActivityRegularizer


class Activation(Layer):
    """Apply an activation function (a name or an element-wise callable)."""

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = get_activation(activation)
        self.supports_masking = True

    def call(self, x, mask=None):
        return self.activation(x)

    def get_output_shape_for(self, input_shape):
        return input_shape

    def get_config(self):
        return dict(super().get_config(), activation=activation_config(self.activation))


class ActivityRegularization(Layer):
    """The identity, plus the penalty l1 * sum(mean(|y|, 0)) + l2 * sum(mean(y**2, 0)) of
    its output y added to the loss (through ``layer.losses``).

    Decision: the doc's heading says "ActivityRegularizer" and its argument
    list "I1"/"I2"; the layer is ActivityRegularization(l1=0., l2=0.) as in the signature.
    """

    def __init__(self, l1=0., l2=0., **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.l1 = l1
        self.l2 = l2
        self.activity_regularizer = ActivityRegularizer(l1=l1, l2=l2)

    def call(self, x, mask=None):
        return x

    def get_output_shape_for(self, input_shape):
        return input_shape

    def get_config(self):
        return dict(super().get_config(), l1=float(self.l1), l2=float(self.l2))


class Masking(Layer):
    """Mask the timesteps (axis 1) whose features all equal ``mask_value``: they are set
    to 0 and skipped by the downstream layers that support masking."""

    def __init__(self, mask_value=0., **kwargs):
        super().__init__(**kwargs)
        if isinstance(mask_value, bool) or not isinstance(mask_value, numbers.Real):
            raise ValueError('%s: mask_value must be a number; got %r.'
                             % (type(self).__name__, mask_value))
        self.mask_value = mask_value
        self.supports_masking = True

    def _kept(self, x, keepdims):
        return K.any(K.not_equal(x, self.mask_value), axis=-1, keepdims=keepdims)

    def compute_mask(self, x, mask=None):
        return self._kept(x, False)

    def call(self, x, mask=None):
        return x * K.cast(self._kept(x, True), K.floatx())

    def get_output_shape_for(self, input_shape):
        return input_shape

    def get_config(self):
        return dict(super().get_config(), mask_value=self.mask_value)
