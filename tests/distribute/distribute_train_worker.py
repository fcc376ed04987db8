"""A worker of the 2-worker tests: trains a small model with SGD and one with Adam on its
shard, 50 steps with shuffle=False, and saves the weights to OUT_DIR/rank<r>.npz.

    python distribute_train_worker.py OUT_DIR [--cluster host:port,host:port --rank R]
                                      [--timeout S] [--kill-after-steps N]

Without --cluster, the cluster comes from TF_CONFIG (as ``kcore distribute`` sets it).
--kill-after-steps makes rank 1 kill itself (SIGKILL) after N steps of the first model.
"""
import argparse
import os
import signal

import numpy as np

import kcore.distribute
from kcore.callbacks import Callback
from kcore.layers import Dense
from kcore.models import Sequential
from kcore.optimizers import SGD, Adam

STEPS, BATCH = 50, 32


def data(workers):
    """The whole data set, the same in every worker."""
    rs = np.random.RandomState(0)
    x = rs.rand(STEPS * BATCH * workers, 6).astype('float32')
    y = np.stack([x.sum(1), x[:, 0] - x[:, 1]], axis=1)
    return x, y.astype('float32')


def model(optimizer):
    m = Sequential([Dense(8, input_dim=6, activation='tanh'), Dense(2)])
    m.compile(optimizer=optimizer, loss='mse')
    return m


class KillSelf(Callback):
    def __init__(self, steps):
        self.steps = steps

    def on_batch_end(self, batch, logs=None):
        if batch + 1 == self.steps:
            os.kill(os.getpid(), signal.SIGKILL)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('out')
    parser.add_argument('--cluster')
    parser.add_argument('--rank', type=int)
    parser.add_argument('--timeout', type=float)
    parser.add_argument('--kill-after-steps', type=int)
    args = parser.parse_args()
    cluster = args.cluster.split(',') if args.cluster else None
    strategy = kcore.distribute.MultiWorker(cluster=cluster, task_index=args.rank,
                                            timeout=args.timeout)
    x, y = data(strategy.num_workers)
    x, y = strategy.shard(x, y, batch_size=BATCH)
    callbacks = []
    if args.kill_after_steps and strategy.rank == 1:
        callbacks.append(KillSelf(args.kill_after_steps))
    weights = {}
    with strategy.scope():
        # Different seeds: only the broadcast of rank 0's weights makes the workers start equal.
        np.random.seed(strategy.rank)
        sgd, adam = model(SGD(lr=0.1)), model(Adam(lr=0.01))
    for name, m in (('sgd', sgd), ('adam', adam)):
        weights.update(('init_%s_%d' % (name, i), w) for i, w in enumerate(m.get_weights()))
        history = m.fit(x, y, batch_size=BATCH, nb_epoch=1, shuffle=False, verbose=0,
                        callbacks=callbacks)
        weights.update(('%s_%d' % (name, i), w) for i, w in enumerate(m.get_weights()))
        weights[name + '_loss'] = np.array(history.history['loss'])
    weights['evaluate'] = np.array(sgd.evaluate(x, y, batch_size=BATCH, verbose=0))
    np.savez(os.path.join(args.out, 'rank%d.npz' % strategy.rank), **weights)


if __name__ == '__main__':
    main()
