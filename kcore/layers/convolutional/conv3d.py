"""Convolution3D: filters sliding over volumes (e.g. frames x rows x cols)."""
from kcore import backend as K
from kcore.layers.convolutional._base import _Conv


class Convolution3D(_Conv):
    """3D convolution of 'th' (samples, channels, dim1, dim2, dim3) or 'tf' (samples,
    dim1, dim2, dim3, channels) volumes; the output has nb_filter channels and the
    sizes a convolution gives (Decision: strides behave as in
    Convolution2D, 'same' keeping ceil(size / stride)).

    W is (nb_filter, channels, k1, k2, k3) in 'th' and (k1, k2, k3, channels, nb_filter)
    in 'tf'.
    """

    rank = 3
    axis_names = ('dim1', 'dim2', 'dim3')
    kernel_keys = ('kernel_dim1', 'kernel_dim2', 'kernel_dim3')

    def __init__(self, nb_filter, kernel_dim1, kernel_dim2, kernel_dim3, init='glorot_uniform',
                 activation='linear', weights=None, border_mode='valid', subsample=(1, 1, 1),
                 dim_ordering='default', W_regularizer=None, b_regularizer=None,
                 activity_regularizer=None, W_constraint=None, b_constraint=None, bias=True,
                 **kwargs):
        super().__init__(nb_filter, (kernel_dim1, kernel_dim2, kernel_dim3), init, activation,
                         weights, border_mode, subsample, dim_ordering, W_regularizer,
                         b_regularizer, activity_regularizer, W_constraint, b_constraint, bias,
                         **kwargs)
        self.kernel_dim1, self.kernel_dim2, self.kernel_dim3 = self.kernel_size

    def _convolve(self, x):
        return K.conv3d(x, self.W, strides=self.subsample, border_mode=self.border_mode,
                        dim_ordering=self.dim_ordering, filter_shape=K.int_shape(self.W))
