"""Building and discarding models in a loop: does a long-lived process stay flat?

    python benchmarks/build_loop.py                      # 50 models, both modes, 2 processes
    python benchmarks/build_loop.py --models 100 --modes keep
    python benchmarks/build_loop.py --worker clear --models 50   # one process, JSON lines

Each process builds a small MLP, compiles it, trains one batch, predicts, then drops it,
``--models`` times; mode ``keep`` does nothing else, mode ``clear`` calls
``K.clear_session()`` after each model. Per model it records the build+compile+first-step
time, the process's resident memory and (on TensorFlow) the number of ops in kcore's graph.
The table compares the first models with the last ones: growth there is what a server or a
notebook that rebuilds models would see.
"""
import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import time


def _rss_mb():
    """Resident memory now (not the peak), from /proc where there is one."""
    try:
        with open('/proc/self/statm') as f:
            return int(f.read().split()[1]) * os.sysconf('SC_PAGE_SIZE') / 2 ** 20
    except OSError:
        import resource
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _graph_ops(K):
    if K.backend() != 'tensorflow':
        return None
    return len(K.get_session().graph.get_operations())


def worker(mode, models):
    import numpy as np
    from kcore import backend as K
    from kcore.layers import Dense
    from kcore.models import Sequential
    x = np.random.RandomState(0).rand(64, 32).astype('float32')
    y = x.sum(axis=1, keepdims=True)
    for i in range(models):
        started = time.perf_counter()
        model = Sequential([Dense(64, input_dim=32, activation='relu'), Dense(64), Dense(1)])
        model.compile('adam', 'mse')
        model.train_on_batch(x, y)
        model.predict(x)
        seconds = time.perf_counter() - started
        ops = _graph_ops(K)
        del model
        if mode == 'clear':
            K.clear_session()
        gc.collect()
        print(json.dumps({'model': i, 'seconds': seconds, 'rss_mb': _rss_mb(), 'ops': ops}),
              flush=True)


def _measure(mode, models):
    out = subprocess.run([sys.executable, os.path.abspath(__file__), '--worker', mode,
                          '--models', str(models)], capture_output=True, text=True,
                         check=True, timeout=1800).stdout
    return [json.loads(line) for line in out.splitlines() if line.startswith('{')]


def _summary(rows, head=5):
    first, last = rows[1:1 + head], rows[-head:]   # model 0 pays the backend's warm-up
    median = lambda key, part: statistics.median(r[key] for r in part)  # noqa: E731
    ops = [r['ops'] for r in rows if r['ops'] is not None]
    return {'build_s_first': median('seconds', first), 'build_s_last': median('seconds', last),
            'rss_mb_first': rows[1]['rss_mb'], 'rss_mb_last': rows[-1]['rss_mb'],
            'ops_first': ops[1] if ops else None, 'ops_last': ops[-1] if ops else None}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--models', type=int, default=50)
    parser.add_argument('--modes', default='keep,clear')
    parser.add_argument('--worker', choices=['keep', 'clear'])
    args = parser.parse_args(argv)
    if args.models < 7:
        parser.error('--models must be at least 7 (the first and last five are compared)')
    if args.worker:
        worker(args.worker, args.models)
        return
    print('%-6s %10s %10s %10s %10s %9s %9s' % ('mode', 'build s 1', 'build s N', 'RSS MB 1',
                                                'RSS MB N', 'ops 1', 'ops N'))
    for mode in args.modes.split(','):
        s = _summary(_measure(mode, args.models))
        print('%-6s %10.3f %10.3f %10.1f %10.1f %9s %9s'
              % (mode, s['build_s_first'], s['build_s_last'], s['rss_mb_first'],
                 s['rss_mb_last'], s['ops_first'], s['ops_last']))


if __name__ == '__main__':
    main()
