"""The five workloads of compare.py (mlp, cnn, lstm, mlp_predict, cnn_predict) on kcore-jax,
on whatever device JAX sees (a GPU when jax[cuda] is installed and one is present).

    KCORE_BACKEND is set to jax here; kcore and kcore-jax are all it needs.
    python benchmarks/jax_devices.py                 # every workload, about 10 s each
    python benchmarks/jax_devices.py --quick         # about 2 s each
    python benchmarks/jax_devices.py --workloads mlp,lstm --seconds 20

Prints the device, then per workload the median samples/s over the timed epochs (or
predict calls), the min and max, and the warm-up (graph building and compilation).
"""
import argparse
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import compare  # noqa: E402  (the workloads' definitions: one copy, in compare.py)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--workloads', default=','.join(compare.WORKLOADS))
    parser.add_argument('--seconds', type=float, default=10.0,
                        help='timed seconds per workload (after one warm-up)')
    parser.add_argument('--quick', action='store_true', help='about 2 timed seconds each')
    args = parser.parse_args(argv)
    seconds = 2.0 if args.quick else args.seconds
    workloads = [w for w in args.workloads.split(',') if w]
    unknown = [w for w in workloads if w not in compare.WORKLOADS]
    if unknown:
        parser.error('unknown workloads %s; expected some of %s.'
                     % (', '.join(unknown), ', '.join(compare.WORKLOADS)))

    os.environ['KCORE_BACKEND'] = 'jax'
    import jax
    from kcore import backend as K
    if K.backend() != 'jax':
        sys.exit('kcore chose the %s backend; is kcore-jax installed?' % K.backend())
    devices = jax.devices()
    print('jax %s, device: %s (%s), %d device(s)'
          % (jax.__version__, devices[0].device_kind, devices[0].platform, len(devices)))
    print('%-12s %12s %12s %12s %10s' % ('workload', 'samples/s', 'min', 'max', 'warm-up s'))
    for workload in workloads:
        K.clear_session()
        started = time.perf_counter()
        warmup, rates = compare.kcore_worker(workload, seconds)
        print('%-12s %12.0f %12.0f %12.0f %10.2f   (%.0f s)'
              % (workload, statistics.median(rates), min(rates), max(rates), warmup,
                 time.perf_counter() - started), flush=True)


if __name__ == '__main__':
    main()
