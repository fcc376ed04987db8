"""kcore.distribute without a cluster: TF_CONFIG, shards, chief-only callbacks, the launcher
(with small scripts that import no backend), errors, and one process training as usual."""
import json

import numpy as np
import pytest

import kcore.distribute
from kcore import backend as K
from kcore.callbacks import (Callback, CallbackList, CSVLogger, History, ModelCheckpoint,
                             ProgbarLogger, TensorBoard)
from kcore.distribute import (ClusterConfigError, DistributeNotSupported, MultiWorker,
                              UnevenShardsError, WorkerTimeoutError, strategy)
from kcore.distribute.launch import free_ports, launch
from kcore.layers import Dense
from kcore.models import Sequential


def tf_config(cluster, job, index):
    return json.dumps({'cluster': cluster, 'task': {'type': job, 'index': index}})


# ------------------------------------------------------------------ cluster
def test_tf_config_gives_ranks_with_the_chief_first(monkeypatch):
    jobs = {'worker': ['w0:1', 'w1:2'], 'chief': ['c:3']}
    monkeypatch.setenv('TF_CONFIG', tf_config(jobs, 'worker', 1))
    s = MultiWorker()
    assert (s.num_workers, s.rank, s.is_chief) == (3, 2, False)
    assert s.cluster.addresses == ['c:3', 'w0:1', 'w1:2']
    assert s.cluster.device() == '/job:worker/replica:0/task:1'
    assert s.cluster.device(0) == '/job:chief/replica:0/task:0'


def test_cluster_and_task_index_as_arguments(monkeypatch):
    monkeypatch.delenv('TF_CONFIG', raising=False)
    s = MultiWorker(cluster=['127.0.0.1:1', '127.0.0.1:2'], task_index=0, timeout=5)
    assert (s.num_workers, s.rank, s.is_chief, s.timeout) == (2, 0, True, 5.0)
    with pytest.raises(ClusterConfigError, match='task_index'):
        MultiWorker(cluster=['127.0.0.1:1', '127.0.0.1:2'])
    with pytest.raises(ClusterConfigError, match=r'worker 2.*not in the cluster'):
        MultiWorker(cluster=['127.0.0.1:1', '127.0.0.1:2'], task_index=2)


def test_parameter_servers_are_refused_with_the_reason(monkeypatch):
    jobs = {'worker': ['w:1'], 'ps': ['p:2']}
    for job, index in (('worker', 0), ('ps', 0)):
        monkeypatch.setenv('TF_CONFIG', tf_config(jobs, job, index))
        with pytest.raises(ClusterConfigError, match='parameter.server.*overwrite each other'):
            MultiWorker()


def test_invalid_tf_config_says_what_is_expected(monkeypatch):
    monkeypatch.setenv('TF_CONFIG', '{"cluster": {"worker": ["a:1"]}}')
    with pytest.raises(ClusterConfigError, match='TF_CONFIG is not valid.*KeyError.*"task"'):
        MultiWorker()
    monkeypatch.setenv('TF_CONFIG', tf_config({'worker': ['a:1'], 'evaluator': ['e:2']},
                                              'worker', 0))
    with pytest.raises(ClusterConfigError, match='evaluator'):
        MultiWorker()


def test_without_a_cluster_one_process_trains_as_usual(monkeypatch):
    monkeypatch.delenv('TF_CONFIG', raising=False)
    s = MultiWorker()
    assert (s.num_workers, s.rank, s.is_chief) == (1, 0, True)
    x = np.random.RandomState(0).rand(64, 3).astype('float32')
    y = x.sum(1, keepdims=True)
    with s.scope():
        model = Sequential([Dense(1, input_dim=3)])
        model.compile('sgd', 'mse')
    assert s.shard(x, batch_size=8) is not x and np.array_equal(s.shard(x, batch_size=8), x)
    history = model.fit(*s.shard(x, y, batch_size=8), batch_size=8, nb_epoch=2, verbose=0)
    assert history.history['loss'][1] < history.history['loss'][0]
    assert kcore.distribute.active() is None   # nothing to reduce
    grads = [object()]
    assert kcore.distribute.reduce_gradients(grads) is grads


def test_several_workers_need_a_backend_with_collectives():
    active = K.active()
    if hasattr(active, 'worker_runtime'):
        pytest.skip('%s has collectives (checked by the 2-worker tests)' % active.name)
    s = MultiWorker(cluster=['127.0.0.1:1', '127.0.0.1:2'], task_index=0)
    with pytest.raises(DistributeNotSupported, match='not supported on this backend'):
        with s.scope():
            pass


# ------------------------------------------------------------------- shards
def global_batches(n, batch):
    return [list(range(s, min(n, s + batch))) for s in range(0, n, batch)]


@pytest.mark.parametrize('n,workers,batch', [(64, 2, 8), (70, 2, 8), (66, 3, 4), (6, 3, 5),
                                             (4, 4, 1)])
def test_shards_interleave_by_batch_like_one_process(n, workers, batch):
    """Worker i's batch k is the i-th slice of one process's batch k of workers * batch."""
    x = np.arange(n)
    parts = [MultiWorker(cluster=['h:%d' % i for i in range(workers)], task_index=r)
             .shard(x, batch_size=batch) for r in range(workers)]
    assert len({len(p) for p in parts}) == 1
    worker_batches = [global_batches(len(p), batch) for p in parts]
    for k, whole in enumerate(global_batches(n, workers * batch)):
        joined = [int(i) for r in range(workers) for i in parts[r][worker_batches[r][k]]]
        assert joined == whole


def test_uneven_shards_are_refused_unless_dropped_or_padded():
    x, y = np.arange(11), np.arange(11) * 10
    s = MultiWorker(cluster=['h:1', 'h:2'], task_index=1)
    with pytest.raises(UnevenShardsError, match=r"11 samples.*2 workers \(1 left over\)"
                                                r".*uneven='drop'.*uneven='pad'") as info:
        s.shard(x, y, batch_size=4)
    assert (info.value.samples, info.value.workers) == (11, 2)
    xd, yd = s.shard(x, y, batch_size=4, uneven='drop')
    assert list(xd) == [4, 5, 6, 7, 9] and list(yd) == [40, 50, 60, 70, 90]
    padded = [MultiWorker(cluster=['h:1', 'h:2'], task_index=r).shard(x, batch_size=4,
                                                                      uneven='pad')
              for r in (0, 1)]
    assert sorted(np.concatenate(padded)) == sorted(list(range(11)) + [0])
    with pytest.raises(ValueError, match="uneven='skip' is not one of"):
        s.shard(x, batch_size=4, uneven='skip')


def test_shard_takes_lists_dicts_and_sample_weights():
    s = MultiWorker(cluster=['h:1', 'h:2'], task_index=0)
    a, b = np.arange(8), np.arange(8) * 2
    xs, ys, ws = s.shard([a, b], {'out': a * 3}, batch_size=2, sample_weight=a * 4)
    assert [list(v) for v in xs] == [[0, 1, 4, 5], [0, 2, 8, 10]]
    assert list(ys['out']) == [0, 3, 12, 15] and list(ws) == [0, 4, 16, 20]
    with pytest.raises(ValueError, match='same number of samples'):
        s.shard(a, b[:6], batch_size=2)


# --------------------------------------------------------- chief-only
class Counting(Callback):
    pass


def test_other_workers_leave_out_chief_only_callbacks(monkeypatch, tmp_path):
    listed = [ProgbarLogger(), ModelCheckpoint(str(tmp_path / 'w.h5')),
              CSVLogger(str(tmp_path / 'l.csv')), TensorBoard(str(tmp_path / 'tb')), History(),
              Counting()]
    everywhere = ModelCheckpoint(str(tmp_path / 'all.h5'))
    everywhere.chief_only = False
    only_chief = MultiWorker.chief_only(Counting())
    kept_by_rank = {0: listed + [everywhere, only_chief], 1: listed[4:] + [everywhere]}
    for rank, kept in kept_by_rank.items():
        monkeypatch.setattr(strategy, '_current',
                            MultiWorker(cluster=['h:1', 'h:2'], task_index=rank))
        callbacks = CallbackList(listed + [everywhere])
        callbacks.append(only_chief)
        assert callbacks.callbacks == kept
        assert kcore.distribute.is_chief() == (rank == 0)


# ------------------------------------------------------------- errors
def test_worker_timeout_error_names_the_worker():
    e = WorkerTimeoutError(0, 10, [(1, '127.0.0.1:5000')], [])
    assert (e.rank, e.timeout, e.missing) == (0, 10, [(1, '127.0.0.1:5000')])
    assert 'worker 1 (127.0.0.1:5000) stopped answering: not reachable' in str(e)
    assert 'at most 10 s' in str(e)
    e = WorkerTimeoutError(1, 3, [(0, 'h:1')], [], starting=True)
    assert 'worker 0 (h:1) did not start within 3 s: nothing answers' in str(e)
    e = WorkerTimeoutError(1, 2.5, [], [(0, 'h:1')])
    assert 'worker 0 (h:1) did not join the step within 2.5 s' in str(e)


def test_all_reduce_mean_default_names_the_backend():
    from kcore.backend.protocol import Backend
    fake = type('NoCollectives', (), {'name': 'fake'})()
    with pytest.raises(DistributeNotSupported, match=r'not supported on this backend \(fake\)'):
        Backend.all_reduce_mean(fake, [])


# ----------------------------------------------------------- launcher
WORKER_SCRIPT = '''
import json, os, sys, time
config = json.loads(os.environ['TF_CONFIG'])
index = config['task']['index']
print('worker', index, 'of', config['cluster']['worker'], 'args', sys.argv[1:], flush=True)
if '--fail' in sys.argv and index == 1:
    sys.exit(3)
if '--hang' in sys.argv and index == 0:
    time.sleep(600)
'''


@pytest.fixture
def script(tmp_path):
    path = tmp_path / 'worker.py'
    path.write_text(WORKER_SCRIPT)
    return str(path)


def test_launcher_gives_each_worker_its_tf_config(script, capfd):
    assert launch([script, 'a', '--flag'], workers=3) == 0
    out = capfd.readouterr().out
    lines = sorted(l for l in out.splitlines() if 'worker' in l)
    assert len(lines) == 3
    assert lines[0].startswith('[worker 1] worker 1 of [') and lines[2].startswith('worker 0 of')
    addresses = json.loads(lines[0].split(' of ')[1].split(' args')[0].replace("'", '"'))
    assert len(set(addresses)) == 3 and all(a.startswith('127.0.0.1:') for a in addresses)
    assert "args ['a', '--flag']" in lines[1]


def test_launcher_stops_the_others_after_a_failure(script, capfd):
    assert launch([script, '--fail', '--hang'], workers=2, grace=1) == 3
    err = capfd.readouterr().err
    assert 'worker 1 exited with code 3' in err and 'stopping the workers still running' in err


def test_launcher_timeout(script, capfd):
    assert launch([script, '--hang'], workers=2, timeout=2) == 124
    assert 'ran past --timeout' in capfd.readouterr().err


def test_kcore_distribute_command(script, capfd):
    from kcore import cli
    assert cli.main(['distribute', '--workers', '2', script, '--help']) == 0
    assert "args ['--help']" in capfd.readouterr().out
    assert cli.main(['distribute']) == 2


def test_free_ports_are_distinct_loopback_ports():
    ports = free_ports(4)
    assert len(set(ports)) == 4 and all(0 < p < 65536 for p in ports)


def test_waiting_for_workers_that_never_start_times_out_naming_them():
    import socket
    if not hasattr(K.active(), 'worker_runtime'):
        pytest.skip('the backend has no worker runtime')
    from kcore_tf.distribute import WorkerRuntime
    listening = socket.socket()
    listening.bind(('127.0.0.1', 0))
    listening.listen()
    try:
        up = '127.0.0.1:%d' % listening.getsockname()[1]
        down = '127.0.0.1:%d' % free_ports(1)[0]
        cluster = MultiWorker(cluster=['127.0.0.1:1', up, down], task_index=0).cluster
        runtime = WorkerRuntime(cluster, timeout=1)
        with pytest.raises(WorkerTimeoutError, match=r'worker 2 \(%s\) did not start within 1 s'
                                                     % down) as info:
            runtime._wait_for_peers()
        assert info.value.missing == [(2, down)]
        # After a failed step: the unreachable worker is named; with none, the reachable ones.
        import tensorflow as tf
        timed_out = tf.errors.DeadlineExceededError(None, None, 'timed out')
        assert runtime.peer_error(ValueError()).missing == [(2, down)]
        reachable = WorkerRuntime(MultiWorker(cluster=['127.0.0.1:1', up], task_index=0).cluster,
                                  timeout=1)
        reachable._wait_for_peers()
        error = reachable.peer_error(timed_out)
        assert (error.missing, error.silent) == ([], [(1, up)])
        # All workers there and no timeout: the step's own error, left as it is.
        assert reachable.peer_error(ValueError()) is None
    finally:
        listening.close()
