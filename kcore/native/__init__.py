"""Native kernels that backend plugins compile on first use.

``lstm.h`` is kcore's fused LSTM loop (forward and backward) in C++, which a backend builds
with its own matrix product. :func:`build` compiles a plugin's sources into a shared library
with the machine's C++ compiler (``$CXX``, else ``g++``) and keeps it in
``$KCORE_CACHE_DIR`` (default ``$XDG_CACHE_HOME/kcore``, else ``~/.cache/kcore``), keyed by
the sources, these headers, the compiler, the CPU and the caller's key parts.

A plugin declares its libraries as :class:`Library` objects through its
``native_libraries`` hook: ``kcore build`` builds them ahead of time, and a first-use build
names them in the line it prints.
"""
import contextlib
import glob
import hashlib
import importlib
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
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


class Library:
    """A native library that a plugin declares (hook ``native_libraries``).

    ``name`` is the name it passes to :func:`build`; ``description`` says what it is, for
    messages ("the fused LSTM kernel"); ``builder`` builds it and returns its path, or is
    its ``'module:function'`` import path, imported only when built (so that declaring a
    library imports no backend library); ``seconds``: about how long one build takes here.
    ``plugin`` is filled in by :func:`libraries`.
    """

    def __init__(self, name, description, builder, seconds=None):
        self.name, self.description, self.builder, self.seconds = (name, description, builder,
                                                                   seconds)
        self.plugin = None

    def build(self):
        """Build the library unless it is cached; its path."""
        builder = self.builder
        if isinstance(builder, str):
            module, _, attribute = builder.partition(':')
            builder = getattr(importlib.import_module(module), attribute)
        return builder()

    def __repr__(self):
        return 'Library(%r, %r, plugin=%r)' % (self.name, self.description, self.plugin)


def libraries():
    """Every :class:`Library` that the loaded plugins declare, each with its ``plugin``
    (distribution name) set; and ``{plugin: error}`` for hooks that raised."""
    from kcore import plugins
    found, failed = [], {}
    for info, result, error in plugins.get_manager().hook_results('native_libraries'):
        label = info.distribution or info.name
        if error is not None:
            failed[label] = error
            continue
        for library in result or ():
            library.plugin = label
            found.append(library)
    return found, failed


def _declared(name):
    """The Library declared as ``name``, or None (also where plugins can't be asked)."""
    try:
        return next((lib for lib in libraries()[0] if lib.name == name), None)
    except Exception:   # only for the message: a build never fails for it
        return None


# kcore build sets this: no first-use line, and the names it compiled are listed here.
_ahead = {'active': False, 'compiled': []}


@contextlib.contextmanager
def built_ahead():
    """Within the block :func:`build` prints nothing; yields the list of the names it
    compiled (cache hits are not listed)."""
    previous = dict(_ahead)
    _ahead.update(active=True, compiled=[])
    try:
        yield _ahead['compiled']
    finally:
        _ahead.update(previous)


def _announce(name, folder):
    """The line printed before a first-use build, and the label used after it."""
    declared = _declared(name)
    if declared is None:
        return ('kcore: building the native library %s: built once per machine, cached in %s'
                % (name, folder)), 'kcore: built %s' % name
    about = ' (about %d s)' % declared.seconds if declared.seconds else ''
    return ('%s: building %s: native code, built once per machine%s, cached in %s'
            % (declared.plugin, declared.description, about, folder),
            '%s: built %s' % (declared.plugin, declared.description))


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


def build(name, sources, flags=(), key_parts=(), cached_only=False):
    """The path of the shared library ``name`` built from ``sources`` with ``flags`` (after
    ``-O3 -fno-trapping-math -shared -fPIC``, the include path of these headers and the first ARCH_FLAGS that
    compile), building it unless the cache has it. RuntimeError with the compiler's
    messages if it can't be built. ``cached_only``: None instead of a build."""
    # -fno-trapping-math lets loops with selects and float-to-int conversions vectorize
    # (lstm.h's Exp); kcore never reads the floating-point exception flags.
    command = ([compiler(), '-O3', '-fno-trapping-math', '-shared', '-fPIC', '-w', '-I',
                HEADERS] + list(sources) + list(flags))
    key = hashlib.sha256()
    # The key covers the headers the sources can include: these and those beside them.
    folders = {HEADERS} | {os.path.dirname(os.path.abspath(path)) for path in sources}
    headers = sorted(h for folder in folders for h in glob.glob(os.path.join(folder, '*.h')))
    for path in sorted(sources) + headers:
        with open(path, 'rb') as source:
            key.update(source.read())
    for part in command + [platform.machine(), _cpu_flags()] + list(key_parts):
        key.update(str(part).encode())
    folder = cache_dir()
    target = os.path.join(folder, '%s-%s.so' % (name, key.hexdigest()[:20]))
    if os.path.exists(target):
        return target
    if cached_only:
        return None
    os.makedirs(folder, exist_ok=True)
    # A build takes up to a minute: say so, once, where a script's and a notebook's user
    # sees it (stderr; a warning could be filtered away and would show a source line).
    if not _ahead['active']:
        before, after = _announce(name, folder)
        print(before, file=sys.stderr, flush=True)
    started = time.monotonic()
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
            if _ahead['active']:
                _ahead['compiled'].append(name)
            else:
                print('%s in %.0f s.' % (after, time.monotonic() - started), file=sys.stderr,
                      flush=True)
            return target
        os.unlink(partial)
        errors.append('%s %s: %s' % (compiler(), ' '.join(arch), done.stderr.strip()[-600:]))
    raise RuntimeError('building %s from %s failed:\n%s' % (name, ', '.join(sources),
                                                            '\n'.join(errors)))
