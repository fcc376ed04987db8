"""``MultiWorker``: the same model trained on several workers, gradients averaged each step."""
import contextlib
import os

from kcore.distribute import sharding
from kcore.distribute.cluster import Cluster
from kcore.distribute.errors import DistributeNotSupported

#: Seconds a worker waits for the others (at start and in every step) unless told otherwise.
DEFAULT_TIMEOUT = 300.0

_current = None  # the strategy whose scope this process entered last


class MultiWorker:
    """Data-parallel training: every worker holds the whole model and trains on its part of
    the data; each step averages the gradients over the workers (before ``clipnorm`` and
    ``clipvalue``), so all workers keep equal weights, equal to one process training on the
    N-times larger batch.

    The cluster comes from ``TF_CONFIG`` (set by ``kcore distribute``, Ray Train or any other
    launcher) or from ``cluster=['host:port', ...]`` with ``task_index=``; without either,
    the process is a cluster of one and trains as usual. ``timeout`` (seconds; default
    ``$KCORE_DISTRIBUTE_TIMEOUT`` or 300) bounds every wait on another worker.
    """

    def __init__(self, cluster=None, task_index=None, task_type='worker', timeout=None):
        if cluster is None:
            self.cluster = Cluster.from_tf_config()
        else:
            self.cluster = Cluster.from_arguments(cluster, task_index, task_type)
        if timeout is None:
            timeout = os.environ.get('KCORE_DISTRIBUTE_TIMEOUT') or DEFAULT_TIMEOUT
        self.timeout = float(timeout)
        if not self.timeout > 0:
            raise ValueError('MultiWorker: timeout must be a positive number of seconds; got %r.'
                             % (timeout,))
        self._runtime = None

    @property
    def num_workers(self):
        return 1 if self.cluster is None else self.cluster.size

    @property
    def rank(self):
        """This worker's number, 0 to num_workers - 1; rank 0 is the chief."""
        return 0 if self.cluster is None else self.cluster.rank

    @property
    def is_chief(self):
        return self.rank == 0

    @contextlib.contextmanager
    def scope(self):
        """On entering first: join the cluster and build in a fresh graph run by this worker
        (what kcore built before is dropped: build and compile the model inside). Ops built
        inside are placed on this worker.
        A model compiled in that graph averages its gradients, whether ``fit`` is called
        inside the block or after it."""
        global _current
        runtime = self._join()
        _current = self
        with runtime.placement() if runtime is not None else contextlib.nullcontext():
            yield self

    def _join(self):
        if self.num_workers == 1:
            return None
        if self._runtime is None:
            from kcore import backend
            active = backend.active()
            make = getattr(active, 'worker_runtime', None)
            if make is None:
                raise DistributeNotSupported(active.name, 'MultiWorker with %d workers'
                                             % self.num_workers)
            self._runtime = make(self.cluster, self.timeout)
        self._runtime.connect()
        return self._runtime

    def shard(self, x, y=None, batch_size=32, sample_weight=None, uneven='error'):
        """This worker's part of ``x`` (and of ``y`` and ``sample_weight`` when given), such
        that every worker runs the same number of batches of ``batch_size`` (pass the same
        ``batch_size`` to ``fit``). Samples that do not divide evenly over the workers raise
        ``UnevenShardsError`` unless ``uneven`` is 'drop' (leave the last ones out) or 'pad'
        (repeat the first ones). Returns x, or the tuple (x, y[, sample_weight])."""
        given = [d for d in (x, y, sample_weight) if d is not None]
        counts = {sharding.count(d) for d in given}
        if len(counts) != 1:
            raise ValueError('shard: x, y and sample_weight must have the same number of '
                             'samples; got %s.' % ', '.join(str(sharding.count(d)) for d in given))
        indices = sharding.shard_indices(counts.pop(), self.num_workers, self.rank, batch_size,
                                         uneven)
        parts = [sharding.take(d, indices) for d in given]
        return parts[0] if len(parts) == 1 else tuple(parts)

    @staticmethod
    def chief_only(callback):
        """Mark ``callback`` to run on the chief (rank 0) only; return it. ProgbarLogger,
        ModelCheckpoint, TensorBoard, CSVLogger and RemoteMonitor are chief-only unless
        their ``chief_only`` attribute is set to False."""
        callback.chief_only = True
        return callback

    def broadcast_weights(self):
        """Copy rank 0's value of every variable to all workers; every worker must call it
        at the same point. Done by itself whenever a training function is built (at the
        first ``fit``): call it after loading weights on some workers only."""
        if self._runtime is not None and self._runtime.is_current():
            self._runtime.broadcast_variables()

    def __repr__(self):
        return 'MultiWorker(rank %d of %d workers)' % (self.rank, self.num_workers)


def current():
    """The strategy whose scope this process entered last, or None."""
    return _current


def active():
    """The strategy whose graph kcore builds in now (None: ordinary, one-process training)."""
    strategy = _current
    if strategy is None or strategy._runtime is None or not strategy._runtime.is_current():
        return None
    return strategy


def is_chief():
    """False only in a worker of rank > 0 (so True in a process that trains alone)."""
    return _current is None or _current.is_chief


def reduce_gradients(grads):
    """The optimizer's hook: under an active strategy, first give every worker rank 0's
    weights, then average ``grads`` over the workers; otherwise ``grads`` unchanged."""
    strategy = active()
    if strategy is None:
        return grads
    from kcore import backend as K
    strategy.broadcast_weights()
    return K.all_reduce_mean(grads)


def reduce_outputs(outputs):
    """The training loop's hook: under an active strategy, the loss and metrics of a step
    averaged over the workers (equal batch sizes make it the mean over the whole batch)."""
    if active() is None:
        return outputs
    from kcore import backend as K
    return K.all_reduce_mean(outputs)


CHIEF_ONLY_CALLBACKS = ('ProgbarLogger', 'ModelCheckpoint', 'TensorBoard', 'CSVLogger',
                        'RemoteMonitor')


def runs_here(callback):
    """Whether ``callback`` runs in this process: everywhere on the chief; on other workers
    unless it is chief-only (its ``chief_only`` attribute, else its class)."""
    if is_chief():
        return True
    flag = getattr(callback, 'chief_only', None)
    if flag is None:
        from kcore import callbacks
        flag = isinstance(callback, tuple(getattr(callbacks, name)
                                          for name in CHIEF_ONLY_CALLBACKS))
    return not flag
