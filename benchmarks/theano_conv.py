"""kcore-theano's native convolution and pooling Ops against the graph path they replace
(KCORE_THEANO_NATIVE_CONV=0), or another switch of kcore-theano on (1) against off (0)
with ``--switch`` (KCORE_THEANO_CONV_FUSION: conv_fusion.py, KCORE_THEANO_WINOGRAD:
winograd.h), on compare.py's cnn workload: training (batch 128) and predict (batch 1024).
Both models live in one process and their epochs alternate, so both see the same machine
load. Prints samples/s of each
pair and the median ratio on/off.

    KCORE_BACKEND=theano .venv/bin/python benchmarks/theano_conv.py --pairs 5
    KCORE_BACKEND=theano .venv/bin/python benchmarks/theano_conv.py --switch \
        KCORE_THEANO_CONV_FUSION
"""
import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ['KCORE_BACKEND'] = 'theano'

import compare  # noqa: E402  (the workloads' data and sizes)


def build(switch, on):
    """The cnn model of compare.py, compiled with the environment variable ``switch`` on
    or off."""
    os.environ[switch] = '1' if on else '0'
    from kcore.layers import Convolution2D, Dense, Dropout, Flatten, MaxPooling2D
    from kcore.models import Sequential
    from kcore.optimizers import Adadelta
    model = Sequential([
        Convolution2D(32, 3, 3, activation='relu', input_shape=(28, 28, 1), dim_ordering='tf'),
        Convolution2D(64, 3, 3, activation='relu', dim_ordering='tf'),
        MaxPooling2D(pool_size=(2, 2), dim_ordering='tf'), Dropout(0.25), Flatten(),
        Dense(128, activation='relu'), Dropout(0.5), Dense(10, activation='softmax')])
    model.compile(Adadelta(), 'categorical_crossentropy')
    x, y = compare.make_data('cnn')
    model.fit(x[:256], y[:256], batch_size=128, nb_epoch=1, verbose=0)  # compiles
    model.predict(x[:1024], batch_size=1024)
    return model


def rate(run, count):
    started = time.perf_counter()
    run()
    return count / (time.perf_counter() - started)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--pairs', type=int, default=5)
    parser.add_argument('--train-samples', type=int, default=1280)
    parser.add_argument('--switch', default='KCORE_THEANO_NATIVE_CONV')
    args = parser.parse_args()
    models = {'on': build(args.switch, True), 'off': build(args.switch, False)}
    x, y = compare.make_data('cnn')
    x, y = x[:args.train_samples], y[:args.train_samples]
    xp, _ = compare.make_data('cnn_predict')
    runs = {
        'cnn': lambda m: rate(lambda: m.fit(x, y, batch_size=128, nb_epoch=1, verbose=0),
                              len(x)),
        'cnn_predict': lambda m: rate(lambda: m.predict(xp, batch_size=1024), len(xp)),
    }
    for workload, run in runs.items():
        ratios = []
        for pair in range(args.pairs):
            on, off = run(models['on']), run(models['off'])
            ratios.append(on / off)
            print('%-12s pair %d: on %8.0f  off %8.0f samples/s  ratio %.2f'
                  % (workload, pair, on, off, ratios[-1]), flush=True)
        print('%-12s median on/off (%s): %.2f (load average %.2f)'
              % (workload, args.switch, statistics.median(ratios), os.getloadavg()[0]),
              flush=True)


if __name__ == '__main__':
    main()
