"""Native kernels that backend plugins compile on first use.

``lstm.h`` is kcore's fused LSTM loop (forward and backward) in C++, which a backend builds
with its own matrix product. :func:`build` compiles a plugin's sources into a shared library
with the machine's C++ compiler (``$CXX``, else ``g++``) and keeps it in
``$KCORE_CACHE_DIR`` (default ``$XDG_CACHE_HOME/kcore``, else ``~/.cache/kcore``), keyed by
the sources, these headers, the compiler, the CPU and the caller's key parts.
"""
import glob
import hashlib
import os
import platform
import subprocess
import tempfile
import threading
import warnings

HEADERS = os.path.dirname(os.path.abspath(__file__))
# Tried in order: the machine's own instruction set without AVX512-FP16 (whose Eigen code
# doesn't compile with TensorFlow 2.21's headers), for compilers without that flag the
# instruction set as it is, then the compiler's default.
ARCH_FLAGS = (['-march=native', '-mno-avx512fp16'], ['-march=native'], [])


def switched_off(variable):
    """Whether the environment variable ``variable`` turns a native kernel off (0, false, no,
    off; unset means on)."""
    return os.environ.get(variable, '1').strip().lower() in ('0', 'false', 'no', 'off')


class OnFirstUse:
    """A native library loaded on first call, once per process: calling it returns
    ``load()``'s result, or None where ``load`` raised one of ``errors``; then a
    RuntimeWarning says ``consequence`` and the reason, once."""

    def __init__(self, load, consequence, errors=(OSError, RuntimeError)):
        self.load, self.consequence, self.errors = load, consequence, tuple(errors)
        self._lock = threading.Lock()
        self._state = {}

    def __call__(self):
        if 'library' in self._state:   # no lock once loaded: called per compiled-function call
            return self._state['library']
        with self._lock:
            if 'library' not in self._state:
                try:
                    self._state['library'] = self.load()
                except self.errors as error:
                    self._state['library'] = None
                    warnings.warn('%s Reason: %s' % (self.consequence, error), RuntimeWarning,
                                  stacklevel=3)
            return self._state['library']


def cache_dir():
    root = os.environ.get('KCORE_CACHE_DIR')
    if not root:
        base = os.environ.get('XDG_CACHE_HOME') or os.path.join('~', '.cache')
        root = os.path.join(os.path.expanduser(base), 'kcore')
    return root


def compiler():
    return os.environ.get('CXX') or 'g++'


def _cpu_flags():
    try:
        with open('/proc/cpuinfo') as info:
            return next((line for line in info if line.startswith('flags')), '')
    except OSError:
        return platform.processor()


def build(name, sources, flags=(), key_parts=()):
    """The path of the shared library ``name`` built from ``sources`` with ``flags`` (after
    ``-O3 -fno-trapping-math -shared -fPIC``, the include path of these headers and the first ARCH_FLAGS that
    compile), building it unless the cache has it. RuntimeError with the compiler's
    messages if it can't be built."""
    # -fno-trapping-math lets loops with selects and float-to-int conversions vectorize
    # (lstm.h's Exp); kcore never reads the floating-point exception flags.
    command = ([compiler(), '-O3', '-fno-trapping-math', '-shared', '-fPIC', '-w', '-I',
                HEADERS] + list(sources) + list(flags))
    key = hashlib.sha256()
    for path in sorted(sources) + sorted(glob.glob(os.path.join(HEADERS, '*.h'))):
        with open(path, 'rb') as source:
            key.update(source.read())
    for part in command + [platform.machine(), _cpu_flags()] + list(key_parts):
        key.update(str(part).encode())
    folder = cache_dir()
    os.makedirs(folder, exist_ok=True)
    target = os.path.join(folder, '%s-%s.so' % (name, key.hexdigest()[:20]))
    if os.path.exists(target):
        return target
    errors = []
    for arch in ARCH_FLAGS:
        handle, partial = tempfile.mkstemp(suffix='.so', dir=folder)
        os.close(handle)
        try:
            done = subprocess.run(command + arch + ['-o', partial], capture_output=True,
                                  text=True)
        except OSError as error:
            os.unlink(partial)
            raise RuntimeError('cannot run the C++ compiler %r: %s' % (compiler(), error))
        if done.returncode == 0:
            os.replace(partial, target)   # whole or not at all, for concurrent builders
            return target
        os.unlink(partial)
        errors.append('%s %s: %s' % (compiler(), ' '.join(arch), done.stderr.strip()[-600:]))
    raise RuntimeError('building %s from %s failed:\n%s' % (name, ', '.join(sources),
                                                            '\n'.join(errors)))
