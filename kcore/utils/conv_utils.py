"""Convolution arithmetic and kernel layouts: output and input lengths along an axis,
flipping kernels between true convolution and cross-correlation, transposing them
between the 'th' and 'tf' orderings, and converting loaded kernels.

Kernel layouts (the backend protocol's): 2D kernels are (nb_filter, stack, rows, cols)
in 'th' and (rows, cols, stack, nb_filter) in 'tf'; 3D kernels likewise with three
spatial axes; 1D kernels are (length, input_dim, nb_filter) whatever the ordering.
Every kcore backend computes cross-correlations. Keras 1.x on Theano computed true
convolutions, so its kernels are the spatially flipped ones.
"""
import warnings

import numpy as np


_BORDER_MODES = ('valid', 'same', 'full')


def _check_border_mode(mode):
    if mode not in _BORDER_MODES:
        raise ValueError("Unknown border_mode %r: expected 'valid', 'same' or 'full'." % (mode,))


def conv_output_length(input_length, filter_size, border_mode, stride, dilation=1):
    """The output length of a convolution along one axis (None stays None).

    'valid' keeps the positions where the dilated filter fits, 'same' keeps the length,
    'full' adds every partial overlap; then one position in ``stride`` is kept.
    """
    if input_length is None:
        return None
    _check_border_mode(border_mode)
    size = (filter_size - 1) * dilation + 1
    length = {'same': input_length, 'valid': input_length - size + 1,
              'full': input_length + size - 1}[border_mode]
    return (length + stride - 1) // stride


def same_padding(length, filter_size, stride, dilation=1):
    """(before, after): what border_mode 'same' pads along one axis, the odd pixel at the
    end (TensorFlow's rule). ``length`` may also be a backend integer tensor whose
    arithmetic follows Python's (``//``, ``-``); the clamp at 0 is then the caller's."""
    size = (filter_size - 1) * dilation + 1
    out = (length + stride - 1) // stride
    total = (out - 1) * stride + size - length
    if isinstance(total, int):
        total = max(total, 0)
    return total // 2, total - total // 2


def conv_input_length(output_length, filter_size, border_mode, stride):
    """The input length a convolution maps to ``output_length`` (None stays None):
    ``(output_length - 1) * stride - 2 * pad + filter_size`` with pad 0 for 'valid',
    ``filter_size // 2`` for 'same' and ``filter_size - 1`` for 'full', as Keras 1."""
    if output_length is None:
        return None
    _check_border_mode(border_mode)
    pad = {'valid': 0, 'same': filter_size // 2, 'full': filter_size - 1}[border_mode]
    return (output_length - 1) * stride - 2 * pad + filter_size


class KernelConversionWarning(UserWarning):
    """A loaded kernel may need converting, and the file does not say whether."""


def _ordering(dim_ordering):
    if dim_ordering in (None, 'default'):
        from kcore import config   # K.image_dim_ordering() reads the same setting
        return config.image_dim_ordering()
    if dim_ordering not in ('th', 'tf'):
        raise ValueError("Unknown dim_ordering %r: expected 'th', 'tf' or 'default'."
                         % (dim_ordering,))
    return dim_ordering


def spatial_axes(ndim, dim_ordering):
    """The spatial axes of a kernel with ``ndim`` axes in the given ordering."""
    if ndim == 3:
        return (0,)
    if ndim not in (4, 5):
        raise ValueError('A convolution kernel has 3, 4 or 5 axes; got %d.' % ndim)
    if dim_ordering == 'th':
        return tuple(range(2, ndim))
    return tuple(range(ndim - 2))


def convert_kernel(kernel, dim_ordering='default'):
    """Return a copy of ``kernel`` with its spatial axes reversed.

    This turns a Theano (true convolution) kernel into a TensorFlow
    (cross-correlation) kernel and back: the conversion is its own inverse.
    ``dim_ordering`` ('th', 'tf' or 'default': the config's) says which axes are
    spatial in a 4D or 5D kernel; a 3D (1D-convolution) kernel flips its first axis.
    """
    kernel = np.asarray(kernel)
    axes = spatial_axes(kernel.ndim, _ordering(dim_ordering))
    return np.flip(kernel, axis=axes).copy()


def _transpose_pattern(ndim, source, target):
    spatial = list(range(2, ndim))
    if (source, target) == ('th', 'tf'):
        return tuple(spatial) + (1, 0)
    return (ndim - 1, ndim - 2) + tuple(range(ndim - 2))


def transpose_kernel(kernel, source_ordering, target_ordering):
    """Return ``kernel`` rearranged from one ordering's layout to the other's.

    A 2D kernel (nb_filter, stack, rows, cols) in 'th' is (rows, cols, stack,
    nb_filter) in 'tf'; 3D kernels likewise. 3D (1D-convolution) kernels have a
    single layout and come back unchanged.
    """
    kernel = np.asarray(kernel)
    source, target = _ordering(source_ordering), _ordering(target_ordering)
    if kernel.ndim == 3 or source == target:
        return kernel
    spatial_axes(kernel.ndim, source)   # validates ndim
    return np.transpose(kernel, _transpose_pattern(kernel.ndim, source, target)).copy()


def needs_flip(source):
    """Whether kernels from a file with this ``source`` record need flipping.

    ``source`` is the dict given to ``Layer.convert_loaded_weights``. True for files
    written by Keras 1.x on Theano, False for kcore files and other known backends,
    None where a Keras 1.x file does not say which backend wrote it.
    """
    if source.get('kcore_version') is not None:
        return False
    backend = source.get('backend')
    if backend is None:
        return None
    return str(backend).lower() == 'theano'


def convert_loaded_kernel(kernel, source, dim_ordering, layer_name='?'):
    """Convert a kernel read from a file to the layout of a layer in ``dim_ordering``.

    Transposes when the file's ordering (``source['image_dim_ordering']``) differs,
    then flips when the file is a Keras 1.x Theano file. A Keras 1.x file that does
    not record its backend cannot be checked: this warns and leaves the kernel as is.
    """
    dim_ordering = _ordering(dim_ordering)
    file_ordering = source.get('image_dim_ordering')
    if file_ordering:
        kernel = transpose_kernel(kernel, file_ordering, dim_ordering)
    flip = needs_flip(source)
    if flip is None:
        warnings.warn('Layer %s: the weight file was written by Keras 1.x and does not record '
                      'its backend. If it was trained with Theano, its convolution kernels must '
                      'be flipped: call kcore.utils.layer_utils.convert_all_kernels_in_model(model)'
                      ' after loading.' % layer_name, KernelConversionWarning, stacklevel=2)
    elif flip:
        kernel = convert_kernel(kernel, dim_ordering)
    return kernel


# Layer classes whose kernels flip (subclasses count too), with their kernel attributes.
# A layer from elsewhere opts in with a class attribute ``conv_kernel_attributes``.
CONV_KERNELS = {
    'Convolution1D': ('W',),
    'AtrousConvolution1D': ('W',),
    'Convolution2D': ('W',),
    'AtrousConvolution2D': ('W',),
    'Deconvolution2D': ('W',),
    'Convolution3D': ('W',),
    'SeparableConvolution2D': ('depthwise_kernel',),
}


def kernel_attributes(layer):
    """The names of ``layer``'s attributes that hold flippable convolution kernels."""
    own = getattr(layer, 'conv_kernel_attributes', None)
    if own is not None:
        return tuple(own)
    for cls in type(layer).__mro__:
        if cls.__name__ in CONV_KERNELS:
            return CONV_KERNELS[cls.__name__]
    return ()


def _kernel_ordering(layer, kernel_ndim):
    if kernel_ndim == 3:
        return 'tf'
    if kernel_ndim == 4 and not hasattr(layer, 'dim_ordering'):
        return 'tf'   # a 1D convolution stored as a 2D one: (length, 1, input_dim, nb_filter)
    return getattr(layer, 'dim_ordering', 'default')


def _conv_layers(model):
    for layer in model.layers:
        if getattr(layer, 'layers', None):
            yield from _conv_layers(layer)
        elif kernel_attributes(layer):
            yield layer


def convert_all_kernels_in_model(model):
    """Flip every convolution kernel of ``model`` (Theano <-> TensorFlow), in place.

    Nested models are converted too. Running it twice restores the kernels.
    """
    from kcore import backend as K
    pairs = []
    for layer in _conv_layers(model):
        for attribute in kernel_attributes(layer):
            variable = getattr(layer, attribute, None)
            if variable is None:
                continue
            value = K.get_value(variable)
            pairs.append((variable, convert_kernel(value, _kernel_ordering(layer, value.ndim))))
    K.batch_set_value(pairs)
