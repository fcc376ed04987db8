"""Convolution2D and AtrousConvolution2D: filters sliding over images."""
from kcore import backend as K
from kcore.layers import base
from kcore.layers.convolutional._base import _Conv


class Convolution2D(_Conv):
    """2D convolution of images ('th': (samples, channels, rows, cols), 'tf': (samples,
    rows, cols, channels)) with ``nb_filter`` kernels of nb_row x nb_col.

    W is (nb_filter, channels, nb_row, nb_col) in 'th' and (nb_row, nb_col, channels,
    nb_filter) in 'tf'. Decision: dim_ordering defaults to
    'default', the config's image_dim_ordering, as the doc's text says (its signature
    prints 'th'); the resolved value is what get_config stores.
    """

    def __init__(self, nb_filter, nb_row, nb_col, init='glorot_uniform', activation='linear',
                 weights=None, border_mode='valid', subsample=(1, 1), dim_ordering='default',
                 W_regularizer=None, b_regularizer=None, activity_regularizer=None,
                 W_constraint=None, b_constraint=None, bias=True, **kwargs):
        super().__init__(nb_filter, (nb_row, nb_col), init, activation, weights, border_mode,
                         subsample, dim_ordering, W_regularizer, b_regularizer,
                         activity_regularizer, W_constraint, b_constraint, bias, **kwargs)
        self.nb_row, self.nb_col = self.kernel_size

    def _convolve(self, x):
        return K.conv2d(x, self.W, strides=self.subsample, border_mode=self.border_mode,
                        dim_ordering=self.dim_ordering, filter_shape=K.int_shape(self.W),
                        filter_dilation=self._dilation())


class AtrousConvolution2D(Convolution2D):
    """Dilated 2D convolution: the kernel's taps are ``atrous_rate`` pixels apart, so a
    3x3 kernel with rate (2, 2) covers 5x5 pixels."""

    def __init__(self, nb_filter, nb_row, nb_col, init='glorot_uniform', activation='linear',
                 weights=None, border_mode='valid', subsample=(1, 1), atrous_rate=(1, 1),
                 dim_ordering='default', W_regularizer=None, b_regularizer=None,
                 activity_regularizer=None, W_constraint=None, b_constraint=None, bias=True,
                 **kwargs):
        self.atrous_rate = base.positive_ints(self, 'atrous_rate', atrous_rate, 2)
        super().__init__(nb_filter, nb_row, nb_col, init, activation, weights, border_mode,
                         subsample, dim_ordering, W_regularizer, b_regularizer,
                         activity_regularizer, W_constraint, b_constraint, bias, **kwargs)

    def _dilation(self):
        return self.atrous_rate

    def get_config(self):
        return dict(super().get_config(), atrous_rate=self.atrous_rate)
