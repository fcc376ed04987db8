"""Image and kernel orderings: 'th' is channels first, 'tf' channels last.

Images are (n, c, *spatial) in 'th' and (n, *spatial, c) in 'tf'; 2D and 3D kernels are
(nb_filter, stack, *spatial) in 'th' and (*spatial, stack, nb_filter) in 'tf'. The
references compute in 'tf'; these move arrays in and out of it.
"""
import numpy as np


def to_tf(x, dim_ordering='th'):
    """An image batch of ``dim_ordering`` in the 'tf' layout."""
    return np.ascontiguousarray(np.moveaxis(x, 1, -1)) if dim_ordering == 'th' else x


def from_tf(x, dim_ordering):
    """A 'tf' image batch in the layout of ``dim_ordering``."""
    return np.ascontiguousarray(np.moveaxis(x, -1, 1)) if dim_ordering == 'th' else x


def to_th(x):
    """A 'tf' image batch (n, *spatial, c) as 'th' (n, c, *spatial)."""
    return from_tf(x, 'th')


def kernel_to_tf(kernel, dim_ordering='th'):
    """A kernel of ``dim_ordering`` in the 'tf' layout."""
    if dim_ordering != 'th':
        return kernel
    return np.ascontiguousarray(np.transpose(kernel, tuple(range(2, kernel.ndim)) + (1, 0)))


def kernel_from_tf(kernel, dim_ordering):
    """A 'tf' kernel in the layout of ``dim_ordering``."""
    if dim_ordering != 'th':
        return kernel
    n = kernel.ndim
    return np.ascontiguousarray(np.transpose(kernel, (n - 1, n - 2) + tuple(range(n - 2))))


def kernel_to_th(kernel):
    """A 'tf' kernel (*spatial, stack, nb_filter) as 'th' (nb_filter, stack, *spatial)."""
    return kernel_from_tf(kernel, 'th')
