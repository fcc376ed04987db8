"""Deconvolution2D: the transposed 2D convolution, from the shape of a convolution's
output back to the shape of its input."""
import numpy as np

from kcore import backend as K
from kcore.layers import base
from kcore.layers.convolutional.conv2d import Convolution2D
from kcore.utils.conv_utils import convert_loaded_kernel


class Deconvolution2D(Convolution2D):
    """Transposed convolution to ``output_shape`` (samples and the image axes in
    dim_ordering, e.g. 'th' (None, nb_filter, rows, cols)).

    Each output size o must satisfy the doc's o = s (i - 1) + a + k - 2p with a in
    [0, s - 1]: 'valid' allows s (i - 1) + k ... s i + k - 1, 'same' s (i - 1) + 1 ... s i.
    Decisions: the batch entry of ``output_shape`` is ignored (the input's batch size is
    used, so any batch size works); a None row or column entry means the smallest size
    for 'valid' (a = 0) and s i for 'same'.

    W follows the backend protocol: 'th' (nb_filter, channels, nb_row, nb_col), 'tf'
    (nb_row, nb_col, nb_filter, channels). Keras 1.x stored 'tf' kernels as (nb_row,
    nb_col, channels, nb_filter) (the Convolution2D layout); ``convert_loaded_weights``
    converts them.
    """

    def __init__(self, nb_filter, nb_row, nb_col, output_shape, init='glorot_uniform',
                 activation='linear', weights=None, border_mode='valid', subsample=(1, 1),
                 dim_ordering='default', W_regularizer=None, b_regularizer=None,
                 activity_regularizer=None, W_constraint=None, b_constraint=None, bias=True,
                 **kwargs):
        super().__init__(nb_filter, nb_row, nb_col, init, activation, weights, border_mode,
                         subsample, dim_ordering, W_regularizer, b_regularizer,
                         activity_regularizer, W_constraint, b_constraint, bias, **kwargs)
        self.output_shape_ = self._checked_output_shape(output_shape)

    def _checked_output_shape(self, output_shape):
        entries = tuple(output_shape) if isinstance(output_shape, (tuple, list)) else None
        if entries is None or len(entries) != 4 or not all(
                e is None or (base.is_int(e) and e > 0) for e in entries):
            raise ValueError('%s: output_shape must be 4 entries (integers > 0 or None), %s; '
                             'got %r.' % (base.who(self), self._layout(), output_shape))
        channels = entries[base.channel_axis(self.dim_ordering, 2)]
        if channels is not None and channels != self.nb_filter:
            raise ValueError('%s: output_shape %r has %d channels, but nb_filter is %d (the '
                             "'%s' layout is %s)." % (base.who(self), output_shape, channels,
                                                     self.nb_filter, self.dim_ordering,
                                                     self._layout()))
        return entries

    def _layout(self):
        return base.layout(self.dim_ordering, ('rows', 'cols'), 'nb_filter')

    def _kernel_shape(self, stack):
        if self.dim_ordering == 'th':
            return (self.nb_filter, stack) + self.kernel_size
        return self.kernel_size + (self.nb_filter, stack)

    # ----------------------------------------------------------- shapes
    def get_output_shape_for(self, input_shape):
        self._check(input_shape)
        axes = base.spatial_axes(self.dim_ordering, 2)
        lengths = [self._length(input_shape, i) for i in range(2)]
        for i, (axis, o) in enumerate(zip(axes, lengths)):
            if input_shape[axis] is not None and o is not None:
                low, high = deconv_length_range(input_shape[axis], self.kernel_size[i],
                                                      self.border_mode, self.subsample[i])
                if not low <= o <= high:
                    raise ValueError(
                        "Layer %s: output_shape %s does not fit its input of shape %s: with "
                        "kernel %s, subsample %s and border_mode '%s', the %s of the output "
                        'must be between %d and %d; got %d.'
                        % (self.name, self.output_shape_, tuple(input_shape), self.kernel_size,
                           self.subsample, self.border_mode, self.axis_names[i], low, high, o))
        return self._output_layout(input_shape[0], lengths)

    def _length(self, input_shape, i, x=None):
        """The output's size along spatial axis ``i``: output_shape's, else computed from
        the input (a backend scalar when ``x`` is given and the size is not static)."""
        axis = base.spatial_axes(self.dim_ordering, 2)[i]
        given = self.output_shape_[axis]
        if given is not None:
            return given
        length = input_shape[axis]
        if length is None:
            if x is None:
                return None
            length = K.shape(x)[axis]
        return deconv_length(length, self.kernel_size[i], self.border_mode,
                                   self.subsample[i])

    # ---------------------------------------------------------- compute
    def _convolve(self, x):
        input_shape = K.int_shape(x)
        lengths = [self._length(input_shape, i, x) for i in range(2)]
        shape = self._output_layout(None, lengths)
        if not all(base.is_int(n) for n in lengths):
            batch = K.shape(x)[0]
            shape = K.stack([K.cast(n, 'int32') for n in
                             self._output_layout(batch, lengths)])
        return K.deconv2d(x, self.W, shape, strides=self.subsample,
                          border_mode=self.border_mode, dim_ordering=self.dim_ordering,
                          filter_shape=K.int_shape(self.W))

    def convert_loaded_weights(self, weights, source):
        """Brought to the Convolution2D layout of the file's ordering (kcore 'tf' files swap
        the channel axes), converted as a Convolution2D kernel, then to this layout."""
        weights = list(weights)
        kernel = np.asarray(weights[0])
        file_ordering = source.get('image_dim_ordering') or self.dim_ordering
        if source.get('kcore_version') is not None and file_ordering == 'tf':
            kernel = np.swapaxes(kernel, 2, 3)
        kernel = convert_loaded_kernel(kernel, source, self.dim_ordering, self.name)
        if self.dim_ordering == 'tf':
            kernel = np.swapaxes(kernel, 2, 3)
        weights[0] = np.ascontiguousarray(kernel)
        return weights

    def get_config(self):
        return dict(super().get_config(), output_shape=self.output_shape_)


def deconv_length_range(length, size, mode, stride):
    """The output lengths (low, high) a transposed convolution of ``length`` can have:
    o = s (i - 1) + a + k - 2p (the doc's formula), a in [0, s - 1]."""
    if mode == 'valid':
        low = stride * (length - 1) + size
        return low, low + stride - 1
    return stride * (length - 1) + 1, stride * length


def deconv_length(length, size, mode, stride):
    """The output length chosen when ``output_shape`` leaves it None: s (i - 1) + k for
    'valid' (a = 0), s * i for 'same'. ``length`` may be a backend scalar."""
    if mode == 'valid':
        return length * stride + (size - stride)
    return length * stride
