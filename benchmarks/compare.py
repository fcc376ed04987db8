"""kcore against the frameworks a user would pick instead: the same six workloads, the same
synthetic data, each framework in its own process, one after another.

    python benchmarks/compare.py                       # everything installed, 2 rounds
    python benchmarks/compare.py --install-peers       # first make .bench-venv with the peers
    python benchmarks/compare.py --frameworks kcore-tf,keras3-tf --workloads mlp --rounds 3
    python benchmarks/compare.py --worker kcore-tf --workload mlp   # one measurement, JSON
    python benchmarks/compare.py --build-time      # kcore build of each backend, fresh cache

Workloads (float32 data from a fixed seed; see WORKLOADS): mlp, cnn, lstm, gru (training
with ``fit``) and mlp_predict, cnn_predict (``predict`` at batch 1024). Each process runs one
workload: one warm-up epoch (graph building and compilation included, reported apart), then
timed epochs for about ``--seconds`` seconds. The table gives, per framework and workload,
the median over processes of each process's median samples/s, the min and max over all timed
epochs, the warm-up time, the peak resident memory of the worker process (its own, not its
compiler children's) and the share of the machine's limit (samples/s x FLOPs per sample / measured float32 GEMM FLOP/s).

kcore runs from the interpreter that runs this script (the project's venv); the peers from
``--peer-python`` (default .bench-venv/bin/python), each only when it imports there.
"""
import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SEED = 1234

# name -> (samples per epoch or per predict call, batch size, training FLOPs per sample)
WORKLOADS = {
    'mlp': (12800, 128),
    'cnn': (3840, 128),
    'lstm': (3200, 32),
    'gru': (3200, 32),   # the lstm's data
    'mlp_predict': (16384, 1024),
    'cnn_predict': (4096, 1024),
}


def forward_flops(model):
    """Multiply-adds x 2 of one sample's forward pass (dense, convolution and LSTM layers)."""
    if model == 'mlp':
        macs = 784 * 512 + 512 * 512 + 512 * 10
    elif model == 'cnn':
        macs = (26 * 26 * 32 * 9 * 1 + 24 * 24 * 64 * 9 * 32
                + 12 * 12 * 64 * 128 + 128 * 10)
    else:  # lstm, gru: 80 steps of 4 (3) gates over [input, state]; the embedding is a lookup
        macs = 80 * (4 if model == 'lstm' else 3) * (128 + 128) * 128 + 128
    return 2. * macs


def workload_flops(workload):
    """FLOPs per sample: forward for predict, 3x forward (forward + two backward GEMMs) for
    training."""
    if workload.endswith('_predict'):
        return forward_flops(workload[:-len('_predict')])
    return 3 * forward_flops(workload)


def make_data(workload):
    import numpy as np
    rng = np.random.RandomState(SEED)
    count = WORKLOADS[workload][0]
    model = workload.split('_')[0]
    if model == 'mlp':
        x = rng.rand(count, 784).astype('float32')
        y = np.eye(10, dtype='float32')[rng.randint(10, size=count)]
    elif model == 'cnn':
        x = rng.rand(count, 28, 28, 1).astype('float32')
        y = np.eye(10, dtype='float32')[rng.randint(10, size=count)]
    else:
        x = rng.randint(1, 20000, size=(count, 80)).astype('int32')
        y = rng.randint(2, size=(count, 1)).astype('float32')
    return x, y


# ------------------------------------------------------------------ the measured loops
def time_training(run_epochs, count, seconds):
    """``run_epochs(n)`` trains n epochs and returns the seconds of each. One warm-up epoch,
    one epoch to size the run, then enough epochs for about ``seconds``."""
    started = time.perf_counter()
    run_epochs(1)
    warmup = time.perf_counter() - started
    first = run_epochs(1)
    n = max(2, int(math.ceil((seconds - first[0]) / first[0])))
    times = first + run_epochs(n)
    return warmup, [count / t for t in times]


def time_predict(predict, count, seconds):
    started = time.perf_counter()
    predict()
    warmup = time.perf_counter() - started
    rates, total = [], 0.
    while total < seconds or len(rates) < 3:
        started = time.perf_counter()
        predict()
        elapsed = time.perf_counter() - started
        rates.append(count / elapsed)
        total += elapsed
    return warmup, rates


def _epoch_timer(base):
    class EpochTimer(base):
        def __init__(self):
            super().__init__()
            self.times = []

        def on_epoch_begin(self, epoch, logs=None):
            self._started = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.times.append(time.perf_counter() - self._started)
    return EpochTimer


# ------------------------------------------------------------------------------ kcore
def kcore_worker(workload, seconds):
    from kcore import backend as K
    from kcore.callbacks import Callback
    from kcore.layers import (GRU, LSTM, Convolution2D, Dense, Dropout, Embedding, Flatten,
                              MaxPooling2D)
    from kcore.models import Sequential
    from kcore.optimizers import Adadelta, Adam, RMSprop

    model_name = workload.split('_')[0]
    if model_name == 'mlp':
        model = Sequential([Dense(512, activation='relu', input_dim=784), Dropout(0.2),
                            Dense(512, activation='relu'), Dropout(0.2),
                            Dense(10, activation='softmax')])
        model.compile(RMSprop(lr=0.001), 'categorical_crossentropy')
    elif model_name == 'cnn':
        model = Sequential([
            Convolution2D(32, 3, 3, activation='relu', input_shape=(28, 28, 1),
                          dim_ordering='tf'),
            Convolution2D(64, 3, 3, activation='relu', dim_ordering='tf'),
            MaxPooling2D(pool_size=(2, 2), dim_ordering='tf'), Dropout(0.25), Flatten(),
            Dense(128, activation='relu'), Dropout(0.5), Dense(10, activation='softmax')])
        model.compile(Adadelta(), 'categorical_crossentropy')
    else:
        # inner_activation='sigmoid': the gates of Keras 3's and PyTorch's LSTM and GRU, so that
        # every framework computes the same model (Keras 1's default is 'hard_sigmoid').
        recurrent = LSTM if model_name == 'lstm' else GRU
        model = Sequential([Embedding(20000, 128, input_length=80),
                            recurrent(128, inner_activation='sigmoid'),
                            Dense(1, activation='sigmoid')])
        model.compile(Adam(), 'binary_crossentropy')
    return _keras_like_run(model, workload, seconds, Callback, 'nb_epoch', K.backend())


def _keras_like_run(model, workload, seconds, callback_base, epochs_kw, backend):
    x, y = make_data(workload)
    count, batch = WORKLOADS[workload]
    if workload.endswith('_predict'):
        def predict():
            model.predict(x, batch_size=batch, verbose=0)
        return time_predict(predict, count, seconds)
    timer_class = _epoch_timer(callback_base)

    def run_epochs(n):
        timer = timer_class()
        model.fit(x, y, batch_size=batch, verbose=0, callbacks=[timer], **{epochs_kw: n})
        return timer.times
    return time_training(run_epochs, count, seconds)


# ------------------------------------------------------------------ Keras 3, tf-keras
def keras_worker(keras, workload, seconds):
    layers = keras.layers
    model_name = workload.split('_')[0]
    if model_name == 'mlp':
        model = keras.Sequential([keras.Input((784,)), layers.Dense(512, activation='relu'),
                                  layers.Dropout(0.2), layers.Dense(512, activation='relu'),
                                  layers.Dropout(0.2), layers.Dense(10, activation='softmax')])
        optimizer = keras.optimizers.RMSprop(learning_rate=0.001)
        loss = 'categorical_crossentropy'
    elif model_name == 'cnn':
        model = keras.Sequential([
            keras.Input((28, 28, 1)), layers.Conv2D(32, (3, 3), activation='relu'),
            layers.Conv2D(64, (3, 3), activation='relu'), layers.MaxPooling2D((2, 2)),
            layers.Dropout(0.25), layers.Flatten(), layers.Dense(128, activation='relu'),
            layers.Dropout(0.5), layers.Dense(10, activation='softmax')])
        optimizer = keras.optimizers.Adadelta(learning_rate=1.0, rho=0.95, epsilon=1e-6)
        loss = 'categorical_crossentropy'
    else:
        # reset_after=False: Keras 1's GRU applies the reset gate before the recurrent product.
        recurrent = (layers.LSTM(128) if model_name == 'lstm'
                     else layers.GRU(128, reset_after=False))
        model = keras.Sequential([keras.Input((80,), dtype='int32'),
                                  layers.Embedding(20000, 128), recurrent,
                                  layers.Dense(1, activation='sigmoid')])
        optimizer = keras.optimizers.Adam(learning_rate=0.001)
        loss = 'binary_crossentropy'
    model.compile(optimizer=optimizer, loss=loss)
    return _keras_like_run(model, workload, seconds, keras.callbacks.Callback, 'epochs',
                           None)


# ---------------------------------------------------------------------------- PyTorch
def torch_worker(workload, seconds):
    import numpy as np
    import torch
    from torch import nn

    class RecurrentNet(nn.Module):
        # nn.GRU applies the reset gate after the recurrent product (Keras 3's
        # reset_after=True); PyTorch has no GRU of Keras 1's kind.
        def __init__(self, layer):
            super().__init__()
            self.embedding = nn.Embedding(20000, 128)
            self.recurrent = layer(128, 128, batch_first=True)
            self.dense = nn.Linear(128, 1)

        def forward(self, x):
            _, state = self.recurrent(self.embedding(x))
            h = state[0] if isinstance(state, tuple) else state   # LSTM: (h, c)
            return self.dense(h[-1])

    torch.manual_seed(SEED)
    x, y = make_data(workload)
    count, batch = WORKLOADS[workload]
    model_name = workload.split('_')[0]
    if model_name == 'mlp':
        model = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Dropout(0.2),
                              nn.Linear(512, 512), nn.ReLU(), nn.Dropout(0.2),
                              nn.Linear(512, 10))
        optimizer = torch.optim.RMSprop(model.parameters(), lr=0.001, alpha=0.9, eps=1e-6)
        loss_fn, target = nn.CrossEntropyLoss(), torch.from_numpy(y.argmax(1))
        data = torch.from_numpy(x)
    elif model_name == 'cnn':
        model = nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.Conv2d(32, 64, 3), nn.ReLU(),
                              nn.MaxPool2d(2), nn.Dropout(0.25), nn.Flatten(),
                              nn.Linear(9216, 128), nn.ReLU(), nn.Dropout(0.5),
                              nn.Linear(128, 10))
        optimizer = torch.optim.Adadelta(model.parameters(), lr=1.0, rho=0.95, eps=1e-6)
        loss_fn, target = nn.CrossEntropyLoss(), torch.from_numpy(y.argmax(1))
        data = torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))  # NCHW
    else:
        model = RecurrentNet(nn.LSTM if model_name == 'lstm' else nn.GRU)
        optimizer = torch.optim.Adam(model.parameters(), lr=0.001)
        loss_fn, target = nn.BCEWithLogitsLoss(), torch.from_numpy(y)
        data = torch.from_numpy(x.astype('int64'))

    if workload.endswith('_predict'):
        model.eval()

        def predict():
            with torch.no_grad():
                out = [torch.softmax(model(data[i:i + batch]), 1).numpy()
                       for i in range(0, count, batch)]
            return np.concatenate(out)
        return time_predict(predict, count, seconds)

    def run_epochs(n):
        model.train()
        times = []
        for _ in range(n):
            started = time.perf_counter()
            order = torch.randperm(count)
            for i in range(0, count, batch):
                rows = order[i:i + batch]
                optimizer.zero_grad()
                loss = loss_fn(model(data[rows]), target[rows])
                loss.backward()
                optimizer.step()
            times.append(time.perf_counter() - started)
        return times
    return time_training(run_epochs, count, seconds)


# ------------------------------------------------------------------------ frameworks
# name -> (which interpreter: 'kcore' or 'peer', extra environment, module to check)
FRAMEWORKS = {
    'kcore-tf': ('kcore', {'KCORE_BACKEND': 'tensorflow'}, 'kcore_tf'),
    # without XLA on the optimizer's updates (on by default), to measure what it gives
    'kcore-tf-nojit': ('kcore', {'KCORE_BACKEND': 'tensorflow', 'KCORE_TF_JIT_UPDATES': '0'},
                       'kcore_tf'),
    'kcore-theano': ('kcore', {'KCORE_BACKEND': 'theano'}, 'kcore_theano'),
    'kcore-jax': ('kcore', {'KCORE_BACKEND': 'jax'}, 'kcore_jax'),
    'keras3-tf': ('peer', {'KERAS_BACKEND': 'tensorflow'}, 'keras'),
    'keras3-jax': ('peer', {'KERAS_BACKEND': 'jax'}, 'jax'),
    'tf-keras': ('peer', {'TF_USE_LEGACY_KERAS': '1'}, 'tf_keras'),
    'torch': ('peer', {}, 'torch'),
}


def peak_memory_mib():
    """The process's peak resident memory (VmHWM; threads included, child processes such as
    compilers not), in MiB."""
    try:
        with open('/proc/self/status') as status:
            for line in status:
                if line.startswith('VmHWM:'):
                    return int(line.split()[1]) / 1024.   # kB
    except OSError:
        pass
    import resource   # ru_maxrss: KiB on Linux, bytes on macOS
    scale = 1024. * 1024. if sys.platform == 'darwin' else 1024.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale


def worker(framework, workload, seconds):
    if framework.startswith('kcore'):
        warmup, rates = kcore_worker(workload, seconds)
    elif framework == 'torch':
        warmup, rates = torch_worker(workload, seconds)
    elif framework == 'tf-keras':
        import tf_keras
        warmup, rates = keras_worker(tf_keras, workload, seconds)
    else:
        import keras
        warmup, rates = keras_worker(keras, workload, seconds)
    print(json.dumps({'framework': framework, 'workload': workload, 'warmup_s': warmup,
                      'rates': rates, 'peak_mib': peak_memory_mib()}))


def _quiet_env(extra):
    env = dict(os.environ)
    env.update({'TF_CPP_MIN_LOG_LEVEL': '3', 'PYTHONHASHSEED': '0'}, **extra)
    return env


def gemm_gflops(python):
    """float32 GEMM GFLOP/s of numpy (2048 x 2048, best of 10), with OpenBLAS's core-type and
    L2 overrides removed for this measurement only."""
    code = ('import numpy as np, time\n'
            'a = np.random.rand(2048, 2048).astype("float32"); b = a.T.copy(); a @ b\n'
            'best = min((lambda t: (a @ b, time.perf_counter() - t)[1])(time.perf_counter())'
            ' for _ in range(10))\n'
            'print(2 * 2048 ** 3 / best / 1e9)')
    env = dict(os.environ)
    env.pop('OPENBLAS_CORETYPE', None)
    env.pop('OPENBLAS_L2_SIZE', None)
    out = subprocess.run([python, '-c', code], env=env, capture_output=True, text=True,
                         check=True)
    return float(out.stdout.split()[-1])


def import_times(python):
    """kcore's import: wall seconds (best of 5, net of a bare interpreter), whether it
    imported a backend, and its cumulative -X importtime figure."""
    def wall(code):
        best = float('inf')
        for _ in range(5):
            started = time.perf_counter()
            subprocess.run([python, '-c', code], check=True, env=_quiet_env({}))
            best = min(best, time.perf_counter() - started)
        return best
    bare = wall('pass')
    total = wall('import kcore')
    probe = subprocess.run(
        [python, '-c', 'import sys, kcore; print(sorted(m for m in ("tensorflow", "pytensor",'
         ' "theano", "kcore_tf", "kcore_theano") if m in sys.modules))'],
        capture_output=True, text=True, check=True, env=_quiet_env({}))
    trace = subprocess.run([python, '-X', 'importtime', '-c', 'import kcore'],
                           capture_output=True, text=True, env=_quiet_env({})).stderr
    cumulative = [int(line.split('|')[1]) for line in trace.splitlines()
                  if line.rstrip().endswith('| kcore')]
    return {'import_wall_s': total - bare, 'python_wall_s': bare,
            'backends_imported': probe.stdout.strip(),
            'importtime_cumulative_us': cumulative[-1] if cumulative else None}


FIRST_BATCH = '''
import time
started = time.perf_counter()
import numpy as np
from kcore.layers import Dense, Dropout
from kcore.models import Sequential
imported = time.perf_counter()
model = Sequential([Dense(512, activation='relu', input_dim=784), Dropout(0.2),
                    Dense(512, activation='relu'), Dropout(0.2), Dense(10, activation='softmax')])
model.compile('rmsprop', 'categorical_crossentropy')
x = np.random.rand(128, 784).astype('float32'); y = np.eye(10, dtype='float32')[np.arange(128) % 10]
model.train_on_batch(x, y)
print(imported - started, time.perf_counter() - started)
'''


def first_batch_time(python, backend):
    """Seconds from the start of the script to the end of the first trained mlp batch, and
    how much of it was importing kcore (with its backend)."""
    out = subprocess.run([python, '-c', FIRST_BATCH], capture_output=True, text=True,
                         env=_quiet_env({'KCORE_BACKEND': backend}))
    if out.returncode:
        return None
    imported, done = map(float, out.stdout.split()[-2:])
    return {'import_s': imported, 'first_batch_s': done}


def build_times(python, frameworks, timeout):
    """``{backend: result}``: ``kcore build --backend B`` for each kcore backend among
    ``frameworks``, in a fresh ``KCORE_CACHE_DIR`` (what a user's first use waits for):
    the command's wall seconds (its Python and backend imports included) and its lines."""
    import shutil
    import tempfile
    backends = dict.fromkeys(FRAMEWORKS[f][1]['KCORE_BACKEND'] for f in frameworks
                             if f in FRAMEWORKS and FRAMEWORKS[f][0] == 'kcore')
    for backend in backends:
        cache = tempfile.mkdtemp(prefix='kcore-build-time-')
        started = time.perf_counter()
        try:
            out = subprocess.run([python, '-m', 'kcore', 'build', '--backend', backend],
                                 capture_output=True, text=True, timeout=timeout,
                                 env=_quiet_env({'KCORE_CACHE_DIR': cache}), cwd=ROOT)
            lines = [line for line in out.stdout.splitlines() if not line.startswith('cache:')]
            backends[backend] = {'wall_s': round(time.perf_counter() - started, 1),
                                 'exit': out.returncode, 'lines': lines}
        except subprocess.TimeoutExpired:
            backends[backend] = {'error': 'timed out after %.0f s' % timeout}
        finally:
            shutil.rmtree(cache, ignore_errors=True)
    return backends


def run_one(python, framework, workload, seconds, timeout):
    kind, extra, _ = FRAMEWORKS[framework]
    if framework.startswith('kcore-tf@'):  # another copy of kcore first on the path
        extra = dict(extra, PYTHONPATH=os.pathsep.join(
            [framework[len('kcore-tf@'):], os.path.join(framework[len('kcore-tf@'):],
                                                        'plugins', 'kcore_tf')]))
    command = [python, os.path.abspath(__file__), '--worker', framework, '--workload',
               workload, '--seconds', str(seconds)]
    load = os.getloadavg()[0]
    try:
        out = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                             env=_quiet_env(extra), cwd=ROOT)
    except subprocess.TimeoutExpired:
        return {'framework': framework, 'workload': workload, 'error': 'timed out'}
    lines = [line for line in out.stdout.splitlines() if line.startswith('{')]
    if out.returncode or not lines:
        tail = (out.stderr or out.stdout).strip().splitlines()[-1:] or ['no output']
        return {'framework': framework, 'workload': workload, 'error': tail[0][:200]}
    result = json.loads(lines[-1])
    result['load_before'] = load
    return result


def available(python, framework):
    _, extra, module = FRAMEWORKS[framework]
    if not python or not os.path.exists(python):
        return False
    return subprocess.run([python, '-c', 'import ' + module], capture_output=True,
                          env=_quiet_env(extra)).returncode == 0


def install_peers(venv):
    """Make ``venv`` with the peers: TensorFlow (Keras 3 comes with it), tf-keras, JAX and a
    CPU build of PyTorch."""
    if not os.path.exists(os.path.join(venv, 'bin', 'python')):
        subprocess.run([sys.executable, '-m', 'venv', venv], check=True)
    subprocess.run([os.path.join(venv, 'bin', 'pip'), 'install', '-q',
                    'tensorflow-cpu==2.21.0', 'tf-keras==2.21.0', 'jax[cpu]==0.10.2',
                    'torch==2.13.0'], check=True)


def summarize(results, gemm):
    table = {}
    for r in results:
        if 'error' in r:
            continue
        entry = table.setdefault((r['framework'], r['workload']), {
            'medians': [], 'all': [], 'warmup': [], 'peak': [], 'load': []})
        entry['medians'].append(statistics.median(r['rates']))
        entry['all'] += r['rates']
        entry['warmup'].append(r['warmup_s'])
        entry['peak'].append(r['peak_mib'])
        entry['load'].append(r.get('load_before', float('nan')))
    summary = {}
    for (framework, workload), e in table.items():
        median = statistics.median(e['medians'])
        summary[(framework, workload)] = {
            'samples_s': median, 'min': min(e['all']), 'max': max(e['all']),
            'processes': len(e['medians']), 'warmup_s': statistics.median(e['warmup']),
            'peak_mib': max(e['peak']), 'load': statistics.mean(e['load']),
            'share': median * workload_flops(workload) / (gemm * 1e9) if gemm else None}
    return summary


def report(summary, frameworks, workloads, gemm, extra):
    lines = ['GEMM float32 (numpy, 2048^3): %.1f GFLOP/s; load average now %s'
             % (gemm, ' '.join('%.2f' % v for v in os.getloadavg())), '']
    lines.append('| workload | framework | samples/s (median) | min | max | procs | warm-up s '
                 '| peak MiB | % of GEMM limit | load avg | kcore-tf / this |')
    lines.append('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|')
    for workload in workloads:
        base = summary.get(('kcore-tf', workload))
        for framework in frameworks:
            s = summary.get((framework, workload))
            if s is None:
                continue
            ratio = base['samples_s'] / s['samples_s'] if base else float('nan')
            lines.append('| %s | %s | %.0f | %.0f | %.0f | %d | %.1f | %.0f | %.1f | %.2f | %.2f |'
                         % (workload, framework, s['samples_s'], s['min'], s['max'],
                            s['processes'], s['warmup_s'], s['peak_mib'],
                            100 * s['share'] if s['share'] else float('nan'), s['load'], ratio))
    if 'gru' in workloads and 'torch' in frameworks:
        lines += ['', "Note: torch's gru is nn.GRU, the reset gate applied after the recurrent "
                      "product (Keras 3's reset_after=True); the other rows compute Keras 1's GRU "
                      "(reset_after=False): same size and FLOPs, not the same function."]
    for key, value in extra.items():
        lines.append('')
        lines.append('%s: %s' % (key, value))
    return '\n'.join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--worker', help=argparse.SUPPRESS)
    parser.add_argument('--workload', help=argparse.SUPPRESS)
    parser.add_argument('--frameworks', default=','.join(FRAMEWORKS))
    parser.add_argument('--workloads', default=','.join(WORKLOADS))
    parser.add_argument('--rounds', type=int, default=2,
                        help='processes per framework and workload (interleaved)')
    parser.add_argument('--seconds', type=float, default=8.)
    parser.add_argument('--timeout', type=float, default=300.)
    parser.add_argument('--peer-python', default=os.path.join(ROOT, '.bench-venv', 'bin',
                                                              'python'))
    parser.add_argument('--install-peers', action='store_true')
    parser.add_argument('--json', help='also write every measurement to this file')
    parser.add_argument('--kcore-before', metavar='DIR',
                        help='also run kcore-tf from this copy of the repository (e.g. a '
                             '`git worktree` of an older commit), as "kcore-tf@DIR"')
    parser.add_argument('--build-time', action='store_true',
                        help='only time `kcore build` of each kcore backend of --frameworks in a '
                             'fresh cache folder (the first-use build of the native kernels)')
    parser.add_argument('--summarize', metavar='JSON',
                        help='only print the table of a file written by --json')
    args = parser.parse_args(argv)
    if args.summarize:
        with open(args.summarize) as f:
            data = json.load(f)
        names = list(dict.fromkeys(r['framework'] for r in data['results']))
        loads = list(dict.fromkeys(r['workload'] for r in data['results']))
        return print(report(summarize(data['results'], data['gemm_gflops']), names, loads,
                            data['gemm_gflops'], data['extra']))
    if args.worker:
        return worker(args.worker, args.workload, args.seconds)
    if args.install_peers:
        install_peers(os.path.dirname(os.path.dirname(args.peer_python)))

    pythons = {'kcore': sys.executable, 'peer': args.peer_python}
    frameworks = []
    for name in args.frameworks.split(','):
        if available(pythons[FRAMEWORKS[name][0]], name):
            frameworks.append(name)
        else:
            print('skipping %s: not installed' % name, file=sys.stderr)
    if args.kcore_before:
        name = 'kcore-tf@' + os.path.abspath(args.kcore_before)
        FRAMEWORKS[name] = FRAMEWORKS['kcore-tf']
        frameworks.insert(1, name)
    if args.build_time:
        for backend, result in build_times(sys.executable, frameworks, args.timeout).items():
            print('kcore build --backend %s, fresh cache: %s' % (backend, json.dumps(result)))
        return
    workloads = args.workloads.split(',')
    gemm = gemm_gflops(sys.executable)
    extra = {'kcore import': import_times(sys.executable),
             'kcore-tf first trained batch': first_batch_time(sys.executable, 'tensorflow')}
    results = []
    for round_ in range(args.rounds):
        for workload in workloads:
            for framework in frameworks:
                python = pythons[FRAMEWORKS[framework][0]]
                result = run_one(python, framework, workload, args.seconds, args.timeout)
                results.append(result)
                if args.json:  # after every process, so that a cut-short run keeps its data
                    with open(args.json, 'w') as f:
                        json.dump({'gemm_gflops': gemm, 'results': results, 'extra': extra},
                                  f, indent=1)
                if 'error' in result:
                    print('round %d %s %s failed: %s' % (round_, framework, workload,
                                                          result['error']), file=sys.stderr)
                else:
                    print('round %d %-12s %-12s %9.0f samples/s (warm-up %.1f s, load %.2f)'
                          % (round_, framework, workload, statistics.median(result['rates']),
                             result['warmup_s'], result['load_before']), file=sys.stderr)
    print(report(summarize(results, gemm), frameworks, workloads, gemm, extra))


if __name__ == '__main__':
    main()
