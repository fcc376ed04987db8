"""Patch extraction for the locally-connected layers, from strided slices (one per
offset inside the window, not one per output position) and ``K`` calls only."""
from kcore import backend as K
from kcore.utils.conv_utils import same_padding


def pad_same_1d(x, length, window, stride):
    """(samples, steps, features) padded as border_mode 'same' pads (odd step at the end)."""
    before, after = same_padding(length, window, stride)
    return K.asymmetric_temporal_padding(x, before, after) if before or after else x


def pad_same_2d(x, lengths, window, strides, dim_ordering):
    """An image padded as border_mode 'same' pads (odd pixel at the bottom/right)."""
    (top, bottom), (left, right) = (same_padding(n, w, s)
                                    for n, w, s in zip(lengths, window, strides))
    if not (top or bottom or left or right):
        return x
    return K.asymmetric_spatial_2d_padding(x, top, bottom, left, right, dim_ordering=dim_ordering)


def _taps(n, offset, stride):
    """The slice that picks, for each of ``n`` output positions, the input step at
    ``offset`` inside its window."""
    return slice(offset, offset + (n - 1) * stride + 1, stride)


def patches_1d(x, length, window, stride):
    """(positions, samples, window * features): the window of each output position,
    flattened step-major (the layout of LocallyConnected1D's W)."""
    features = K.int_shape(x)[2]
    taps = [x[:, _taps(length, t, stride), :] for t in range(window)]
    patches = K.reshape(K.stack(taps, axis=2), (-1, length, window * features))
    return K.permute_dimensions(patches, (1, 0, 2))


def patches_2d(x, out_shape, window, strides, dim_ordering):
    """(rows * cols, samples, features) for the output positions (row-major); each patch is
    flattened (row, col, channel) for 'tf' and (channel, row, col) for 'th', the layouts
    of LocallyConnected2D's W."""
    (rows, cols), (nb_row, nb_col), (sr, sc) = out_shape, window, strides
    taps = []
    for r in range(nb_row):
        for c in range(nb_col):
            picked = (_taps(rows, r, sr), _taps(cols, c, sc))
            taps.append(x[:, :, picked[0], picked[1]] if dim_ordering == 'th'
                        else x[:, picked[0], picked[1], :])
    if dim_ordering == 'th':
        channels = K.int_shape(x)[1]
        # (samples, channels, taps, rows, cols) -> (samples, features, positions)
        patches = K.reshape(K.stack(taps, axis=2), (-1, channels * nb_row * nb_col, rows * cols))
        return K.permute_dimensions(patches, (2, 0, 1))
    channels = K.int_shape(x)[3]
    # (samples, rows, cols, taps, channels) -> (samples, positions, features)
    patches = K.reshape(K.stack(taps, axis=3), (-1, rows * cols, nb_row * nb_col * channels))
    return K.permute_dimensions(patches, (1, 0, 2))
