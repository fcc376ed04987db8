"""Workers started by Ray Train (``pip install "kcore-tf[ray]"``).

Ray Train's ``TensorflowTrainer`` sets ``TF_CONFIG`` in each worker, so a training function
that builds ``kcore.distribute.MultiWorker()`` runs there unchanged::

    from kcore.distribute import ray as kcore_ray

    def train(config):
        strategy = kcore.distribute.MultiWorker()
        with strategy.scope():
            model = ...
        model.fit(*strategy.shard(x, y, batch_size=32), batch_size=32)

    kcore_ray.train(train, num_workers=4)   # on a running Ray cluster (ray.init() first)

``start_local()`` starts a Ray instance on this machine alone, for trying it out.
"""
import os

#: Set by ``start_local``: Ray listens on 127.0.0.1 only (without the first it picks a
#: routable address), sends no usage statistics and writes no token into ``~/.ray``.
LOOPBACK_ENV = {'RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER': '0', 'RAY_USAGE_STATS_ENABLED': '0',
                'RAY_AUTH_MODE': 'disabled'}


def _ray():
    try:
        import ray
        import ray.train
        import ray.train.tensorflow
    except ImportError as e:
        raise ImportError('kcore.distribute.ray needs Ray Train, which is not installed (%s). '
                          'Install it with: pip install "kcore-tf[ray]".' % e) from e
    return ray


def start_local(num_cpus=None):
    """Start a Ray instance for this process on 127.0.0.1 only (see ``LOOPBACK_ENV``; the
    variables are set in this process's environment, which Ray's processes inherit)."""
    os.environ.update(LOOPBACK_ENV)
    ray = _ray()
    return ray.init(address='local', _node_ip_address='127.0.0.1', include_dashboard=False,
                    num_cpus=num_cpus, log_to_driver=True)


def train(train_fn, num_workers=2, config=None, use_gpu=False, storage_path=None, name=None):
    """Run ``train_fn(config)`` in ``num_workers`` Ray workers, each with ``TF_CONFIG`` set,
    through Ray Train's ``TensorflowTrainer``; return its ``Result`` (``result.error`` is
    the exception of a worker that failed). ``storage_path``: where Ray Train keeps the
    run's records (default ``~/ray_results``)."""
    ray = _ray()
    trainer = ray.train.tensorflow.TensorflowTrainer(
        train_fn, train_loop_config=config or {},
        scaling_config=ray.train.ScalingConfig(num_workers=num_workers, use_gpu=use_gpu),
        run_config=ray.train.RunConfig(storage_path=storage_path, name=name))
    return trainer.fit()
