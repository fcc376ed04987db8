"""The errors of data-parallel training, typed so that callers can act on their fields."""


class ClusterConfigError(ValueError):
    """The cluster description (``TF_CONFIG`` or the arguments of ``MultiWorker``) is
    missing something or names what kcore does not support."""


class UnevenShardsError(ValueError):
    """``shard`` was asked to split samples that do not divide evenly over the workers."""

    def __init__(self, samples, workers):
        self.samples, self.workers = samples, workers
        left = samples % workers
        super().__init__(
            'shard: %d samples do not split evenly over %d workers (%d left over). Every worker '
            'must run the same number of batches, or the others wait for it until the timeout. '
            "Pass uneven='drop' to leave out the last %d sample(s), or uneven='pad' to train "
            'on the first %d sample(s) twice per epoch.'
            % (samples, workers, left, left, workers - left))


class WorkerTimeoutError(RuntimeError):
    """Another worker did not answer within the timeout: ``missing`` lists the (rank,
    address) pairs that could not be reached, ``silent`` the reachable ones that did not join
    the step in time."""

    def __init__(self, rank, timeout, missing, silent, cause='', starting=False):
        self.rank, self.timeout = rank, timeout
        self.missing, self.silent = list(missing), list(silent)
        if self.missing and starting:
            what = ('%s did not start within %g s: nothing answers at its address (start '
                    'every worker, and open its port to the others)'
                    % (_names(self.missing), timeout))
        elif self.missing:
            what = ('%s stopped answering: not reachable (it stopped or crashed; a step waits '
                    'at most %g s for it)' % (_names(self.missing), timeout))
        else:
            what = ('%s did not join the step within %g s although reachable: every worker '
                    'must run the same number of steps (shard the data with strategy.shard, '
                    'give every worker the same epochs, and stop them all at the same epoch)'
                    % (_names(self.silent) or 'no other worker', timeout))
        advice = ('' if starting else ' The collective runtime of this process is stopped; '
                  'restart all the workers.')
        super().__init__('Worker %d: %s.%s%s' % (rank, what, advice,
                                                 (' (TensorFlow raised %s.)' % cause) if cause
                                                 else ''))


class DistributeNotSupported(NotImplementedError):
    """The active backend has no collective operations for training on several workers."""

    def __init__(self, backend, what='all_reduce_mean'):
        self.backend = backend
        super().__init__('%s is not supported on this backend (%s): training on several '
                         'workers needs collective operations, which kcore provides on '
                         'TensorFlow (pip install kcore-tf; KCORE_BACKEND=tensorflow).'
                         % (what, backend))


def _names(workers):
    return ', '.join('worker %d (%s)' % (rank, address) for rank, address in workers)
