"""Convolution1D and AtrousConvolution1D: filters sliding along the steps of
(samples, steps, input_dim) sequences."""
import numpy as np

from kcore import backend as K
from kcore.layers import base
from kcore.layers.convolutional._base import _Conv
from kcore.utils.conv_utils import convert_loaded_kernel


class Convolution1D(_Conv):
    """1D convolution: (samples, steps, input_dim) -> (samples, new_steps, nb_filter).

    The kernel W is (filter_length, input_dim, nb_filter), the backend's conv1d layout.
    Keras 1.x stored it as (filter_length, 1, input_dim, nb_filter) (a 2D convolution
    over a dummy axis); such files load, see ``convert_loaded_weights``.
    """

    rank = 1
    axis_names = ('steps',)
    kernel_keys = ('filter_length',)

    def __init__(self, nb_filter, filter_length, init='uniform', activation='linear',
                 weights=None, border_mode='valid', subsample_length=1, W_regularizer=None,
                 b_regularizer=None, activity_regularizer=None, W_constraint=None,
                 b_constraint=None, bias=True, input_dim=None, input_length=None, **kwargs):
        self.input_dim = input_dim
        self.input_length = input_length
        if (input_dim is not None and 'input_shape' not in kwargs
                and 'batch_input_shape' not in kwargs):
            kwargs['input_shape'] = (input_length, input_dim)
        super().__init__(nb_filter, filter_length, init, activation, weights, border_mode,
                         subsample_length, None, W_regularizer, b_regularizer,
                         activity_regularizer, W_constraint, b_constraint, bias, **kwargs)
        self.filter_length = self.kernel_size[0]
        self.subsample_length = self.subsample[0]

    def _check(self, input_shape):
        base.check_input_shape(self, input_shape, 'tf', self.axis_names, 'input_dim')

    def _convolve(self, x):
        return K.conv1d(x, self.W, strides=self.subsample_length, border_mode=self.border_mode,
                        filter_dilation=self._dilation()[0])

    def convert_loaded_weights(self, weights, source):
        """Keras 1.x kernels (filter_length, 1, input_dim, nb_filter) lose the dummy axis;
        those of Keras 1.x Theano files are flipped along the steps."""
        weights = list(weights)
        kernel = np.asarray(weights[0])
        if kernel.ndim == 4 and kernel.shape[1] == 1:
            kernel = kernel[:, 0]
        weights[0] = convert_loaded_kernel(kernel, source, 'tf', self.name)
        return weights

    def get_config(self):
        return dict(super().get_config(), subsample_length=self.subsample_length,
                    input_dim=self.input_dim, input_length=self.input_length)


class AtrousConvolution1D(Convolution1D):
    """Dilated 1D convolution: the kernel's taps are ``atrous_rate`` steps apart.

    Decision: the doc's argument list has input_dim and
    input_length, its signature does not; both are accepted, as in Convolution1D.
    """

    def __init__(self, nb_filter, filter_length, init='uniform', activation='linear',
                 weights=None, border_mode='valid', subsample_length=1, atrous_rate=1,
                 W_regularizer=None, b_regularizer=None, activity_regularizer=None,
                 W_constraint=None, b_constraint=None, bias=True, input_dim=None,
                 input_length=None, **kwargs):
        self.atrous_rate = base.positive_int(self, 'atrous_rate', atrous_rate)
        super().__init__(nb_filter, filter_length, init, activation, weights, border_mode,
                         subsample_length, W_regularizer, b_regularizer, activity_regularizer,
                         W_constraint, b_constraint, bias, input_dim, input_length, **kwargs)

    def _dilation(self):
        return (self.atrous_rate,)

    def get_config(self):
        return dict(super().get_config(), atrous_rate=self.atrous_rate)
