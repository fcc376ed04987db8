"""Image files and arrays: loading a picture, converting between Pillow images and numpy
arrays in either dimension ordering, checking the layout of image arrays, listing the
pictures under a folder."""
import os
import re
import warnings

import numpy as np

from kcore import config
from kcore.preprocessing.image.deps import pil_image

ORDERINGS = {'tf': '(rows, cols, channels)', 'th': '(channels, rows, cols)'}
PICTURE_CHANNELS = (1, 3, 4)   # grayscale, RGB, RGBA

# Positions of (rows, cols, channels) within one sample, per dimension ordering.
SAMPLE_AXES = {'tf': (0, 1, 2), 'th': (1, 2, 0)}


def check_images(X, dim_ordering, where, stacklevel=3):
    """``X`` as an array of rank 4 in ``dim_ordering``, or a ValueError that shows the
    expected layout; warns (at the caller ``stacklevel`` frames up) when the channel axis
    does not look like one."""
    X = np.asarray(X)
    if X.ndim != 4:
        fix = 'X[..., np.newaxis]' if dim_ordering == 'tf' else 'X[:, np.newaxis]'
        raise ValueError('%s expects images as an array of rank 4, (samples,) + %s for '
                         'dim_ordering=%r; got an array of shape %s. (Grayscale images '
                         'without a channel axis get one with %s.)'
                         % (where, ORDERINGS[dim_ordering], dim_ordering, X.shape, fix))
    channels = X.shape[1 + SAMPLE_AXES[dim_ordering][2]]
    if channels not in PICTURE_CHANNELS:
        warnings.warn('%s: X of shape %s has %d channels for dim_ordering=%r (images usually '
                      'have 1, 3 or 4); if it is in the other ordering, pass the matching '
                      'dim_ordering.' % (where, X.shape, channels, dim_ordering),
                      stacklevel=stacklevel)
    return X


def resolve_ordering(dim_ordering):
    """'tf' or 'th'; 'default' (or None) means the config's ``image_dim_ordering``."""
    if dim_ordering in (None, 'default'):
        return config.image_dim_ordering()
    if dim_ordering not in ORDERINGS:
        raise ValueError("dim_ordering must be 'tf', 'th' or 'default'; got %r."
                         % (dim_ordering,))
    return dim_ordering


def check_directory(directory, where):
    """Raise a ValueError unless ``directory`` is an existing folder."""
    if not os.path.isdir(directory):
        raise ValueError('%s: the folder %r does not exist (or is not a folder).'
                         % (where, str(directory)))


def load_img(path, grayscale=False, target_size=None):
    """The picture at ``path`` as a Pillow image in mode 'RGB' (or 'L' when ``grayscale``),
    resized (nearest neighbour) to ``target_size`` = (rows, cols) when that is given."""
    image_module = pil_image('load_img')
    with image_module.open(path) as img:
        img = img.convert('L' if grayscale else 'RGB')
    if target_size is not None:
        rows, cols = (int(n) for n in target_size)
        if img.size != (cols, rows):
            nearest = getattr(image_module, 'Resampling', image_module).NEAREST
            img = img.resize((cols, rows), nearest)
    return img


def img_to_array(img, dim_ordering='default'):
    """A Pillow image as a float array (floatx) of rank 3 in ``dim_ordering``: (rows, cols,
    channels) for 'tf', (channels, rows, cols) for 'th'; a grayscale image has 1 channel."""
    dim_ordering = resolve_ordering(dim_ordering)
    x = np.asarray(img, dtype=config.floatx())
    if x.ndim == 2:
        x = x[:, :, np.newaxis]
    if x.ndim != 3:
        raise ValueError('img_to_array: expected an image of rank 2 or 3; got shape %s.'
                         % (x.shape,))
    return x.transpose(2, 0, 1) if dim_ordering == 'th' else x


def check_channels(nb_channels, shape, dim_ordering, where):
    """Raise a ValueError unless an image of ``nb_channels`` can be made into a picture."""
    if nb_channels not in PICTURE_CHANNELS:
        raise ValueError("%s: a picture needs 1 (grayscale), 3 (RGB) or 4 (RGBA) channels, but "
                         "the channel axis of shape %s holds %d (dim_ordering=%r, images %s). "
                         "If the data is in the other ordering, pass the matching "
                         "dim_ordering." % (where, tuple(shape), nb_channels, dim_ordering,
                                            ORDERINGS[dim_ordering]))


def array_to_img(x, dim_ordering='default', scale=True):
    """A rank-3 array as a Pillow image ('L', 'RGB' or 'RGBA' by its channel count). With
    ``scale``, values are shifted to be non-negative and stretched to 0-255; without,
    they are clipped to 0-255."""
    dim_ordering = resolve_ordering(dim_ordering)
    x = np.array(x, dtype='float64')
    if x.ndim != 3:
        raise ValueError('array_to_img: expected one image, an array of rank 3 %s for '
                         'dim_ordering=%r; got shape %s.'
                         % (ORDERINGS[dim_ordering], dim_ordering, x.shape))
    if dim_ordering == 'th':
        x = x.transpose(1, 2, 0)
    check_channels(x.shape[2], x.shape, 'tf', 'array_to_img')
    if scale:
        x -= min(np.min(x), 0)
        top = np.max(x)
        x *= 255. / top if top else 0.
    pixels = np.clip(np.round(x), 0, 255).astype('uint8')
    if pixels.shape[2] == 1:
        pixels = pixels[:, :, 0]
    return pil_image('array_to_img').fromarray(pixels)   # mode 'L', 'RGB' or 'RGBA'


def list_pictures(directory, ext='jpg|jpeg|bmp|png'):
    """The paths of the files under ``directory`` (and its subfolders), sorted, whose
    extension is one of ``ext`` ('|'-separated, any case)."""
    check_directory(directory, 'list_pictures')
    pattern = re.compile(r'.+\.(?:%s)' % ext, re.IGNORECASE)
    return sorted(os.path.join(root, name)
                  for root, _, names in os.walk(directory)
                  for name in names if pattern.fullmatch(name))
