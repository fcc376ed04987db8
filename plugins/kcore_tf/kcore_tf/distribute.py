"""Training on several workers with TensorFlow's own collective runtime.

Each worker runs a ``tf.distribute.Server`` of the cluster (the first task leads the
collective group), and kcore builds in a fresh graph whose session runs on that server.
Gradients are averaged by ``CollectiveReduceV2`` (the all-reduce under TensorFlow's
MultiWorkerMirroredStrategy): one packed reduction per dtype and step, with instance keys
numbered in the order the collectives are built, which is the same on every worker because
every worker runs the same script. Every collective gives up after the cluster's timeout;
a session error caused by another worker becomes a ``WorkerTimeoutError`` naming it.
"""
import itertools
import os
import socket
import time

import tensorflow as tf

from kcore import backend as K
from kcore.distribute.errors import ClusterConfigError, WorkerTimeoutError

GROUP_KEY = 1
# Process-wide, so that a key is never used twice for collectives of different shapes.
_instance_keys = itertools.count(1)
_runtime = None  # the WorkerRuntime of this process, once it joined a cluster
# What a stuck peer makes a step raise (a lost one may make it raise other errors too).
_PEER_ERRORS = (tf.errors.DeadlineExceededError, tf.errors.UnavailableError,
                tf.errors.AbortedError)
_REDUCIBLE = (tf.float16, tf.bfloat16, tf.float32, tf.float64, tf.int32, tf.int64)


class DistributeOps:
    """The backend functions of training on several workers."""

    def all_reduce_mean(self, tensors):
        """Outside a cluster (or in a graph the cluster did not make) a group of one:
        the tensors themselves."""
        tensors = list(tensors)
        runtime = _runtime
        if runtime is None or not runtime.is_current():
            return tensors
        for t in tensors:
            if not tf.as_dtype(t.dtype).is_floating:
                raise TypeError('all_reduce_mean averages float tensors; %r has dtype %s.'
                                % (getattr(t, 'name', t), t.dtype.name))
        return runtime.all_reduce(tensors, 'Div')

    def worker_runtime(self, cluster, timeout):
        """The runtime of this process as worker ``cluster.rank`` of ``cluster`` (one per
        process: a process joins one cluster)."""
        global _runtime
        if _runtime is None:
            _runtime = WorkerRuntime(cluster, timeout)
        elif (_runtime.cluster.addresses, _runtime.cluster.rank) != (cluster.addresses,
                                                                     cluster.rank):
            raise ClusterConfigError('This process already joined the cluster %r as rank %d; '
                                     'it cannot join %r as well.' % (
                                         _runtime.cluster.addresses, _runtime.cluster.rank,
                                         cluster.addresses))
        _runtime.timeout = timeout
        return _runtime


class WorkerRuntime:
    """This process's server, its graph and session, and the collectives built in them."""

    def __init__(self, cluster, timeout):
        self.cluster, self.timeout = cluster, float(timeout)
        self._server = self._graph = None

    # ----------------------------------------------------------- joining
    def _config(self):
        config = tf.compat.v1.ConfigProto(allow_soft_placement=True)
        config.experimental.collective_group_leader = self.cluster.device(0)
        threads = os.environ.get('OMP_NUM_THREADS')
        if threads:
            config.intra_op_parallelism_threads = int(threads)
        return config

    def connect(self):
        """Start the server (once), wait until every other worker's server answers, and make
        kcore build in a fresh graph run by this server, unless it does already."""
        if self.is_current():
            return
        if self._server is None:
            job, index = self.cluster.job
            self._server = tf.distribute.Server(tf.train.ClusterSpec(self.cluster.jobs),
                                                job_name=job, task_index=index,
                                                config=self._config(), start=True)
            self._wait_for_peers()
        K.clear_session()
        graph = tf.Graph()
        K.set_session(WorkerSession(self, self._server.target, graph=graph,
                                    config=self._config()))
        self._graph = graph

    def _peers(self):
        return [(rank, address) for rank, address in enumerate(self.cluster.addresses)
                if rank != self.cluster.rank]

    def _wait_for_peers(self):
        deadline = time.monotonic() + self.timeout
        waiting = self._peers()
        while waiting:
            waiting = [peer for peer in waiting if not _answers(peer[1])]
            if waiting and time.monotonic() > deadline:
                raise WorkerTimeoutError(self.cluster.rank, self.timeout, waiting, [],
                                         starting=True)
            if waiting:
                time.sleep(0.2)

    def is_current(self):
        """Whether kcore builds in this runtime's graph."""
        return self._graph is not None and K.get_session().graph is self._graph

    def placement(self):
        """A context manager that places the ops built in it on this worker."""
        return self._graph.device(self.cluster.device())

    def peer_error(self, error):
        """The WorkerTimeoutError for a step that failed with ``error`` because of another
        worker, or None when the error is the step's own: the peers that do not accept a
        connection are named as missing; with none, a timeout names the others as silent."""
        # A worker that was just killed may still accept connections while its process
        # ends: look again for a few seconds before calling the others merely silent.
        deadline = time.monotonic() + min(self.timeout, 3.0)
        missing = [peer for peer in self._peers() if not _answers(peer[1])]
        while not missing and time.monotonic() < deadline:
            time.sleep(0.2)
            missing = [peer for peer in self._peers() if not _answers(peer[1])]
        if not missing and not isinstance(error, _PEER_ERRORS):
            return None
        silent = [] if missing else self._peers()
        # TensorFlow's own message (chained to the new error) names only this worker.
        return WorkerTimeoutError(self.cluster.rank, self.timeout, missing, silent,
                                  type(error).__name__)

    # -------------------------------------------------------- collectives
    def all_reduce(self, tensors, final_op):
        """Each tensor summed over the workers (``final_op`` 'Div': then divided by their
        number; 'Id': the sum): one reduction per dtype of the tensors packed together."""
        tensors = [tf.convert_to_tensor(t) for t in tensors]
        out = [None] * len(tensors)
        by_dtype = {}
        for i, t in enumerate(tensors):
            by_dtype.setdefault(t.dtype.base_dtype, []).append(i)
        for dtype, indices in by_dtype.items():
            if dtype not in _REDUCIBLE:
                raise TypeError('The collective all-reduce takes %s tensors; got %s.'
                                % (', '.join(d.name for d in _REDUCIBLE), dtype.name))
            parts = [tensors[i] for i in indices]
            packed = tf.concat([tf.reshape(t, [-1]) for t in parts], axis=0)
            reduced = self._collective(packed, final_op)
            sizes = [_size(t) for t in parts]
            for i, t, piece in zip(indices, parts, tf.split(reduced, sizes)):
                out[i] = tf.reshape(piece, _shape(t))
        return out

    def _collective(self, packed, final_op):
        return tf.raw_ops.CollectiveReduceV2(
            input=packed, group_size=self.cluster.size, group_key=GROUP_KEY,
            instance_key=next(_instance_keys), ordering_token=[], merge_op='Add',
            final_op=final_op, communication_hint='ring', timeout_seconds=self.timeout)

    def broadcast_variables(self):
        """Give every variable of the graph rank 0's value; every worker calls this at the
        same point. Adding zeros is exact, so an all-reduce sum of rank 0's values and the
        other workers' zeros copies rank 0's values bit for bit."""
        variables = [v for v in self._graph.get_collection(
            tf.compat.v1.GraphKeys.GLOBAL_VARIABLES) if v.dtype.base_dtype in _REDUCIBLE]
        if not variables:
            return
        with self._graph.as_default(), tf.name_scope('kcore_broadcast'):
            values = [v.read_value() if self.cluster.rank == 0 else
                      tf.zeros(v.shape, v.dtype.base_dtype) for v in variables]
            summed = self.all_reduce(values, 'Id')
            assign = tf.group(*[v.assign(s, read_value=False)
                                for v, s in zip(variables, summed)])
        K.get_session().run(assign)


class WorkerSession(tf.compat.v1.Session):
    """A session on the worker's server whose steps raise ``WorkerTimeoutError`` when
    another worker is lost or does not join in time."""

    def __init__(self, runtime, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._runtime = runtime

    def run(self, *args, **kwargs):
        try:
            return super().run(*args, **kwargs)
        except tf.errors.OpError as e:
            error = self._runtime.peer_error(e)
            if error is None:
                raise
            raise error from e

    def _make_callable_from_options(self, callable_options):
        step = super()._make_callable_from_options(callable_options)
        runtime = self._runtime

        def call(*args, **kwargs):
            try:
                return step(*args, **kwargs)
            except tf.errors.OpError as e:
                error = runtime.peer_error(e)
                if error is None:
                    raise
                raise error from e
        return call


def _answers(address, timeout=1.0):
    """Whether something accepts TCP connections at 'host:port'."""
    host, _, port = address.rpartition(':')
    try:
        with socket.create_connection((host.strip('[]'), int(port)), timeout=timeout):
            return True
    except OSError:
        return False


def _size(t):
    n = t.shape.num_elements()
    return n if n is not None else tf.size(t)


def _shape(t):
    return t.shape if t.shape.is_fully_defined() else tf.shape(t)
