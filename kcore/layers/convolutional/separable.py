"""SeparableConvolution2D: a depthwise convolution of each input channel, then a 1x1
convolution mixing the results into the output channels."""
from kcore import backend as K
from kcore import constraints, regularizers
from kcore.layers import base
from kcore.layers.convolutional.conv2d import Convolution2D
from kcore.utils.conv_utils import transpose_kernel


class SeparableConvolution2D(Convolution2D):
    """Depthwise then pointwise convolution; ``depth_multiplier`` channels per input
    channel come out of the depthwise step.

    Weights, in order: depthwise_kernel ('tf' (nb_row, nb_col, channels,
    depth_multiplier), 'th' (depth_multiplier, channels, nb_row, nb_col)),
    pointwise_kernel ('tf' (1, 1, channels * depth_multiplier, nb_filter), 'th'
    (nb_filter, channels * depth_multiplier, 1, 1)) and b (nb_filter,). Keras 1.1.2 ran it
    on TensorFlow only; kcore runs it wherever the backend has separable_conv2d.
    """

    conv_kernel_attributes = ('depthwise_kernel',)

    def __init__(self, nb_filter, nb_row, nb_col, init='glorot_uniform', activation='linear',
                 weights=None, border_mode='valid', subsample=(1, 1), depth_multiplier=1,
                 dim_ordering='default', depthwise_regularizer=None, pointwise_regularizer=None,
                 b_regularizer=None, activity_regularizer=None, depthwise_constraint=None,
                 pointwise_constraint=None, b_constraint=None, bias=True, **kwargs):
        self.depth_multiplier = base.positive_int(self, 'depth_multiplier', depth_multiplier)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.pointwise_regularizer = regularizers.get(pointwise_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)
        self.pointwise_constraint = constraints.get(pointwise_constraint)
        super().__init__(nb_filter, nb_row, nb_col, init, activation, weights, border_mode,
                         subsample, dim_ordering, b_regularizer=b_regularizer,
                         activity_regularizer=activity_regularizer, b_constraint=b_constraint,
                         bias=bias, **kwargs)

    def _build_kernels(self, stack):
        mixed = stack * self.depth_multiplier
        if self.dim_ordering == 'th':
            depthwise = (self.depth_multiplier, stack) + self.kernel_size
            pointwise = (self.nb_filter, mixed, 1, 1)
        else:
            depthwise = self.kernel_size + (stack, self.depth_multiplier)
            pointwise = (1, 1, mixed, self.nb_filter)
        init = base.init_with_ordering(self.init, self.dim_ordering)
        self.depthwise_kernel = self.add_weight(
            depthwise, init, name='depthwise_kernel', regularizer=self.depthwise_regularizer,
            constraint=self.depthwise_constraint)
        self.pointwise_kernel = self.add_weight(
            pointwise, init, name='pointwise_kernel', regularizer=self.pointwise_regularizer,
            constraint=self.pointwise_constraint)

    def _convolve(self, x):
        return K.separable_conv2d(x, self.depthwise_kernel, self.pointwise_kernel,
                                  strides=self.subsample, border_mode=self.border_mode,
                                  dim_ordering=self.dim_ordering)

    def convert_loaded_weights(self, weights, source):
        """Both kernels follow the file's ordering to this layer's, as 2D kernels do; the
        1x1 pointwise kernel never needs flipping."""
        weights = super().convert_loaded_weights(weights, source)
        file_ordering = source.get('image_dim_ordering') or self.dim_ordering
        weights[1] = transpose_kernel(weights[1], file_ordering, self.dim_ordering)
        return weights

    def get_config(self):
        config = super().get_config()
        del config['W_regularizer'], config['W_constraint']
        return dict(config, depth_multiplier=self.depth_multiplier,
                    depthwise_regularizer=base.config_of(self.depthwise_regularizer),
                    pointwise_regularizer=base.config_of(self.pointwise_regularizer),
                    depthwise_constraint=base.config_of(self.depthwise_constraint),
                    pointwise_constraint=base.config_of(self.pointwise_constraint))
