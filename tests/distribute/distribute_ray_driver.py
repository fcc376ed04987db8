"""The Ray smoke test's driver: a local Ray instance on 127.0.0.1 runs 2 workers through
kcore.distribute.ray.train; each trains the SGD model of distribute_train_worker on its
shard and saves its weights and TF_CONFIG to OUT_DIR/ray<rank>.npz.

    python distribute_ray_driver.py OUT_DIR
"""
import os
import sys

from kcore.distribute import ray as kcore_ray


def train(config):
    import numpy as np

    import distribute_train_worker as worker
    import kcore.distribute
    strategy = kcore.distribute.MultiWorker(timeout=120)
    x, y = strategy.shard(*worker.data(strategy.num_workers), batch_size=worker.BATCH)
    with strategy.scope():
        np.random.seed(strategy.rank)
        model = worker.model(worker.SGD(lr=0.1))
    model.fit(x, y, batch_size=worker.BATCH, nb_epoch=1, shuffle=False, verbose=0)
    np.savez(os.path.join(config['out'], 'ray%d.npz' % strategy.rank), *model.get_weights(),
             tf_config=os.environ['TF_CONFIG'])


if __name__ == '__main__':
    out = sys.argv[1]
    kcore_ray.start_local(num_cpus=2)
    result = kcore_ray.train(train, num_workers=2, config={'out': out},
                             storage_path=os.path.join(out, 'ray_results'))
    if result.error:
        raise SystemExit('Ray Train failed: %r' % (result.error,))
    print('ray training done')
