"""A/B of kcore-jax's fused LSTM/GRU kernels against the protocol's step loop on ``rnn``:
forward and gradient of the benchmark's recurrent layer shape (32 samples, 80 steps, 128
units), both variants compiled in one process and timed alternately. Prints the median
milliseconds per call, wall and CPU (CPU time is the steadier figure on a loaded machine).

    KCORE_BACKEND=jax python benchmarks/jax_fused_rnn.py [lstm|gru] [rounds]
"""
import os
import statistics
import sys
import time

import numpy as np


def build(K, kind, fused):
    os.environ['KCORE_JAX_FUSED_RNN'] = kind if fused else '0'
    gates = 4 if kind == 'lstm' else 3
    rng = np.random.RandomState(0)
    x = K.variable(rng.randn(32, 80, gates * 128).astype('float32'))
    U = K.variable((rng.randn(128, gates * 128) * 0.1).astype('float32'))
    h0 = K.zeros((32, 128))
    if kind == 'lstm':
        last = K.lstm(x, U, [h0, h0], 'tanh', 'sigmoid')[0]
    else:
        last = K.gru(x, U, [h0], 'tanh', 'sigmoid')[0]
    loss = K.sum(last)
    # The kernel's gradient only: returning x's would time a 5 MB copy to the host.
    return K.function([], [loss] + K.gradients(loss, [U]))


def main():
    from kcore.backend import get_backend
    K = get_backend('jax')
    kind = sys.argv[1] if len(sys.argv) > 1 else 'lstm'
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    functions = {'step loop': build(K, kind, False), 'fused': build(K, kind, True)}
    times = {name: ([], []) for name in functions}
    for _ in range(rounds):
        for name, f in functions.items():
            f([])
            wall, cpu = time.perf_counter(), time.process_time()
            for _ in range(20):
                f([])
            times[name][0].append((time.perf_counter() - wall) * 50.)
            times[name][1].append((time.process_time() - cpu) * 50.)
    for name, (wall, cpu) in times.items():
        print('%s %-9s wall %.1f ms  cpu %.1f ms' % (kind, name, statistics.median(wall),
                                                      statistics.median(cpu)))
    (w0, c0), (w1, c1) = [[statistics.median(t) for t in v] for v in times.values()]
    print('%s fused speed-up: wall %.2fx, cpu %.2fx; load %.1f'
          % (kind, w0 / w1, c0 / c1, os.getloadavg()[0]))


if __name__ == '__main__':
    main()
