"""Checking the data given to fit, evaluate, predict and their variants: inputs, targets
and sample weights become lists of arrays in the model's order, and anything that does not
fit gets an error naming the input or output, the shape received and the shape expected."""
import numpy as np

from kcore import backend as K
from kcore.utils.io_utils import HDF5Matrix


def arrays_for(model, data, names, what):
    """``data`` (one array, a list of arrays, or a dict keyed by name) as a list in the
    order of ``names``; ``what`` ('input' or 'target') words the errors."""
    if isinstance(data, dict):
        missing = [n for n in names if n not in data]
        if missing:
            raise ValueError('Model %s: no data for %s(s) %s; the dict must have a key for each '
                             '%s: %s (got keys %s).' % (model.name, what, missing, what, names,
                                                        sorted(map(str, data))))
        return [data[n] for n in names]
    several = isinstance(data, (list, tuple)) and not (
        len(names) == 1 and data and all(np.isscalar(v) for v in data))   # [0, 1, 1]: one array
    arrays = list(data) if several else [data]
    if len(arrays) != len(names):
        nested = several and all(isinstance(v, (list, tuple)) for v in arrays)
        raise ValueError('Model %s expects %d %s array(s) (for %s), but got %d. Pass one array '
                         'per %s, in this order, or a dict keyed by these names.%s'
                         % (model.name, len(names), what, ', '.join(names), len(arrays), what,
                            ' A list of lists is read as one array per item: convert it with '
                            'np.asarray(...) to pass it as one array.' if nested else ''))
    return arrays


def as_array(data):
    """A numpy array; an HDF5Matrix (read on demand) or a scipy.sparse matrix (for a sparse
    input) stays as it is."""
    if isinstance(data, (np.ndarray, HDF5Matrix)) or hasattr(data, 'tocsr'):
        return data
    return np.asarray(data)


def check_arrays(model, data, names, shapes, what, batch_dim=False, hint=None):
    """The list of arrays for ``names``, each checked against its expected shape (None:
    any size on that axis). A 1D array stands for a column when 2D is expected. With
    ``batch_dim`` a fixed batch size in the expected shape is checked too. ``hint(index,
    shape)`` may add advice to the error."""
    arrays = []
    for index, (name, array) in enumerate(zip(names, arrays_for(model, data, names, what))):
        array = as_array(array)
        _refuse_none(model, what, name, array)
        expected = shapes[index]
        if isinstance(array, np.ndarray) and array.ndim == 1 and len(expected) == 2:
            array = array[:, None]
        if not shape_fits(array.shape, expected, batch_dim):
            advice = hint(index, tuple(array.shape)) if hint else ''
            raise ValueError('Model %s, %s %r: expected arrays of shape %s, got an array of '
                             'shape %s.%s' % (model.name, what, name, tuple(expected),
                                              tuple(array.shape), advice))
        arrays.append(array)
    return arrays


def _refuse_none(model, what, name, array):
    # numpy would cast None to NaN and train on it silently.
    if isinstance(array, np.ndarray) and array.dtype == object:
        empty = np.argwhere(np.equal(array, None))
        if len(empty):
            raise ValueError('Model %s, %s %r: the array holds None (%d value(s), the first at '
                             'index %s); fill in the missing values first.'
                             % (model.name, what, name, len(empty),
                                tuple(int(i) for i in empty[0])))


def shape_fits(shape, expected, batch_dim):
    """True if ``shape`` has ``expected``'s rank and matches it wherever ``expected`` is not
    None (the batch axis only when ``batch_dim``)."""
    if len(shape) != len(expected):
        return False
    axes = zip(shape, expected) if batch_dim else zip(shape[1:], expected[1:])
    return all(want is None or want == got for got, want in axes)


def sample_count(model, groups):
    """The number of samples of every array in ``groups`` ((what, names, arrays) triples);
    they must agree."""
    counts = [(what, name, array.shape[0]) for what, names, arrays in groups
              for name, array in zip(names, arrays) if array is not None]
    if len({c for _, _, c in counts}) > 1:
        raise ValueError('Model %s: all input and target arrays must have the same number of '
                         'samples; got %s (for %s).' % (
                             model.name, [c for _, _, c in counts],
                             ', '.join('%s %r' % (what, name) for what, name, _ in counts)))
    return counts[0][2] if counts else 0


def to_dtypes(arrays, dtypes):
    """Cast numpy arrays to the dtypes of the placeholders they feed (once, so that no batch
    needs a cast); other array-likes are left to the backend. A cast array starts at a
    64-byte boundary, so that a backend can read its batches in place."""
    return [_cast(a, d) if isinstance(a, np.ndarray) and a.dtype != d else a
            for a, d in zip(arrays, dtypes)]


def _cast(array, dtype):
    # TensorFlow copies every fed batch that does not start at a multiple of 64 bytes (big
    # numpy arrays start 16 bytes past one); measured on float64 input to predict: 1.07x.
    cast = aligned_empty(array.shape, dtype)
    np.copyto(cast, array, casting='unsafe')   # what astype does
    return cast


def aligned_empty(shape, dtype, alignment=64):
    """An uninitialized C-ordered array whose first byte is at a multiple of ``alignment``."""
    dtype = np.dtype(dtype)
    nbytes = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    raw = np.empty(nbytes + alignment, dtype=np.uint8)
    start = -raw.ctypes.data % alignment
    return raw[start:start + nbytes].view(dtype).reshape(shape)


def per_output(value, names, what):
    """A per-output argument (sample_weight, class_weight) as a list aligned with the
    outputs: None, a list, or a dict keyed by output name; with one output, the value
    itself (an array of weights, a class dict) is also accepted."""
    if value is None or (isinstance(value, (dict, list)) and not value):
        return [None] * len(names)
    if isinstance(value, dict) and any(n in value for n in names):
        unknown = [k for k in value if k not in names]
        if unknown:
            raise ValueError('%s has keys %s that name no output; the outputs are %s.'
                             % (what, unknown, names))
        return [value.get(n) for n in names]
    if len(names) == 1:
        return value if isinstance(value, list) and len(value) == 1 else [value]
    if not isinstance(value, list):
        raise ValueError('The model has %d outputs (%s): %s must be a list or a dict keyed by '
                         'output name; got %s.' % (len(names), ', '.join(names), what,
                                                   type(value).__name__))
    if len(value) != len(names):
        raise ValueError('%s is a list of %d items, but the model has %d outputs (%s).'
                         % (what, len(value), len(names), ', '.join(names)))
    return value


# ----------------------------------------------------------- sample weights
def sample_weights(model, targets, sample_weight, class_weight):
    """One weight array per output: per sample, or per time step for the outputs compiled
    with sample_weight_mode='temporal'. ``sample_weight`` and ``class_weight`` multiply
    where both are given."""
    names, modes = model.output_names, model.sample_weight_modes
    given = per_output(sample_weight, names, 'sample_weight')
    classes = per_output(class_weight, names, 'class_weight')
    return [output_weights(model, name, y, w, c, mode) for name, y, w, c, mode
            in zip(names, targets, given, classes, modes)]


def output_weights(model, name, y, sample_weight, class_weight, mode):
    """The weight array of one output, as its sample-weight placeholder takes it."""
    ndim = 2 if mode == 'temporal' else 1
    shape = tuple(y.shape[:ndim])
    weights = np.ones(shape, dtype=K.floatx())
    if sample_weight is not None:
        sample_weight = np.asarray(sample_weight, dtype=K.floatx())
        if sample_weight.shape != shape:
            raise ValueError(_weight_shape_error(model, name, sample_weight.shape, shape, mode))
        weights = sample_weight
    if class_weight:
        weights = weights * _class_weights(model, name, y, class_weight, mode)
    return weights


def _weight_shape_error(model, name, got, expected, mode):
    if mode == 'temporal':
        advice = ('sample_weight_mode="temporal" takes one weight per sample and time step: a '
                  '2D array (samples, timesteps).')
    elif len(got) == 2:
        advice = ('For one weight per time step compile the model with '
                  'sample_weight_mode="temporal"; for one weight per sample pass a 1D array.')
    else:
        advice = 'Pass a 1D array with one weight per sample.'
    return ('Model %s, output %r: sample_weight has shape %s, expected shape %s. %s'
            % (model.name, name, tuple(got), expected, advice))


def _class_weights(model, name, y, class_weight, mode):
    """The weight of each sample's (or time step's) class."""
    if not isinstance(class_weight, dict):
        raise ValueError('Model %s, output %r: class_weight must be a dict {class index: '
                         'weight}; got %s.' % (model.name, name, type(class_weight).__name__))
    labels = np.asarray(y[:])
    steps = 3 if mode == 'temporal' else 2
    if labels.ndim > steps:
        raise ValueError('Model %s, output %r: class_weight needs targets of shape (samples, '
                         'classes)%s; got shape %s.' % (
                             model.name, name, ' or (samples, timesteps, classes)'
                             if mode == 'temporal' else '', labels.shape))
    if labels.shape[-1] > 1:
        classes = labels.argmax(axis=-1)
    else:
        classes = np.rint(labels[..., 0]).astype('int64')
    table = _class_table(model, name, class_weight)
    found = np.unique(classes)
    missing = [int(c) for c in found if int(c) not in table]
    if missing:
        raise ValueError('Model %s, output %r: class_weight has no weight for class(es) %s '
                         'found in the targets; give a weight for every class.'
                         % (model.name, name, missing))
    lookup = np.array([table[int(c)] for c in found], dtype=K.floatx())
    return lookup[np.searchsorted(found, classes)]


def _class_table(model, name, class_weight):
    """``class_weight`` as {int: float}, its keys checked against the output's classes."""
    shape = model.internal_output_shapes[model.output_names.index(name)]
    count = shape[-1] if shape[-1] and shape[-1] > 1 else 2   # one unit: classes 0 and 1
    table = {}
    for key, value in class_weight.items():
        if isinstance(key, (bool, np.bool_)) or not isinstance(key, (int, np.integer)):
            raise ValueError('Model %s, output %r: class_weight has the key %r, but its keys '
                             'must be integer class indices.' % (model.name, name, key))
        table[int(key)] = float(value)
    unknown = sorted(k for k in table if not 0 <= k < count)
    if unknown:
        raise ValueError('Model %s, output %r: class_weight names class(es) %s, but the output '
                         'has %d classes (0 to %d).' % (model.name, name, unknown, count,
                                                        count - 1))
    return table


# ------------------------------------------------------- model-level checks
def input_arrays(model, x, batch_dim=False):
    """The input arrays of ``model`` checked, and their number of samples."""
    names = model.input_names
    arrays = check_arrays(model, x, names, model.internal_input_shapes, 'input', batch_dim)
    return arrays, sample_count(model, [('input', names, arrays)])


def loss_arrays(model, x, y, sample_weight=None, class_weight=None, batch_dim=False):
    """What the train and test functions take, checked: inputs + targets + sample
    weights; and the number of samples."""
    inputs, targets, count = inputs_and_targets(model, x, y, batch_dim)
    return inputs + targets + sample_weights(model, targets, sample_weight, class_weight), count


def inputs_and_targets(model, x, y, batch_dim=False):
    """Checked input and target arrays of a compiled model, and their number of samples."""
    inputs = check_arrays(model, x, model.input_names, model.internal_input_shapes, 'input',
                          batch_dim)
    targets = check_arrays(model, y, model.output_names, target_shapes(model), 'target',
                           batch_dim, hint=lambda i, shape: _target_hint(model, i, shape))
    count = sample_count(model, [('input', model.input_names, inputs),
                                 ('target', model.output_names, targets)])
    _check_sparse_labels(model, targets)
    return inputs, targets, count


def _check_sparse_labels(model, targets):
    # An out-of-range label would fail deep in the backend (or give garbage on a GPU).
    for loss, name, shape, y in zip(model.loss_names, model.output_names,
                                    model.internal_output_shapes, targets):
        if loss != 'sparse_categorical_crossentropy' or not isinstance(y, np.ndarray) \
                or not y.size or not shape[-1]:
            continue
        bad = (y < 0) | (y >= shape[-1]) | (y != np.floor(y))
        if bad.any():
            raise ValueError('Model %s, target %r: sparse_categorical_crossentropy takes integer '
                             'class labels in [0, %d); got %s at index %s.'
                             % (model.name, name, shape[-1], y[bad][0],
                                tuple(int(i) for i in np.argwhere(bad)[0])))


def validation_arrays(model, validation_data):
    """(arrays, count) for ``validation_data`` = (x, y) or (x, y, sample_weight)."""
    if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
        raise ValueError('validation_data must be a tuple (x, y) or (x, y, sample_weight); got '
                         '%s.' % describe(validation_data))
    x, y, weights = tuple(validation_data) + (None,) * (3 - len(validation_data))
    return loss_arrays(model, x, y, sample_weight=weights)


def describe(value):
    """A few words on ``value`` for an error message: its type and length or shape."""
    if isinstance(value, (tuple, list)):
        return 'a %s of %d items' % (type(value).__name__, len(value))
    shape = getattr(value, 'shape', None)
    return 'a %s%s' % (type(value).__name__, '' if shape is None else ' of shape %s'
                       % (tuple(shape),))


def target_shapes(model):
    """The shape each output's targets must have, given its loss: the output's shape;
    (..., 1) for sparse_categorical_crossentropy; any size per axis for a custom loss."""
    shapes = []
    for loss, shape in zip(model.loss_names, model.internal_output_shapes):
        if loss == 'sparse_categorical_crossentropy':
            shape = tuple(shape[:-1]) + (1,)
        elif loss is None:
            shape = (None,) * len(shape)
        shapes.append(tuple(shape))
    return shapes


def _target_hint(model, index, shape):
    loss, output = model.loss_names[index], model.internal_output_shapes[index]
    if loss == 'categorical_crossentropy' and shape[-1:] == (1,) and output[-1] != 1:
        return (' categorical_crossentropy expects one-hot targets (samples, classes). For '
                'integer class labels convert them with kcore.utils.np_utils.to_categorical('
                'y, %s), or use the loss sparse_categorical_crossentropy.' % output[-1])
    if loss == 'sparse_categorical_crossentropy' and len(shape) == len(output) - 1:
        return (' sparse_categorical_crossentropy takes integer labels with as many axes as '
                'the output and a last axis of size 1: use np.expand_dims(y, -1).')
    if loss == 'sparse_categorical_crossentropy':
        return (' sparse_categorical_crossentropy takes integer class labels (last axis of size '
                '1); for one-hot targets use categorical_crossentropy.')
    return ''


def check_batch_size(model, batch_size, count, what):
    """Keras 1.1.2's rules for ``what`` ('fit', 'evaluate', 'predict', ...) on ``count``
    samples: a stateful model's fit and evaluate need a number of samples that batch_size
    divides, its predict too when there are more samples than batch_size; and with a fixed
    batch size (``batch_input_shape``) every batch must have that size, the only one the
    placeholders take (predict(X) with the default batch_size=32 runs when len(X) is it)."""
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) \
            or batch_size < 1:
        raise ValueError('Model %s: %s needs batch_size to be a positive integer; got %r.'
                         % (model.name, what, batch_size))
    if model.stateful:
        _check_stateful(model, batch_size, count, what)
    fixed = sorted({shape[0] for shape in model.internal_input_shapes if shape[0] is not None})
    if not fixed:
        return
    sizes = sorted({min(batch_size, count - start) for start in range(0, count, batch_size)})
    if len(fixed) > 1 or any(size != fixed[0] for size in sizes):
        size = fixed[-1]
        raise ValueError('Model %s has a fixed batch size of %s (the first axis of its '
                         'batch_input_shape), so every batch of %s must have %s samples; %d '
                         'samples with batch_size=%d make batches of %s. Pass batch_size=%d and '
                         'a multiple of %d samples.' % (
                             model.name, ' and '.join(map(str, fixed)), what, size, count,
                             batch_size, ', '.join(map(str, sizes)), size, size))


def _check_stateful(model, batch_size, count, what):
    if what == 'predict' and count <= batch_size or not count % batch_size:
        return
    raise ValueError('Model %s is stateful, so %s takes a number of samples that batch_size '
                     'divides (sample i of a batch continues sample i of the batch before); '
                     'got %d samples with batch_size=%d.' % (model.name, what, count, batch_size))


def require_samples(model, count, what):
    if not count:
        raise ValueError('Model %s: %s got arrays with no samples.' % (model.name, what))


def split_tail(arrays, fraction, count):
    """(head, tail): the last ``fraction`` of the samples is the tail (before any shuffling,
    as Keras 1 splits validation data)."""
    if not 0. <= fraction < 1.:
        raise ValueError('validation_split must be in [0, 1); got %r.' % (fraction,))
    split_at = int(count * (1. - fraction))
    if split_at == 0:
        raise ValueError('validation_split=%r leaves no training sample out of %d.'
                         % (fraction, count))
    head = [None if a is None else a[:split_at] for a in arrays]
    tail = [None if a is None else a[split_at:] for a in arrays]
    return head, tail
