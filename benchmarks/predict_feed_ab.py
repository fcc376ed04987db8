"""A/B in one process: predict on float64 input, which kcore casts once to the placeholders'
float32 before the batches. kcore's cast (``data.to_dtypes``) puts the copy at a 64-byte
boundary, so that TensorFlow feeds every batch in place; the plain ``astype`` copy starts 16
bytes past one, and TensorFlow then copies each batch again. Both run in turn, in a random
order.

    KCORE_BACKEND=tensorflow python benchmarks/predict_feed_ab.py --rounds 30
    python benchmarks/predict_feed_ab.py --workload cnn_predict

Prints the median wall and CPU time of each variant and the medians of the pairwise ratios
(astype over aligned: above 1 means the aligned cast is faster)."""
import argparse
import os
import random
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import compare  # noqa: E402  (the workloads' data)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--workload', default='mlp_predict',
                        choices=['mlp_predict', 'cnn_predict'])
    parser.add_argument('--rounds', type=int, default=30)
    args = parser.parse_args()
    from kcore.engine.training import data
    model = _model(args.workload)
    x = compare.make_data(args.workload)[0].astype('float64')
    count, batch = compare.WORKLOADS[args.workload]
    aligned = data.to_dtypes

    def astype(arrays, dtypes):
        return [a.astype(d) if isinstance(a, np.ndarray) and a.dtype != d else a
                for a, d in zip(arrays, dtypes)]
    reference = model.predict(x, batch_size=batch)
    wall = {'aligned': [], 'astype': []}
    cpu = {'aligned': [], 'astype': []}
    try:
        for _ in range(args.rounds):
            for name in random.sample(sorted(wall), 2):
                data.to_dtypes = aligned if name == 'aligned' else astype
                started, cpu_started = time.perf_counter(), time.process_time()
                out = model.predict(x, batch_size=batch)
                wall[name].append(time.perf_counter() - started)
                cpu[name].append(time.process_time() - cpu_started)
                assert np.array_equal(out, reference), 'the variants disagree'
    finally:
        data.to_dtypes = aligned
    for name in sorted(wall):
        print('%-7s median %8.0f samples/s, CPU %.1f ms per predict'
              % (name, count / np.median(wall[name]), np.median(cpu[name]) * 1e3))
    ratio = np.array(wall['astype']) / np.array(wall['aligned'])
    cpu_ratio = np.array(cpu['astype']) / np.array(cpu['aligned'])
    print('aligned / astype speed: median wall ratio %.3f, CPU ratio %.3f, load %s'
          % (np.median(ratio), np.median(cpu_ratio),
             ' '.join('%.2f' % v for v in os.getloadavg())))


def _model(workload):
    from kcore.layers import Convolution2D, Dense, Dropout, Flatten, MaxPooling2D
    from kcore.models import Sequential
    if workload == 'mlp_predict':
        layers = [Dense(512, activation='relu', input_dim=784), Dropout(0.2),
                  Dense(512, activation='relu'), Dropout(0.2), Dense(10, activation='softmax')]
    else:
        layers = [Convolution2D(32, 3, 3, activation='relu', input_shape=(28, 28, 1),
                                dim_ordering='tf'),
                  Convolution2D(64, 3, 3, activation='relu', dim_ordering='tf'),
                  MaxPooling2D(pool_size=(2, 2), dim_ordering='tf'), Dropout(0.25), Flatten(),
                  Dense(128, activation='relu'), Dropout(0.5), Dense(10, activation='softmax')]
    return Sequential(layers)


if __name__ == '__main__':
    main()
