"""The fused LSTM kernel (``lstm_kernel.cc``): built on first use, cached, and loaded as
TensorFlow custom ops with their gradient.

The kernel is compiled with the machine's C++ compiler (``$CXX``, else ``g++``) against the
headers of the installed TensorFlow, once per source, TensorFlow version, compiler and CPU,
into ``$KCORE_CACHE_DIR`` (default ``$XDG_CACHE_HOME/kcore``, else ``~/.cache/kcore``).
Where it cannot be built, ``K.lstm`` warns once and falls back to the generic ``K.rnn``
loop. ``KCORE_TF_FUSED_LSTM=0`` turns the kernel off.
"""
import hashlib
import os
import platform
import subprocess
import tempfile
import threading
import warnings

import tensorflow as tf

SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'lstm_kernel.cc')
# Tried in order. Eigen's AVX512-FP16 code does not compile with this TensorFlow's headers,
# so the native instruction set goes without it.
ARCH_FLAGS = (['-march=native', '-mno-avx512fp16'], ['-march=native'], [])

_lock = threading.Lock()
_state = {}


def enabled():
    return os.environ.get('KCORE_TF_FUSED_LSTM', '1').strip().lower() not in ('0', 'false',
                                                                                'no', 'off')


def cache_dir():
    root = os.environ.get('KCORE_CACHE_DIR')
    if not root:
        base = os.environ.get('XDG_CACHE_HOME') or os.path.join('~', '.cache')
        root = os.path.join(os.path.expanduser(base), 'kcore')
    return root


def library():
    """The loaded op library, or None (with a warning, once) where it can't be built."""
    if not enabled():
        return None
    with _lock:
        if 'library' not in _state:
            try:
                _state['library'] = tf.load_op_library(_build())
            except (OSError, RuntimeError, tf.errors.OpError) as error:
                _state['library'] = None
                warnings.warn('kcore-tf: the fused LSTM kernel could not be built, so LSTM '
                              'layers run the generic rnn loop (slower). Set '
                              'KCORE_TF_FUSED_LSTM=0 to skip the attempt. Reason: %s'
                              % (error,), RuntimeWarning, stacklevel=3)
        return _state['library']


def _compiler():
    return os.environ.get('CXX') or 'g++'


def _cpu_flags():
    try:
        with open('/proc/cpuinfo') as info:
            return next((line for line in info if line.startswith('flags')), '')
    except OSError:
        return platform.processor()


def _build():
    """The path of the compiled kernel, building it if it isn't in the cache."""
    with open(SOURCE, 'rb') as source:
        key = hashlib.sha256(source.read())
    for part in (tf.__version__, _compiler(), platform.machine(), _cpu_flags()):
        key.update(part.encode())
    folder = cache_dir()
    os.makedirs(folder, exist_ok=True)
    target = os.path.join(folder, 'kcore_tf_lstm-%s.so' % key.hexdigest()[:20])
    if os.path.exists(target):
        return target
    base = ([_compiler(), '-shared', '-fPIC', '-O3', '-w', SOURCE]
            + tf.sysconfig.get_compile_flags() + tf.sysconfig.get_link_flags())
    errors = []
    for arch in ARCH_FLAGS:
        handle, partial = tempfile.mkstemp(suffix='.so', dir=folder)
        os.close(handle)
        try:
            done = subprocess.run(base + arch + ['-o', partial], capture_output=True,
                                  text=True)
        except OSError as error:   # no compiler
            os.unlink(partial)
            raise RuntimeError('cannot run the C++ compiler %r: %s' % (_compiler(), error))
        if done.returncode == 0:
            os.replace(partial, target)   # whole, or not at all, for concurrent builders
            return target
        os.unlink(partial)
        errors.append('%s %s: %s' % (_compiler(), ' '.join(arch),
                                     done.stderr.strip()[-600:]))
    raise RuntimeError('compiling %s failed:\n%s' % (SOURCE, '\n'.join(errors)))


def lstm(zx, recurrent_kernel, h0, c0, mask, activation, inner_activation):
    """Run the kernel: (h, c) at every step, each (batch, time, units). ``mask`` is a float
    (batch, time) tensor or None."""
    if mask is None:
        mask = tf.zeros([0], tf.float32)
    h, c, _ = library().kcore_lstm(zx, recurrent_kernel, h0, c0, mask, activation=activation,
                                   inner_activation=inner_activation)
    return h, c


@tf.RegisterGradient('KcoreLstm')
def _lstm_gradient(op, grad_h, grad_c, _grad_gates):
    zx, kernel, h0, c0, mask = op.inputs
    h, c, gates = op.outputs
    grad_h = tf.zeros_like(h) if grad_h is None else grad_h
    grad_c = tf.zeros_like(c) if grad_c is None else grad_c
    grad_zx, grad_h0, grad_c0 = library().kcore_lstm_grad(
        kernel, h0, c0, mask, h, c, gates, grad_h, grad_c,
        activation=op.get_attr('activation'), inner_activation=op.get_attr('inner_activation'))
    # dU = sum over steps of h_{t-1}^T dz_t: one product over all samples and steps.
    units = tf.shape(kernel)[0]
    h_prev = tf.concat([h0[:, None], h[:, :-1]], axis=1)
    grad_kernel = tf.matmul(tf.reshape(h_prev, [-1, units]),
                            tf.reshape(grad_zx, [-1, 4 * units]), transpose_a=True)
    return grad_zx, grad_kernel, grad_h0, grad_c0, None
