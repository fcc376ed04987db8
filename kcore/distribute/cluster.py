"""Who the workers are: the cluster read from ``TF_CONFIG`` or given as arguments.

Ranks follow TensorFlow's convention: a ``chief`` task (when there is one) is rank 0, then the
``worker`` tasks in their order. Rank 0 is the chief: it prints progress and writes files.
"""
import json
import os

from kcore.distribute.errors import ClusterConfigError

#: The task types that train; TF_CONFIG may name others (see ``Cluster.from_tf_config``).
TRAINING_JOBS = ('chief', 'worker')
_PARAMETER_SERVERS = (
    "kcore's optimizers read each variable, compute the new value on the worker and assign "
    'it, so workers sharing variables on a parameter server overwrite each other\'s updates '
    '(measured on TensorFlow 2.21: 2 workers x 100 steps left the shared step counter at 126 '
    'and 123), and SyncReplicasOptimizer hung at the end in 2 of 3 runs. Run all tasks as '
    "'worker': each keeps a copy of the model and the gradients are averaged")


class Cluster:
    """The training tasks, in rank order, and this process's place among them."""

    def __init__(self, jobs, job, index):
        self.jobs = {name: list(jobs[name]) for name in TRAINING_JOBS if jobs.get(name)}
        unknown = sorted(set(jobs) - set(TRAINING_JOBS))
        if 'ps' in unknown:
            raise ClusterConfigError('The cluster has a parameter-server job (ps), which kcore '
                                     'does not support: ' + _PARAMETER_SERVERS + '.')
        if unknown:
            raise ClusterConfigError('The cluster names the job(s) %s; kcore trains with %s '
                                     'tasks only.' % (', '.join(unknown),
                                                      ' and '.join(TRAINING_JOBS)))
        if len(self.jobs.get('chief', ())) > 1:
            raise ClusterConfigError('The cluster has %d chief tasks; at most one is allowed.'
                                     % len(self.jobs['chief']))
        self.tasks = [(name, i) for name in TRAINING_JOBS
                      for i in range(len(self.jobs.get(name, ())))]
        if (job, index) not in self.tasks:
            raise ClusterConfigError('This task (%s %r) is not in the cluster, which has %s.'
                                     % (job, index, ', '.join('%s %d' % t for t in self.tasks)
                                        or 'no tasks'))
        self.rank = self.tasks.index((job, index))

    @classmethod
    def from_tf_config(cls, text=None):
        """The cluster that ``TF_CONFIG`` (or ``text``) describes; None when it is unset."""
        text = os.environ.get('TF_CONFIG', '') if text is None else text
        if not text.strip():
            return None
        try:
            config = json.loads(text)
            jobs, task = config['cluster'], config['task']
            job, index = task['type'], int(task['index'])
        except (ValueError, KeyError, TypeError) as e:
            raise ClusterConfigError(
                'TF_CONFIG is not valid (%s: %s). Expected JSON such as {"cluster": {"worker": '
                '["host1:port", "host2:port"]}, "task": {"type": "worker", "index": 0}}.'
                % (type(e).__name__, e)) from None
        if job not in TRAINING_JOBS:
            if job == 'ps':
                raise ClusterConfigError('TF_CONFIG makes this task a parameter server (ps), '
                                         'which kcore does not support: %s.' % _PARAMETER_SERVERS)
            raise ClusterConfigError('TF_CONFIG gives this task the type %r; kcore trains with '
                                     '%s tasks only.' % (job, ' and '.join(TRAINING_JOBS)))
        return cls(jobs, job, index)

    @classmethod
    def from_arguments(cls, cluster, task_index, task_type='worker'):
        """A cluster given as a list of 'host:port' workers or as TF_CONFIG's ``cluster`` dict."""
        jobs = {'worker': list(cluster)} if isinstance(cluster, (list, tuple)) else dict(cluster)
        if task_index is None:
            raise ClusterConfigError('MultiWorker(cluster=...) also needs task_index=: the '
                                     'position of this process in the list of %s tasks.'
                                     % task_type)
        return cls(jobs, task_type, int(task_index))

    @property
    def size(self):
        return len(self.tasks)

    @property
    def addresses(self):
        """'host:port' of each task, in rank order."""
        return [self.jobs[name][i] for name, i in self.tasks]

    @property
    def job(self):
        """(job name, task index) of this process."""
        return self.tasks[self.rank]

    def device(self, rank=None):
        """The TensorFlow-style device prefix of a task, e.g. '/job:worker/replica:0/task:1'."""
        name, index = self.tasks[self.rank if rank is None else rank]
        return '/job:%s/replica:0/task:%d' % (name, index)

    def __repr__(self):
        return 'Cluster(rank %d of %d: %s)' % (self.rank, self.size, ', '.join(self.addresses))
