"""Utilities (``keras.utils``): ``np_utils`` (class vectors, kernel conversion),
``io_utils`` (HDF5Matrix, save_array), ``layer_utils`` (layer_from_config, print_summary,
convert_all_kernels_in_model), ``conv_utils`` (convolution arithmetic, kernel layouts),
``generic_utils`` (the progress bar, function serialization), ``data_utils`` (``get_file``:
cached, checked downloads) and ``visualize_util`` (model plots).

Submodules load on first use (``kcore.utils.np_utils`` or ``from kcore.utils import
np_utils``), so importing this package costs nothing.
"""
from kcore.lazy import lazy_submodules

__getattr__, __dir__ = lazy_submodules(__name__, (
    'np_utils', 'io_utils', 'layer_utils', 'conv_utils', 'generic_utils', 'data_utils',
    'visualize_util'))
