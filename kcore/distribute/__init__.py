"""Data-parallel training on several workers (TensorFlow's collective all-reduce)::

    strategy = kcore.distribute.MultiWorker()        # reads TF_CONFIG
    with strategy.scope():
        model = Sequential([...])
        model.compile(optimizer='adam', loss='categorical_crossentropy')
    x, y = strategy.shard(x, y, batch_size=32)
    model.fit(x, y, batch_size=32, nb_epoch=10)

Start the workers with ``kcore distribute --workers 2 script.py`` on one machine, with any
launcher that sets ``TF_CONFIG`` on a cluster, or with Ray Train (``kcore.distribute.ray``).
See README.md in this folder.
"""
from kcore.distribute.errors import (ClusterConfigError, DistributeNotSupported,
                                     UnevenShardsError, WorkerTimeoutError)
from kcore.distribute.strategy import (MultiWorker, active, current, is_chief, reduce_gradients,
                                       reduce_outputs, runs_here)

__all__ = ['MultiWorker', 'ClusterConfigError', 'DistributeNotSupported', 'UnevenShardsError',
           'WorkerTimeoutError', 'active', 'current', 'is_chief', 'reduce_gradients',
           'reduce_outputs', 'runs_here']
