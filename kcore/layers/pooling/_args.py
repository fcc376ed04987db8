"""Output lengths and 'same' padding shared by the pooling and locally-connected layers
(their argument checks are the convolutional layers', kcore.layers.convolutional._args)."""
from kcore.utils.conv_utils import conv_output_length, same_padding  # noqa: F401


def output_lengths(layer, input_shape, lengths, windows, border_mode, strides, what):
    """The output length of each spatial axis (``lengths``, taken from ``input_shape``);
    ValueError naming the layer when an axis is shorter than its window with 'valid'."""
    result = tuple(conv_output_length(n, w, border_mode, s)
                   for n, w, s in zip(lengths, windows, strides))
    if any(r is not None and r < 1 for r in result):
        raise ValueError("Layer %s got input shape %s, too small for %s %s with border_mode "
                         "'valid': each spatial axis %s needs at least as many steps as the "
                         "window." % (layer.name, tuple(input_shape), what, tuple(windows),
                                      tuple(lengths)))
    return result
