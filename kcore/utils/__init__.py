"""Utilities (``keras.utils``): ``np_utils`` (class vectors, kernel conversion),
``io_utils`` (HDF5Matrix), ``layer_utils`` (layer_from_config, print_summary,
convert_all_kernels_in_model), ``conv_utils`` (kernel layouts) and ``generic_utils``
(the progress bar).

Submodules load on first use (``kcore.utils.np_utils`` or ``from kcore.utils import
np_utils``), so importing this package costs nothing.
"""
import importlib

_SUBMODULES = ('np_utils', 'io_utils', 'layer_utils', 'conv_utils', 'generic_utils', 'data_utils',
               'visualize_util')


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module('kcore.utils.' + name)
    raise AttributeError('module kcore.utils has no attribute %r' % (name,))


def __dir__():
    return sorted(set(globals()) | set(_SUBMODULES))
