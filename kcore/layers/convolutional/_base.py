"""The base of the convolution layers: arguments, weights, bias, output shape, config
and the conversion of kernels read from files."""
from kcore import backend as K
from kcore.engine.topology import InputSpec
from kcore.layers import base
from kcore.utils.conv_utils import conv_output_length, convert_loaded_kernel


class _Conv(base.WeightedLayer):
    """An N-D convolution with a kernel W and a bias b of shape (nb_filter,).

    Subclasses set ``rank`` and ``axis_names`` and implement ``_convolve``; the kernel
    layout is the backend protocol's (see ``_kernel_shape``).
    """

    rank = 2
    axis_names = ('rows', 'cols')
    kernel_keys = ('nb_row', 'nb_col')
    #: Attributes holding kernels that flip between Theano and TensorFlow
    #: (read by kcore.utils.conv_utils.convert_all_kernels_in_model).
    conv_kernel_attributes = ('W',)

    def __init__(self, nb_filter, kernel_size, init='glorot_uniform', activation='linear',
                 weights=None, border_mode='valid', subsample=1, dim_ordering='default',
                 W_regularizer=None, b_regularizer=None, activity_regularizer=None,
                 W_constraint=None, b_constraint=None, bias=True, **kwargs):
        self.nb_filter = base.positive_int(self, 'nb_filter', nb_filter)
        self.kernel_size = base.positive_ints(self, 'the kernel size', kernel_size, self.rank)
        self.border_mode = base.border_mode(self, border_mode)
        self.subsample = base.positive_ints(self, 'subsample', subsample, self.rank)
        if self.rank > 1:   # 1D convolutions have a single layout
            self.dim_ordering = base.ordering(self, dim_ordering)
        super().__init__(init, activation, W_regularizer, b_regularizer, activity_regularizer,
                         W_constraint, b_constraint, bias, weights=weights, **kwargs)

    # ------------------------------------------------------------- layout
    def _ordering(self):
        """The ordering the input and kernel follow ('tf' for 1D convolutions)."""
        return getattr(self, 'dim_ordering', 'tf')

    def _check(self, input_shape):
        base.check_input_shape(self, input_shape, self._ordering(), self.axis_names)

    def _stack_size(self, input_shape):
        stack = input_shape[base.channel_axis(self._ordering(), self.rank)]
        if stack is None:
            raise ValueError('Layer %s: the channels axis of its input must be known; got '
                             'shape %s.' % (self.name, tuple(input_shape)))
        return stack

    def _kernel_shape(self, stack):
        """'th' (nb_filter, stack, *kernel_size); 'tf' (*kernel_size, stack, nb_filter)."""
        if self._ordering() == 'th':
            return (self.nb_filter, stack) + self.kernel_size
        return self.kernel_size + (stack, self.nb_filter)

    def _output_layout(self, batch, lengths):
        if self._ordering() == 'th':
            return (batch, self.nb_filter) + tuple(lengths)
        return (batch,) + tuple(lengths) + (self.nb_filter,)

    # ------------------------------------------------------------ weights
    def build(self, input_shape):
        self._check(input_shape)
        stack = self._stack_size(input_shape)
        self._build_kernels(stack)
        self.b = self._weight('b', (self.nb_filter,), 'zero') if self.bias else None
        spec = [None] * len(input_shape)
        spec[base.channel_axis(self._ordering(), self.rank)] = stack
        self.input_spec = [InputSpec(shape=spec)]
        self.built = True

    def _build_kernels(self, stack):
        self.W = self._weight('W', self._kernel_shape(stack),
                              base.init_with_ordering(self.init, self._ordering()))

    def convert_loaded_weights(self, weights, source):
        """Kernels from files: transposed to this layer's ordering, flipped when written
        by Keras 1.x on Theano (true convolution)."""
        weights = list(weights)
        weights[0] = convert_loaded_kernel(weights[0], source, self._ordering(), self.name)
        return weights

    # ----------------------------------------------------------- compute
    def call(self, x, mask=None):
        self.get_output_shape_for(K.int_shape(x))   # clear errors before the backend's
        return self.activation(self._add_bias(self._convolve(x)))

    def _add_bias(self, output):
        if not self.bias:
            return output
        return K.bias_add(output, self.b, self._ordering())

    def _dilation(self):
        return (1,) * self.rank

    def get_output_shape_for(self, input_shape):
        self._check(input_shape)
        axes = base.spatial_axes(self._ordering(), self.rank)
        lengths = [conv_output_length(input_shape[a], k, self.border_mode, s, d)
                   for a, k, s, d in zip(axes, self.kernel_size, self.subsample,
                                         self._dilation())]
        if any(n is not None and n < 1 for n in lengths):
            raise ValueError('Layer %s: its input of shape %s is smaller than its kernel %s '
                             "(dilation %s) with border_mode 'valid'; each of the axes %s "
                             'needs at least the dilated kernel size.'
                             % (self.name, tuple(input_shape), self.kernel_size,
                                self._dilation(), ', '.join(self.axis_names)))
        return self._output_layout(input_shape[0], lengths)

    def get_config(self):
        config = dict(super().get_config(), nb_filter=self.nb_filter,
                      border_mode=self.border_mode)
        config.update(zip(self.kernel_keys, self.kernel_size))
        if self.rank > 1:
            config.update(subsample=self.subsample, dim_ordering=self.dim_ordering)
        return config
