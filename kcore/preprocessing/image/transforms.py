"""Geometric and colour transforms of one image (a rank-3 array): the random ones that
``ImageDataGenerator`` draws, the affine machinery under them, and flipping.

Affine matrices are 3x3 in (row, col) pixel coordinates and map an output pixel to the
input position it is read from (``scipy.ndimage.affine_transform``'s convention), with
nearest-neighbour sampling as in Keras 1. Each ``random_*`` function draws from ``rng``
(a ``np.random.RandomState``) or, when it is None, from numpy's global generator."""
import numpy as np

from kcore.preprocessing.image.deps import ndimage

# fill_mode -> scipy.ndimage mode. 'constant' and 'wrap' use the pixel-grid variants:
# scipy's legacy 'wrap' repeats the edge pixel and its 'constant' fills a band inside
# the image, neither of which is what the documentation describes.
FILL_MODES = {'constant': 'grid-constant', 'nearest': 'nearest', 'reflect': 'reflect',
              'wrap': 'grid-wrap'}


def check_fill_mode(fill_mode):
    """Raise a ValueError unless ``fill_mode`` is one of the documented four."""
    if fill_mode not in FILL_MODES:
        raise ValueError("Unknown fill_mode %r: expected 'constant', 'nearest', 'reflect' or "
                         "'wrap'." % (fill_mode,))


def _rng(rng):
    return np.random if rng is None else rng


def _check_image(x, where):
    x = np.asarray(x)
    if x.ndim != 3:
        raise ValueError('%s transforms one image, an array of rank 3 (rows, cols and '
                         'channels in the order of its index arguments); got an array of '
                         'shape %s.' % (where, x.shape))
    return x


def rotation_matrix(theta):
    """The affine matrix of a rotation by ``theta`` radians."""
    cos, sin = np.cos(theta), np.sin(theta)
    return np.array([[cos, -sin, 0], [sin, cos, 0], [0, 0, 1]])


def shift_matrix(tx, ty):
    """The affine matrix that reads pixel (r, c) from (r + tx, c + ty)."""
    return np.array([[1, 0, tx], [0, 1, ty], [0, 0, 1]], dtype='float64')


def shear_matrix(shear):
    """The affine matrix of a shear by ``shear`` radians (Keras 1's parametrisation)."""
    return np.array([[1, -np.sin(shear), 0], [0, np.cos(shear), 0], [0, 0, 1]])


def zoom_matrix(zx, zy):
    """The affine matrix that reads pixel (r, c) from (zx * r, zy * c): a factor below 1
    enlarges the content."""
    return np.array([[zx, 0, 0], [0, zy, 0], [0, 0, 1]], dtype='float64')


def transform_matrix_offset_center(matrix, x, y):
    """``matrix`` moved to act about the centre of an image of ``x`` rows and ``y`` columns
    (the centre of the pixel grid, ((x - 1) / 2, (y - 1) / 2), so that a quarter turn of a
    square image is an exact permutation of its pixels)."""
    o_x, o_y = (x - 1) / 2., (y - 1) / 2.
    offset = shift_matrix(o_x, o_y)
    reset = shift_matrix(-o_x, -o_y)
    return offset @ matrix @ reset


def apply_transform(x, transform_matrix, channel_index=0, fill_mode='nearest', cval=0.):
    """Apply the 3x3 affine ``transform_matrix`` to each channel of the image ``x``; points
    read from outside it are filled as ``fill_mode`` says (``cval`` for 'constant')."""
    check_fill_mode(fill_mode)
    x = _check_image(x, 'apply_transform')
    ndi = ndimage('apply_transform')
    matrix = np.asarray(transform_matrix, dtype='float64')
    channels = np.moveaxis(x, channel_index, 0)
    out = [ndi.affine_transform(channel, matrix[:2, :2], matrix[:2, 2], order=0,
                                mode=FILL_MODES[fill_mode], cval=cval)
           for channel in channels]
    return np.moveaxis(np.stack(out), 0, channel_index)


def apply_centered(x, matrix, row_index, col_index, channel_index, fill_mode, cval):
    """``apply_transform`` with ``matrix`` acting about the image's centre."""
    matrix = transform_matrix_offset_center(matrix, x.shape[row_index], x.shape[col_index])
    return apply_transform(x, matrix, channel_index, fill_mode, cval)


def random_rotation(x, rg, row_index=1, col_index=2, channel_index=0, fill_mode='nearest',
                    cval=0., rng=None):
    """``x`` rotated about its centre by an angle drawn from [-rg, rg] degrees."""
    x = _check_image(x, 'random_rotation')
    theta = np.deg2rad(_rng(rng).uniform(-rg, rg))
    return apply_centered(x, rotation_matrix(theta), row_index, col_index, channel_index,
                          fill_mode, cval)


def random_shift(x, wrg, hrg, row_index=1, col_index=2, channel_index=0, fill_mode='nearest',
                 cval=0., rng=None):
    """``x`` shifted by up to ``hrg`` of its height and ``wrg`` of its width."""
    x = _check_image(x, 'random_shift')
    tx = _rng(rng).uniform(-hrg, hrg) * x.shape[row_index]
    ty = _rng(rng).uniform(-wrg, wrg) * x.shape[col_index]
    return apply_transform(x, shift_matrix(tx, ty), channel_index, fill_mode, cval)


def random_shear(x, intensity, row_index=1, col_index=2, channel_index=0, fill_mode='nearest',
                 cval=0., rng=None):
    """``x`` sheared about its centre by an angle drawn from [-intensity, intensity]
    radians."""
    x = _check_image(x, 'random_shear')
    shear = _rng(rng).uniform(-intensity, intensity)
    return apply_centered(x, shear_matrix(shear), row_index, col_index, channel_index,
                          fill_mode, cval)


def zoom_pair(zoom_range):
    """``zoom_range`` as (lower, upper): a number z means (1 - z, 1 + z)."""
    if np.isscalar(zoom_range):
        pair = (1. - zoom_range, 1. + zoom_range)
    elif len(zoom_range) == 2:
        pair = tuple(float(z) for z in zoom_range)
    else:
        raise ValueError('zoom_range must be a number z (meaning [1 - z, 1 + z]) or a pair '
                         '[lower, upper]; got %r.' % (zoom_range,))
    if not 0 < pair[0] <= pair[1]:
        raise ValueError('zoom_range must give 0 < lower <= upper; got %r (from %r). A '
                         'number z must be in [0, 1).' % (pair, zoom_range))
    return pair


def random_zoom(x, zoom_range, row_index=1, col_index=2, channel_index=0, fill_mode='nearest',
                cval=0., rng=None):
    """``x`` zoomed about its centre by factors for rows and columns drawn from
    ``zoom_range`` = [lower, upper] (a factor below 1 enlarges the content)."""
    x = _check_image(x, 'random_zoom')
    lower, upper = zoom_pair(zoom_range)
    if lower == upper == 1:
        return x
    zx, zy = _rng(rng).uniform(lower, upper, 2)
    return apply_centered(x, zoom_matrix(zx, zy), row_index, col_index, channel_index,
                          fill_mode, cval)


def random_channel_shift(x, intensity, channel_index=0, rng=None):
    """``x`` with each channel shifted by its own amount drawn from [-intensity, intensity],
    clipped to the range of values ``x`` had."""
    x = _check_image(x, 'random_channel_shift')
    low, high = np.min(x), np.max(x)
    shifts = _rng(rng).uniform(-intensity, intensity, x.shape[channel_index])
    shape = [1] * x.ndim
    shape[channel_index] = -1
    return np.clip(x + shifts.reshape(shape).astype(x.dtype), low, high)


def random_barrel_transform(x, intensity, row_index=1, col_index=2, channel_index=0,
                            fill_mode='nearest', cval=0., rng=None):
    """``x`` with a barrel distortion of strength k drawn from [0, intensity]: the pixel at
    normalised distance d from the centre (1 at the corners) is read from distance
    d * (1 + k * d**2), so the middle bulges and the edges are compressed."""
    x = _check_image(x, 'random_barrel_transform')
    check_fill_mode(fill_mode)
    ndi = ndimage('random_barrel_transform')
    k = _rng(rng).uniform(0, intensity)
    rows, cols = x.shape[row_index], x.shape[col_index]
    center = np.array([(rows - 1) / 2., (cols - 1) / 2.]).reshape(2, 1, 1)
    offsets = np.indices((rows, cols), dtype='float64') - center
    radius2 = (offsets ** 2).sum(axis=0) / max((center ** 2).sum(), 1.)
    coordinates = center + offsets * (1 + k * radius2)
    planes = np.moveaxis(x, [channel_index, row_index, col_index], [0, 1, 2])
    out = [ndi.map_coordinates(plane, coordinates, order=0, mode=FILL_MODES[fill_mode],
                               cval=cval) for plane in planes]
    return np.moveaxis(np.stack(out), [0, 1, 2], [channel_index, row_index, col_index])


def flip_axis(x, axis):
    """A copy of ``x`` reversed along ``axis``."""
    return np.flip(np.asarray(x), axis).copy()
