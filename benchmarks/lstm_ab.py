"""A/B of two settings on the lstm workload in one process: two models built under
different environment variables (read when a graph is built, e.g. KCORE_TF_FUSED_UPDATES=0
or KCORE_TF_FUSED_LSTM=0), their training batches alternated A, B, A, B... so that both
see the same machine load. Prints, per round, each one's samples/s (from its median batch
time) and the ratio A/B, then the median ratio over the rounds.

    KCORE_BACKEND=tensorflow .venv/bin/python benchmarks/lstm_ab.py \\
        --a KCORE_TF_FUSED_UPDATES=1 --b KCORE_TF_FUSED_UPDATES=0 --rounds 5
"""
import argparse
import os
import statistics
import time

import numpy as np


def build(settings, dropout_U):
    saved = {k: os.environ.get(k) for k in settings}
    os.environ.update(settings)
    try:
        from kcore.layers import Dense, Embedding, LSTM
        from kcore.models import Sequential
        model = Sequential([Embedding(20000, 128, input_length=80),
                            LSTM(128, inner_activation='sigmoid', dropout_U=dropout_U),
                            Dense(1, activation='sigmoid')])
        model.compile('adam', 'binary_crossentropy')
        x, y = data(64)
        model.fit(x, y, batch_size=32, nb_epoch=1, verbose=0)   # builds the train function
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k)
            else:
                os.environ[k] = v
    return model


def data(count):
    rng = np.random.RandomState(1234)
    return (rng.randint(1, 20000, size=(count, 80)).astype('int32'),
            rng.randint(2, size=(count, 1)).astype('float32'))


def rates(models, x, y, batch=32):
    """samples/s of each model from its median batch time, batches alternated."""
    times = [[] for _ in models]
    for start in range(0, len(x) - batch + 1, batch):
        xb, yb = x[start:start + batch], y[start:start + batch]
        for model, spent in zip(models, times):
            begin = time.perf_counter()
            model.train_on_batch(xb, yb)
            spent.append(time.perf_counter() - begin)
    return [batch / statistics.median(spent) for spent in times]


def rounds(count, measure):
    """Call ``measure()`` (samples/s of A and of B) ``count`` times; print each round and
    the median ratio A/B."""
    ratios = []
    for i in range(count):
        rate_a, rate_b = measure()
        ratios.append(rate_a / rate_b)
        print('round %d: A %.0f  B %.0f samples/s  A/B %.3f  (load %.2f)'
              % (i, rate_a, rate_b, ratios[-1], os.getloadavg()[0]), flush=True)
    print('median A/B %.3f over %d rounds' % (statistics.median(ratios), len(ratios)))


def parse(pairs):
    return dict(p.split('=', 1) for p in pairs.split(',') if p)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--a', default='', help='A: VAR=VALUE[,VAR=VALUE]')
    parser.add_argument('--b', default='', help='B: VAR=VALUE[,VAR=VALUE]')
    parser.add_argument('--rounds', type=int, default=5)
    parser.add_argument('--samples', type=int, default=1600)
    parser.add_argument('--dropout-U', type=float, default=0.)
    args = parser.parse_args()
    a, b = (build(parse(s), args.dropout_U) for s in (args.a, args.b))
    x, y = data(args.samples)
    rates([a, b], x[:320], y[:320])   # warm-up
    rounds(args.rounds, lambda: rates([a, b], x, y))


if __name__ == '__main__':
    main()
