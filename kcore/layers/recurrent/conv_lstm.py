"""Convolutional recurrent layers (Keras 1.1.2's ``keras.layers.convolutional_recurrent``):
ConvRecurrent2D and ConvLSTM2D (Shi et al. 2015)."""
from kcore import backend as K
from kcore import initializations
from kcore.layers import base
from kcore.layers.recurrent._dense_base import (dropout_masks, masked, per_gate,
                                                set_recurrent_arguments)
from kcore.layers.recurrent.base import Recurrent
from kcore.utils.conv_utils import conv_output_length, convert_loaded_kernel


class ConvRecurrent2D(Recurrent):
    """Abstract base of recurrent layers whose steps are 2D convolutions.

    Input (samples, time, channels, rows, cols) with ``dim_ordering='th'``, (samples,
    time, rows, cols, channels) with 'tf'; 'default' is the config's image_dim_ordering.
    Output (samples, [time,] nb_filter, new_rows, new_cols) ('th') or (samples, [time,]
    new_rows, new_cols, nb_filter) ('tf'); time only with ``return_sequences``.
    """

    input_ndim = 5

    def __init__(self, nb_filter, nb_row, nb_col, dim_ordering='default', border_mode='valid',
                 subsample=(1, 1), weights=None, return_sequences=False, go_backwards=False,
                 stateful=False, unroll=False, **kwargs):
        if type(self) is ConvRecurrent2D:
            raise TypeError('ConvRecurrent2D is an abstract base class: use ConvLSTM2D.')
        for key in ('consume_less', 'input_dim', 'input_length'):
            if key in kwargs:
                raise TypeError('%s got unexpected keyword argument %r (give the input shape '
                                'with input_shape or batch_input_shape).'
                                % (type(self).__name__, key))
        self.nb_filter = base.positive_int(self, 'nb_filter', nb_filter)
        self.nb_row = base.positive_int(self, 'nb_row', nb_row)
        self.nb_col = base.positive_int(self, 'nb_col', nb_col)
        self.dim_ordering = base.ordering(self, dim_ordering)
        self.border_mode = base.border_mode(self, border_mode)
        self.subsample = base.positive_ints(self, 'subsample', subsample, 2)
        super().__init__(weights=weights, return_sequences=return_sequences,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll, **kwargs)

    @property
    def input_description(self):
        if self.dim_ordering == 'th':
            return "(samples, time, channels, rows, cols) (dim_ordering 'th')"
        return "(samples, time, rows, cols, channels) (dim_ordering 'tf')"

    def channels(self, input_shape):
        return input_shape[2] if self.dim_ordering == 'th' else input_shape[4]

    def step_output_shape(self, input_shape):
        """The shape of one step's output (and of each state), batch axis first."""
        rows, cols = input_shape[3:5] if self.dim_ordering == 'th' else input_shape[2:4]
        rows = conv_output_length(rows, self.nb_row, self.border_mode, self.subsample[0])
        cols = conv_output_length(cols, self.nb_col, self.border_mode, self.subsample[1])
        if self.dim_ordering == 'th':
            return (input_shape[0], self.nb_filter, rows, cols)
        return (input_shape[0], rows, cols, self.nb_filter)

    def get_output_shape_for(self, input_shape):
        self.check_input_shape(input_shape)
        step = self.step_output_shape(input_shape)
        if self.return_sequences:
            return (input_shape[0], input_shape[1]) + step[1:]
        return step

    def state_shapes(self, input_shape):
        return [self.step_output_shape(input_shape)] * self.state_count

    def kernel_shape(self, stack):
        """A kernel from ``stack`` channels to nb_filter in the backend's layout."""
        if self.dim_ordering == 'th':
            return (self.nb_filter, stack, self.nb_row, self.nb_col)
        return (self.nb_row, self.nb_col, stack, self.nb_filter)

    def conv(self, x, kernel, bias=None, recurrent=False):
        """Convolve one step: the input with the layer's border_mode and subsample, or the
        previous output (``recurrent``) with 'same' and stride 1 so its shape is kept."""
        y = K.conv2d(x, kernel, strides=(1, 1) if recurrent else self.subsample,
                     border_mode='same' if recurrent else self.border_mode,
                     dim_ordering=self.dim_ordering)
        if bias is None:
            return y
        if self.dim_ordering == 'th':
            return y + K.reshape(bias, (1, self.nb_filter, 1, 1))
        return y + bias

    def get_config(self):
        config = dict(super().get_config(), nb_filter=self.nb_filter, nb_row=self.nb_row,
                      nb_col=self.nb_col, dim_ordering=self.dim_ordering,
                      border_mode=self.border_mode, subsample=self.subsample)
        for key in ('consume_less', 'input_dim', 'input_length'):
            config.pop(key)
        return config


class ConvLSTM2D(ConvRecurrent2D):
    """An LSTM whose input and recurrent transformations are convolutions::

        i = inner_activation(W_i * x_t + U_i * h_{t-1} + b_i)      (* : convolution)
        f = inner_activation(W_f * x_t + U_f * h_{t-1} + b_f)
        c_t = f c_{t-1} + i activation(W_c * x_t + U_c * h_{t-1} + b_c)
        o = inner_activation(W_o * x_t + U_o * h_{t-1} + b_o)
        h_t = o activation(c_t)

    W kernels use ``border_mode`` and ``subsample``; U kernels map nb_filter to nb_filter
    with 'same' padding and stride 1. Weights (Keras 1.1.2 order): W_i, U_i, b_i, W_c, U_c,
    b_c, W_f, U_f, b_f, W_o, U_o, b_o. Dropout masks are per unit (channel and pixel) and
    sampled once per sequence. Regularizers apply to each gate's kernel or bias.
    """

    gates = ('i', 'f', 'c', 'o')
    weight_order = ('i', 'c', 'f', 'o')
    state_count = 2
    conv_kernel_attributes = ('W_i', 'U_i', 'W_c', 'U_c', 'W_f', 'U_f', 'W_o', 'U_o')

    def __init__(self, nb_filter, nb_row, nb_col, init='glorot_uniform', inner_init='orthogonal',
                 forget_bias_init='one', activation='tanh', inner_activation='hard_sigmoid',
                 dim_ordering='default', border_mode='valid', subsample=(1, 1),
                 W_regularizer=None, U_regularizer=None, b_regularizer=None,
                 dropout_W=0., dropout_U=0., **kwargs):
        set_recurrent_arguments(self, init, inner_init, activation, W_regularizer,
                                U_regularizer, b_regularizer, dropout_W, dropout_U)
        self.forget_bias_init = initializations.get(forget_bias_init)
        self.inner_activation = base.get_activation(inner_activation)
        super().__init__(nb_filter, nb_row, nb_col, dim_ordering=dim_ordering,
                         border_mode=border_mode, subsample=subsample, **kwargs)

    def build(self, input_shape):
        super().build(input_shape)
        stack = self.channels(input_shape)
        if stack is None:
            raise ValueError('Layer %s needs the number of input channels; got input shape %s.'
                             % (self.name, input_shape))
        init = base.init_with_ordering(self.init, self.dim_ordering)
        inner_init = base.init_with_ordering(self.inner_init, self.dim_ordering)
        for gate in self.weight_order:
            bias_init = self.forget_bias_init if gate == 'f' else 'zero'
            for kind, shape, initializer in (('W', self.kernel_shape(stack), init),
                                             ('U', self.kernel_shape(self.nb_filter), inner_init),
                                             ('b', (self.nb_filter,), bias_init)):
                name = '%s_%s' % (kind, gate)
                setattr(self, name, self.add_weight(
                    shape, initializer, name, regularizer=getattr(self, kind + '_regularizer')))
        self.built = True

    def get_initial_states(self, x):
        zeros = self.conv(K.zeros_like(x[:, 0]), K.zeros_like(self.W_i))
        return [zeros] * self.state_count

    def get_constants(self, x):
        """The dropout masks: input (W) ones per gate, then recurrent (U) ones per gate."""
        ones_U = K.ones_like(self.conv(K.zeros_like(x[:, 0]), K.zeros_like(self.W_i)))
        return (dropout_masks(K.ones_like(x[:, 0]), self.dropout_W, 4)
                + dropout_masks(ones_U, self.dropout_U, 4))

    def step(self, x, states):
        h_tm1, c_tm1 = states[:2]
        constants = list(states[2:])
        count_W = 4 if 0 < self.dropout_W < 1 else 0
        masks_W, masks_U = per_gate(constants[:count_W], 4), per_gate(constants[count_W:], 4)
        parts = {}
        for gate, mask_W, mask_U in zip(self.gates, masks_W, masks_U):
            parts[gate] = (self.conv(masked(x, mask_W), getattr(self, 'W_' + gate),
                                     getattr(self, 'b_' + gate))
                           + self.conv(masked(h_tm1, mask_U), getattr(self, 'U_' + gate),
                                       recurrent=True))
        i = self.inner_activation(parts['i'])
        f = self.inner_activation(parts['f'])
        c = f * c_tm1 + i * self.activation(parts['c'])
        o = self.inner_activation(parts['o'])
        h = o * self.activation(c)
        return h, [h, c]

    def convert_loaded_weights(self, weights, source):
        """Kernels from a file: transposed to this layer's ordering, flipped if the file
        was written by Keras 1.x on Theano (true convolutions)."""
        return [convert_loaded_kernel(w, source, self.dim_ordering, self.name)
                if getattr(w, 'ndim', 0) == 4 else w for w in weights]

    def get_config(self):
        config = {'init': self.init.__name__,
                  'inner_init': self.inner_init.__name__,
                  'forget_bias_init': self.forget_bias_init.__name__,
                  'activation': base.activation_config(self.activation),
                  'inner_activation': base.activation_config(self.inner_activation),
                  'W_regularizer': base.config_of(self.W_regularizer),
                  'U_regularizer': base.config_of(self.U_regularizer),
                  'b_regularizer': base.config_of(self.b_regularizer),
                  'dropout_W': self.dropout_W,
                  'dropout_U': self.dropout_U}
        return dict(super().get_config(), **config)
