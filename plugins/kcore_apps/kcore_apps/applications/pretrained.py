"""The published Keras 1 weight files of the applications: which one to fetch, and
loading it into a model.

Keras 1.1.2 published each application's weights in files that differ by the
convolution kernels they hold ('th': Theano's flipped kernels for true convolution;
'tf': TensorFlow's cross-correlation kernels) and by the image ordering their layers
were built in. The files record neither, so the loader is told (``load_weight_file``).
Every kcore backend computes cross-correlations, so 'th' kernels are flipped on either
backend; a file of the other ordering has its kernels transposed, and the rows of a
Dense layer fed by a Flatten of a feature map put in the model's order.
"""
import os
import re

import numpy as np

from kcore import backend as K
from kcore.engine import saving
from kcore.utils.data_utils import get_file

# The backend whose convolutions a file's kernels were made for, as saving.load_weights
# understands a file's 'backend' attribute.
WRITERS = {'th': 'theano', 'tf': 'tensorflow'}
_LAYOUT = re.compile(r'_(th|tf)_dim_ordering_(th|tf)_kernels|_(th|tf)_kernels_(th|tf)_dim_ordering')


class WeightFileError(OSError):
    """A weight file could not be read; ``path`` names it."""

    def __init__(self, path, reason):
        self.path, self.reason = path, reason
        super().__init__('Cannot read the weight file %s: %s. It may be incomplete or not the '
                         'published file: delete it and try again, or put the published file '
                         'there by hand.' % (path, reason))


def check_weights(weights, allowed=('imagenet',)):
    """Raise a ValueError unless ``weights`` is None or one of ``allowed``."""
    if weights is None or (isinstance(weights, str) and weights in allowed):
        return
    choices = ', '.join(repr(a) for a in allowed)
    raise ValueError('weights=%r is not available: use None (random initialization) or %s. '
                     'To load a file of your own, build the model with weights=None, then call '
                     'model.load_weights(path).' % (weights, choices))


def choose_file(files, include_top):
    """The key ``(kernels, ordering, include_top)`` of ``files`` to load here.

    As Keras 1.1.2: the file of the model's ordering (``K.image_dim_ordering()``) and,
    among those, the kernels Keras 1 used on this backend (Theano's on Theano,
    TensorFlow's on any other); where no file has the model's ordering, one of the
    other ordering, converted on load.
    """
    keys = [key for key in files if key[2] == bool(include_top)]
    if not keys:
        raise ValueError('No weight file was published for include_top=%s; available: %s.'
                         % (include_top, ', '.join(sorted(os.path.basename(u)
                                                          for u in files.values()))))
    ordering = K.image_dim_ordering()
    kernels = 'th' if K.backend() == 'theano' else 'tf'
    return min(keys, key=lambda k: (k[1] != ordering, k[0] != kernels, k))


def keras1_files(names):
    """``files`` from an application module's Keras 1.1.2 URL constants (``names``: its
    globals, read at each call so that a changed constant is used): ``TH_WEIGHTS_PATH``
    and ``TF_WEIGHTS_PATH`` (each file in its own ordering), and the ``_NO_TOP`` ones."""
    return {('th', 'th', True): names['TH_WEIGHTS_PATH'],
            ('th', 'th', False): names['TH_WEIGHTS_PATH_NO_TOP'],
            ('tf', 'tf', True): names['TF_WEIGHTS_PATH'],
            ('tf', 'tf', False): names['TF_WEIGHTS_PATH_NO_TOP']}


def file_name(url):
    """The cache name of the file at ``url``: its last path component."""
    return url.rstrip('/').rsplit('/', 1)[-1]


def load_pretrained(model, files, include_top, md5s=None):
    """Fetch the weight file ``files`` has for this backend and ordering, load it into
    ``model`` (converting what differs) and return its path.

    ``files`` maps ``(kernels, ordering, include_top)`` ('th'/'tf', 'th'/'tf', bool) to
    the file's URL; the file is cached in ``$KCORE_HOME/models`` under the URL's last
    component (a Keras 1 cache, ``~/.keras/models``, is used when it has the file).
    ``md5s`` maps file names to the MD5 checked after download.
    """
    kernels, ordering, _ = key = choose_file(files, include_top)
    url = files[key]
    fname = file_name(url)
    path = get_file(fname, url, cache_subdir='models', md5_hash=(md5s or {}).get(fname))
    load_weight_file(model, path, kernels, ordering)
    return path


def load_weight_file(model, path, kernels, ordering):
    """Load the Keras 1 weight file ``path``, whose layers (matched with ``model``'s
    by order) were built in ``ordering`` with ``kernels`` ('th' or 'tf'), into
    ``model``, converting convolution kernels and flattened Dense rows."""
    if kernels not in WRITERS or ordering not in WRITERS:
        raise ValueError("kernels and ordering are 'th' or 'tf'; got %r and %r."
                         % (kernels, ordering))
    try:
        saving.load_weights(model, path, source={'backend': WRITERS[kernels],
                                                 'image_dim_ordering': ordering})
    except OSError as e:
        raise WeightFileError(path, e) from e
    reorder_flattened_dense(model, ordering)


def layout_from_name(path):
    """``(kernels, ordering)`` that a published file's name states, or None."""
    match = _LAYOUT.search(os.path.basename(path))
    if not match:
        return None
    ordering, kernels, kernels2, ordering2 = match.groups()
    return (kernels, ordering) if kernels else (kernels2, ordering2)


def reorder_flattened_dense(model, file_ordering):
    """Put the kernel rows of each Dense layer fed by a Flatten of a feature map in
    the order of ``model``'s feature maps, when they came from ``file_ordering``."""
    from kcore.layers.core import Dense, Flatten
    for flatten in model.layers:
        if not isinstance(flatten, Flatten) or len(flatten.input_shape) != 4:
            continue
        ordering = _ordering_before(flatten)
        if ordering == file_ordering:
            continue
        for node in flatten.outbound_nodes:
            dense = node.outbound_layer
            if isinstance(dense, Dense):
                rows = permute_flattened_rows(K.get_value(dense.W), flatten.input_shape[1:],
                                              file_ordering, ordering)
                K.set_value(dense.W, rows)


def _ordering_before(layer):
    inbound = layer.inbound_nodes[0].inbound_layers[0]
    ordering = getattr(inbound, 'dim_ordering', None)
    return ordering if ordering in WRITERS else K.image_dim_ordering()


def permute_flattened_rows(kernel, feature_shape, source, target):
    """``kernel`` (a Dense kernel fed by a flattened feature map) with its rows moved
    from the flatten order of ``source`` to that of ``target``; ``feature_shape`` is
    the feature map's shape (without the batch axis) in ``target``'s ordering."""
    kernel = np.asarray(kernel)
    if source == target:
        return kernel
    units = kernel.shape[-1]
    if target == 'tf':
        rows, cols, channels = feature_shape
        grid = kernel.reshape(channels, rows, cols, units).transpose(1, 2, 0, 3)
    else:
        channels, rows, cols = feature_shape
        grid = kernel.reshape(rows, cols, channels, units).transpose(2, 0, 1, 3)
    return np.ascontiguousarray(grid.reshape(kernel.shape))
