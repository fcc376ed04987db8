"""The module-level helpers of Keras 1.1.2's ``keras.engine.training``, for scripts that
import them (``from kcore.engine.training import slice_X, make_batches``).

kcore's own training code does not call these: it checks data in :mod:`data`
and loops in :mod:`array_loops`. Where a helper computes what the engine computes, it
calls the engine's function; where Keras 1.1.2's helper behaves differently (it returns
a given sample_weight as is, it makes every 1D array a column), it keeps Keras 1.1.2's
behaviour and says so.
"""
import numpy as np

from kcore import backend as K
from kcore import callbacks as cbks
from kcore import config
from kcore import metrics as metrics_module
from kcore import objectives, optimizers
from kcore.engine.topology import Container
from kcore.engine.training.compiled import weighted_loss
from kcore.engine.training.data import as_array, per_output, shape_fits
from kcore.engine.training.enqueuer import GeneratorEnqueuer
from kcore.engine.training.array_loops import epoch_batches
from kcore.utils.generic_utils import Progbar

__all__ = ['Container', 'K', 'Progbar', 'batch_shuffle', 'cbks', 'check_array_lengths',
           'check_loss_and_target_compatibility', 'collect_metrics', 'generator_queue',
           'make_batches', 'metrics_module', 'objectives', 'optimizers', 'slice_X',
           'standardize_class_weights', 'standardize_input_data',
           'standardize_sample_or_class_weights', 'standardize_sample_weights',
           'standardize_weights', 'weighted_objective']

# The losses whose targets must have the output's shape (Keras 1.1.2 spelled the first
# 'mean_square_error', a name no loss has, so it never checked it).
_SAME_SHAPE_LOSSES = ('mean_squared_error', 'binary_crossentropy', 'categorical_crossentropy')


# ------------------------------------------------------------------ input data
def standardize_input_data(data, names, shapes=None, check_batch_dim=True, exception_prefix=''):
    """``data`` (one array, a list of arrays, or a dict keyed by name) as a list of arrays
    in the order of ``names``, each 1D array made a column (Keras 1.1.2). With ``shapes``
    each array is checked against its shape (None: any size on that axis; a shape of None:
    no check); the first axis only when ``check_batch_dim``."""
    where = exception_prefix or 'data'
    arrays = [_column(as_array(a)) for a in _listed(data, names, where)]
    for name, array, shape in zip(names, arrays, shapes or [None] * len(names)):
        if shape is not None and not shape_fits(array.shape, shape, check_batch_dim):
            raise ValueError('Error when checking %s: expected %s to have shape %s, but got an '
                             'array of shape %s.' % (where, name, tuple(shape),
                                                     tuple(array.shape)))
    return arrays


def _listed(data, names, where):
    if isinstance(data, dict):
        missing = [n for n in names if n not in data]
        if missing:
            raise ValueError('Error when checking %s: no data for %s; the dict needs a key for '
                             'each of %s.' % (where, missing, list(names)))
        return [data[n] for n in names]
    if isinstance(data, (list, tuple)):
        if len(names) == 1 and not any(hasattr(d, 'shape') for d in data):
            return [np.asarray(data)]        # a list of numbers is one array
        if len(data) == len(names):
            return list(data)
    elif len(names) == 1:
        return [data]
    count = len(data) if isinstance(data, (list, tuple)) else 1
    raise ValueError('Error when checking %s: the model expects %d array(s) (for %s), but got '
                     '%d. Pass one array per name, in this order, or a dict keyed by name.'
                     % (where, len(names), ', '.join(names), count))


def _column(array):
    if isinstance(array, np.ndarray) and array.ndim == 1:
        return array[:, None]
    return array


# -------------------------------------------------------------- sample weights
def standardize_sample_or_class_weights(x_weight, output_names, weight_type):
    """``x_weight`` (None, a list, or a dict keyed by output name; with one output the
    value itself) as a list with one item per output; ``weight_type`` words the errors."""
    return per_output(x_weight, list(output_names), weight_type)


def standardize_class_weights(class_weight, output_names):
    """``class_weight`` as a list with one item per output."""
    return standardize_sample_or_class_weights(class_weight, output_names, 'class_weight')


def standardize_sample_weights(sample_weight, output_names):
    """``sample_weight`` as a list with one item per output."""
    return standardize_sample_or_class_weights(sample_weight, output_names, 'sample_weight')


def standardize_weights(y, sample_weight=None, class_weight=None, sample_weight_mode=None):
    """The weight array of one output with targets ``y``: ``sample_weight`` itself when
    given (shape checked), else each sample's class weight, else ones; one weight per
    sample, or per sample and time step with ``sample_weight_mode='temporal'``."""
    if sample_weight_mode not in (None, 'temporal'):
        raise ValueError('sample_weight_mode must be None or "temporal"; got %r.'
                         % (sample_weight_mode,))
    if sample_weight_mode == 'temporal' and len(y.shape) < 3:
        raise ValueError('sample_weight_mode="temporal" weighs each time step, so the targets '
                         'need a time axis (samples, timesteps, ...); got shape %s.'
                         % (tuple(y.shape),))
    ndim = 2 if sample_weight_mode == 'temporal' else 1
    if sample_weight is not None:
        sample_weight = np.asarray(sample_weight)
        if sample_weight.shape != tuple(y.shape[:ndim]):
            raise ValueError('sample_weight has shape %s; targets of shape %s need weights of '
                             'shape %s%s.' % (sample_weight.shape, tuple(y.shape),
                                              tuple(y.shape[:ndim]), _temporal_hint(ndim)))
        return sample_weight
    if isinstance(class_weight, dict):
        return _class_weights(np.asarray(y), class_weight)
    return np.ones(tuple(y.shape[:ndim]), dtype=config.floatx())


def _temporal_hint(ndim):
    return '' if ndim == 2 else ' (compile with sample_weight_mode="temporal" for 2D weights)'


def _class_weights(y, class_weight):
    if y.ndim > 2:
        raise ValueError('class_weight needs targets of shape (samples,) or (samples, classes); '
                         'got shape %s.' % (y.shape,))
    if y.ndim == 2 and y.shape[1] > 1:
        classes = y.argmax(axis=1)
    else:
        classes = np.rint(np.reshape(y, (len(y),))).astype('int64')
    missing = sorted({int(c) for c in classes} - {int(k) for k in class_weight})
    if missing:
        raise ValueError('class_weight has no weight for class(es) %s found in the targets; '
                         'give a weight for every class.' % (missing,))
    table = {int(k): v for k, v in class_weight.items()}
    return np.asarray([table[int(c)] for c in classes])


# --------------------------------------------------------------------- checks
def check_array_lengths(X, Y, W):
    """Raise ValueError unless the inputs ``X``, targets ``Y`` and sample weights ``W``
    (lists of arrays) all have the same number of samples."""
    groups = [('input', X), ('target', Y), ('sample_weight', W)]
    counts = {}
    for what, arrays in groups:
        lengths = sorted({a.shape[0] for a in arrays if a is not None})
        if len(lengths) > 1:
            raise ValueError('All %s arrays must have the same number of samples; got %s.'
                             % (what, lengths))
        if lengths:
            counts[what] = lengths[0]
    if len(set(counts.values())) > 1:
        raise ValueError('The input, target and sample_weight arrays must have the same number '
                         'of samples; got %s.' % (', '.join('%d %s' % (n, what) for what, n
                                                            in counts.items()),))


def check_loss_and_target_compatibility(targets, losses, output_shapes):
    """Raise ValueError where a target array cannot go with its output's loss: integer
    labels for categorical_crossentropy, or a target shape other than the output's for a
    loss that compares them element by element."""
    if not len(targets) == len(losses) == len(output_shapes):
        raise ValueError('Expected one loss and one output shape per target array; got %d '
                         'targets, %d losses and %d shapes.'
                         % (len(targets), len(losses), len(output_shapes)))
    for y, loss, shape in zip(targets, losses, output_shapes):
        name = getattr(loss, '__name__', loss)
        if name == 'categorical_crossentropy' and y.shape[-1] == 1:
            raise ValueError('A target array of shape %s was passed with the loss '
                             'categorical_crossentropy, which expects one-hot targets (samples, '
                             'classes). Convert integer labels with kcore.utils.np_utils.'
                             'to_categorical, or use sparse_categorical_crossentropy.'
                             % (tuple(y.shape),))
        if name in _SAME_SHAPE_LOSSES and any(
                want is not None and got != want for got, want in zip(y.shape[1:], shape[1:])):
            raise ValueError('A target array of shape %s was passed for an output of shape %s '
                             'with the loss %s, which expects targets of the output\'s shape.'
                             % (tuple(y.shape), tuple(shape), name))


def collect_metrics(metrics, output_names):
    """One list of metrics per output: a list applies to every output, a dict maps output
    names to a metric or a list of metrics."""
    if not metrics:
        return [[] for _ in output_names]
    if isinstance(metrics, list):
        return [list(metrics) for _ in output_names]
    if isinstance(metrics, dict):
        listed = [metrics.get(name, []) for name in output_names]
        return [m if isinstance(m, list) else [m] for m in listed]
    raise TypeError('metrics must be a list (for every output) or a dict keyed by output name; '
                    'got %s.' % (type(metrics).__name__,))


# -------------------------------------------------------------------- batches
def make_batches(size, batch_size):
    """The ``(start, stop)`` rows of each batch over ``size`` samples, in order."""
    return [(int(rows.start), int(rows.stop)) for rows in epoch_batches(size, batch_size)]


def batch_shuffle(index_array, batch_size):
    """``index_array`` with its whole batches in a random order, each batch's indices kept
    together (contiguous reads, as HDF5 data needs); the last partial batch stays last."""
    whole = len(index_array) // batch_size * batch_size
    batches = np.asarray(index_array[:whole]).reshape((-1, batch_size))
    np.random.shuffle(batches)
    return np.append(batches.flatten(), index_array[whole:])


def slice_X(X, start=None, stop=None):
    """``X[start:stop]``, or ``X[start]`` when ``start`` is a list or array of indices;
    for a list of arrays, the same rows of each."""
    def rows(x):
        if hasattr(start, '__len__'):
            return x[start.tolist() if hasattr(start, 'tolist') else start]
        return x[start:stop]
    return [rows(x) for x in X] if isinstance(X, list) else rows(X)


# --------------------------------------------------------------------- losses
def weighted_objective(fn):
    """``fn(y_true, y_pred)`` as ``weighted(y_true, y_pred, weights, mask=None)``: the
    mean of the per-sample (or per-step) losses times their weights, as compile uses it."""
    def weighted(y_true, y_pred, weights, mask=None):
        return weighted_loss(fn, y_true, y_pred, weights, mask)
    weighted.__name__ = 'weighted_' + getattr(fn, '__name__', 'objective')
    return weighted


# ------------------------------------------------------------------ generators
def generator_queue(generator, max_q_size=10, wait_time=0.05, nb_worker=1, pickle_safe=False):
    """Keras 1.1.2's ``(queue, stop)``: ``nb_worker`` threads (processes with
    ``pickle_safe``) run ``generator`` ahead into ``queue`` (``get``, ``empty``, ``qsize``);
    ``stop.set()`` ends them, and ``stop.is_set()`` is true once they have ended (stopped,
    failed or exhausted). ``queue.get()`` raises the generator's error. ``wait_time`` is
    accepted for Keras 1 calls: the workers wait on the bounded queue instead of polling."""
    enqueuer = GeneratorEnqueuer(generator, max_q_size, nb_worker, pickle_safe)
    enqueuer.start()
    return GeneratorQueue(enqueuer), GeneratorStop(enqueuer)


class GeneratorQueue:
    """The queue side of :func:`generator_queue`."""

    def __init__(self, enqueuer):
        self.enqueuer = enqueuer

    def get(self):
        """The next item of the generator (waits for it)."""
        return self.enqueuer.get()

    def qsize(self):
        """How many items wait in the queue."""
        return self.enqueuer.qsize()

    def empty(self):
        return self.qsize() == 0


class GeneratorStop:
    """The stop flag of :func:`generator_queue`."""

    def __init__(self, enqueuer):
        self.enqueuer = enqueuer

    def set(self):
        """Stop the workers."""
        self.enqueuer.stop()

    def is_set(self):
        return not any(worker.is_alive() for worker in self.enqueuer.workers)
