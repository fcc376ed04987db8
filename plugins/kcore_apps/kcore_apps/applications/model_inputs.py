"""The input of an application model: the image shape checked against what the
architecture accepts, and the tensor the model starts from."""
from kcore import backend as K
from kcore.engine.tensors import is_keras_tensor
from kcore.engine.topology import Input, get_source_inputs


def channel_axis():
    """The channel axis of 4D tensors in the current image ordering."""
    return 1 if K.image_dim_ordering() == 'th' else 3


def image_shape(model_name, input_shape, default_size, min_size, include_top, channels=3):
    """The input shape (without the batch axis) of ``model_name`` in the current ordering.

    With the classifier top the shape is fixed (``default_size`` square); without it,
    ``input_shape`` may give any rows and columns from ``min_size`` up (None: any size).
    """
    th = K.image_dim_ordering() == 'th'
    default = (channels, default_size, default_size) if th else \
        (default_size, default_size, channels)
    if include_top:
        if input_shape is not None and tuple(input_shape) != default:
            raise ValueError('%s with include_top=True takes input_shape=%s (the image '
                             "ordering is %r); got %r. Use include_top=False for other sizes."
                             % (model_name, default, K.image_dim_ordering(), input_shape))
        return default
    if input_shape is None:
        return (channels, None, None) if th else (None, None, channels)
    input_shape = tuple(input_shape)
    if not _fits(input_shape, th, min_size, channels):
        example = (channels, 2 * min_size, 2 * min_size) if th else \
            (2 * min_size, 2 * min_size, channels)
        raise ValueError('%s: input_shape must be %s-ordered with %d channels and rows and '
                         'columns of at least %d, e.g. %s; got %r.'
                         % (model_name, K.image_dim_ordering(), channels, min_size, example,
                            input_shape))
    return input_shape


def _fits(input_shape, th, min_size, channels):
    if len(input_shape) != 3:
        return False
    sizes, channel = (input_shape[1:], input_shape[0]) if th else \
        (input_shape[:2], input_shape[2])
    return channel == channels and all(s is None or s >= min_size for s in sizes)


def model_input(shape, input_tensor=None):
    """(the tensor the layers start from, the model's inputs) for ``input_tensor``: a new
    Input of ``shape`` when None, the backend tensor made an Input, or the Keras tensor
    itself, whose source inputs become the model's."""
    if input_tensor is None:
        x = Input(shape=shape)
        return x, x
    if not is_keras_tensor(input_tensor):
        x = Input(tensor=input_tensor, shape=shape)
        return x, x
    return input_tensor, get_source_inputs(input_tensor)
