"""LocallyConnected2D: a 2D convolution whose filters differ at each output pixel."""
import numpy as np

from kcore import backend as K
from kcore.engine.topology import InputSpec
from kcore.layers import base
from kcore.layers.local._patches import pad_same_2d, patches_2d
from kcore.layers.local.locally_connected1d import require_known


class LocallyConnected2D(base.WeightedLayer):
    """Unshared-weights Convolution2D on 'th' (samples, channels, rows, cols) or 'tf'
    (samples, rows, cols, channels) images.

    W is (new_rows * new_cols, nb_row * nb_col * channels, nb_filter), each patch
    flattened (channel, row, col) for 'th' and (row, col, channel) for 'tf', as Keras
    1.1.2; b is (new_rows, new_cols, nb_filter) and b[i, j, f] is the bias of filter f at
    output pixel (i, j) in both orderings. Decisions: border_mode 'same' pads the image
    as a 'same' convolution does; dim_ordering='default' is the config's ordering.
    """

    conv_kernel_attributes = ()   # applied by dot products: nothing to flip between backends

    def __init__(self, nb_filter, nb_row, nb_col, init='glorot_uniform', activation='linear',
                 weights=None, border_mode='valid', subsample=(1, 1), dim_ordering='default',
                 W_regularizer=None, b_regularizer=None, activity_regularizer=None,
                 W_constraint=None, b_constraint=None, bias=True, **kwargs):
        super().__init__(init, activation, W_regularizer, b_regularizer, activity_regularizer,
                         W_constraint, b_constraint, bias, weights=weights, **kwargs)
        self.nb_filter = base.positive_int(self, 'nb_filter', nb_filter)
        self.nb_row = base.positive_int(self, 'nb_row', nb_row)
        self.nb_col = base.positive_int(self, 'nb_col', nb_col)
        self.border_mode = base.border_mode(self, border_mode)
        self.subsample = base.positive_ints(self, 'subsample', subsample, 2)
        self.dim_ordering = base.ordering(self, dim_ordering)
        self.input_spec = [InputSpec(ndim=4)]

    def _split(self, shape):
        """((rows, cols), channels) of an input or output shape."""
        if self.dim_ordering == 'th':
            return tuple(shape[2:]), shape[1]
        return tuple(shape[1:3]), shape[3]

    def build(self, input_shape):
        wanted = ('samples', 'channels', 'rows', 'cols') if self.dim_ordering == 'th' \
            else ('samples', 'rows', 'cols', 'channels')
        require_known(self, input_shape, wanted)
        self.input_spec = [InputSpec(shape=(None,) + tuple(input_shape[1:]))]
        (self.input_rows, self.input_cols), channels = self._split(input_shape)
        (self.output_row, self.output_col), _ = self._split(self.get_output_shape_for(
            input_shape))
        positions = self.output_row * self.output_col
        self.W = self._weight('W', (positions, self.nb_row * self.nb_col * channels,
                                    self.nb_filter))
        self.b = self._weight('b', (self.output_row, self.output_col, self.nb_filter), 'zero') \
            if self.bias else None
        self.built = True

    def get_output_shape_for(self, input_shape):
        lengths, _ = self._split(input_shape)
        rows, cols = base.output_lengths(self, input_shape, lengths, (self.nb_row, self.nb_col),
                                    self.border_mode, self.subsample, '(nb_row, nb_col)')
        if self.dim_ordering == 'th':
            return (input_shape[0], self.nb_filter, rows, cols)
        return (input_shape[0], rows, cols, self.nb_filter)

    def call(self, x, mask=None):
        window, out_shape = (self.nb_row, self.nb_col), (self.output_row, self.output_col)
        if self.border_mode == 'same':
            x = pad_same_2d(x, (self.input_rows, self.input_cols), window, self.subsample,
                            self.dim_ordering)
        output = K.batch_dot(patches_2d(x, out_shape, window, self.subsample, self.dim_ordering),
                             self.W)                        # (positions, samples, nb_filter)
        output = K.reshape(output, (self.output_row, self.output_col, -1, self.nb_filter))
        if self.bias:
            output = output + K.expand_dims(self.b, 2)
        pattern = (2, 3, 0, 1) if self.dim_ordering == 'th' else (2, 0, 1, 3)
        return self.activation(K.permute_dimensions(output, pattern))

    def get_config(self):
        return dict(super().get_config(), nb_filter=self.nb_filter, nb_row=self.nb_row,
                    nb_col=self.nb_col, border_mode=self.border_mode, subsample=self.subsample,
                    dim_ordering=self.dim_ordering)

    def convert_loaded_weights(self, weights, source):
        """Keras 1.x added a 'th' layer's bias as ``reshape(b, (1, nb_filter, rows, cols))``:
        such a bias is rearranged to kcore's meaning. A W saved in the other ordering has
        its patch layout rearranged."""
        weights = [np.asarray(w) for w in weights]
        saved = source.get('image_dim_ordering') or self.dim_ordering
        if self.bias and saved == 'th' and source.get('kcore_version') is None:
            rows, cols, filters = weights[1].shape
            weights[1] = weights[1].reshape(filters, rows, cols).transpose(1, 2, 0)
        if saved != self.dim_ordering:
            weights[0] = _reorder_patches(weights[0], self.nb_row, self.nb_col, saved)
        return weights


def _reorder_patches(W, nb_row, nb_col, saved):
    """W's patch axis from ``saved``'s layout to the other ordering's."""
    positions, features, filters = W.shape
    channels = features // (nb_row * nb_col)
    if saved == 'th':   # (channel, row, col) -> (row, col, channel)
        W = W.reshape(positions, channels, nb_row, nb_col, filters).transpose(0, 2, 3, 1, 4)
    else:               # (row, col, channel) -> (channel, row, col)
        W = W.reshape(positions, nb_row, nb_col, channels, filters).transpose(0, 3, 1, 2, 4)
    return W.reshape(positions, features, filters)
