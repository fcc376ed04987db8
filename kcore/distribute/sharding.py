"""Each worker's part of the training data, cut so that all workers run the same batches.

The parts interleave by batch: global batch k (``workers * batch_size`` samples in a row) is
split into ``workers`` consecutive slices, slice i going to worker i. A worker's batch k is
then its slice of global batch k, so N workers with ``fit(batch_size=B, shuffle=False)``
train on exactly the batches of one process with ``fit(batch_size=N * B, shuffle=False)`` on
the whole data. A last, shorter global batch is split evenly too.
"""
import numpy as np

from kcore.distribute.errors import UnevenShardsError

UNEVEN = ('error', 'drop', 'pad')


def shard_indices(samples, workers, rank, batch_size, uneven='error'):
    """The sample indices of worker ``rank``, in order (see the module's docstring)."""
    if uneven not in UNEVEN:
        raise ValueError('shard: uneven=%r is not one of %s.' % (uneven, ', '.join(UNEVEN)))
    if not (isinstance(batch_size, (int, np.integer)) and batch_size > 0):
        raise ValueError('shard: batch_size must be a positive int (the batch size each '
                         'worker gives fit); got %r.' % (batch_size,))
    order = np.arange(samples)
    left = samples % workers
    if left:
        if uneven == 'error':
            raise UnevenShardsError(samples, workers)
        if uneven == 'drop':
            order = order[:samples - left]
        else:  # pad: wrap around to the first samples
            order = np.concatenate([order, np.arange(workers - left) % max(samples, 1)])
    total = len(order)
    if total < workers:
        raise ValueError('shard: %d samples cannot give each of %d workers one.'
                         % (total, workers))
    group = workers * batch_size
    position = np.arange(total)
    start = position - position % group
    # Samples in this position's global batch, then each worker's share of it.
    size = np.minimum(group, total - start)
    owner = (position - start) // (size // workers)
    return order[owner == rank]


def take(data, indices):
    """``data`` (an array, a list of arrays or a dict of them) at ``indices``."""
    if data is None:
        return None
    if isinstance(data, dict):
        return {name: np.asarray(value)[indices] for name, value in data.items()}
    if isinstance(data, (list, tuple)):
        return [np.asarray(value)[indices] for value in data]
    return np.asarray(data)[indices]


def count(data):
    """The number of samples of ``data``, which all its arrays must agree on."""
    arrays = (list(data.values()) if isinstance(data, dict) else
              list(data) if isinstance(data, (list, tuple)) else [data])
    lengths = {len(a) for a in arrays if a is not None}
    if len(lengths) != 1:
        raise ValueError('shard: the arrays have different numbers of samples (%s); they must '
                         'all have one entry per sample.' % ', '.join(map(str, sorted(lengths))))
    return lengths.pop()
