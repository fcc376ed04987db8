"""Data-parallel training speed: samples per second of the MLP of train_speed.py on 1 and on
2 local workers (``kcore distribute``), each worker with the same batch size.

    python benchmarks/distribute_mlp.py [--workers 1,2] [--samples 8192] [--batch-size 128]
                                        [--epochs 3]

On one machine the workers share its cores, so the figure measures what the collective
all-reduce costs (the overhead), not the speed-up that machines of their own would give.
Each worker trains on its shard of --samples; the chief times the epochs after a warm-up
epoch and reports samples of all workers per second.
"""
import argparse
import json
import os
import sys
import tempfile
import time


def worker(args):
    import numpy as np

    import kcore.distribute
    from kcore.utils.np_utils import to_categorical
    from train_speed import mlp

    strategy = kcore.distribute.MultiWorker()
    rs = np.random.RandomState(0)
    x = rs.rand(args.samples, 784).astype('float32')
    y = to_categorical(rs.randint(10, size=args.samples), 10).astype('float32')
    x, y = strategy.shard(x, y, batch_size=args.batch_size, uneven='drop')
    with strategy.scope():
        model = mlp(0)[0]
        model.compile('sgd', 'categorical_crossentropy')
    model.fit(x, y, batch_size=args.batch_size, nb_epoch=1, verbose=0)  # build, warm up
    started = time.perf_counter()
    model.fit(x, y, batch_size=args.batch_size, nb_epoch=args.epochs, verbose=0)
    seconds = time.perf_counter() - started
    if strategy.is_chief:
        samples = len(x) * strategy.num_workers * args.epochs
        with open(args.result, 'w') as f:
            json.dump({'workers': strategy.num_workers, 'samples_per_s': samples / seconds}, f)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--workers', default='1,2')
    parser.add_argument('--samples', type=int, default=8192)
    parser.add_argument('--batch-size', type=int, default=128)
    parser.add_argument('--epochs', type=int, default=3)
    parser.add_argument('--result', help=argparse.SUPPRESS)  # set in the workers
    args = parser.parse_args(argv)
    if args.result:
        return worker(args)
    from kcore.distribute.launch import launch
    rows = []
    for count in [int(n) for n in args.workers.split(',')]:
        with tempfile.TemporaryDirectory() as folder:
            result = os.path.join(folder, 'result.json')
            code = launch([os.path.abspath(__file__), '--samples', str(args.samples),
                           '--batch-size', str(args.batch_size), '--epochs', str(args.epochs),
                           '--result', result], workers=count)
            if code:
                sys.exit('distribute_mlp: the run with %d workers failed (exit %d).'
                         % (count, code))
            with open(result) as f:
                rows.append(json.load(f))
    cores = os.cpu_count()
    for row in rows:
        print('mlp, %d worker(s), batch %d per worker: %.0f samples/s (%d cores shared: this '
              'measures the all-reduce overhead, not a speed-up)'
              % (row['workers'], args.batch_size, row['samples_per_s'], cores))


if __name__ == '__main__':
    main()
