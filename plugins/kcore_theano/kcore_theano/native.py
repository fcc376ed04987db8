"""kcore-theano's native code, one library built on first use with kcore.native.build and
linked to scipy-openblas32: the fused LSTM loop (``lstm_kernel.cc`` on kcore/native/lstm.h)
and the denormal control around function calls (``fp_control.cc``).

Where it can't be built (no C++ compiler), kcore warns once; LSTM layers then run the
generic scan and denormals are computed as they come.
"""
import contextlib
import ctypes
import glob
import os

import numpy as np

from kcore import native
from kcore_theano import blas

HERE = os.path.dirname(os.path.abspath(__file__))
#: Every C++ file beside this module goes into the one library.
SOURCES = sorted(glob.glob(os.path.join(HERE, '*.cc')))


def _load():
    loaded = ctypes.CDLL(_build())
    loaded.kcore_flush_denormals.restype = ctypes.c_uint
    loaded.kcore_restore_fp_control.argtypes = [ctypes.c_uint]
    return loaded


#: The loaded library (ctypes), or None (with a warning, once).
library = native.OnFirstUse(
    _load,
    'kcore-theano: its native code could not be built, so LSTM, GRU and SimpleRNN layers run '
    'the generic scan (slower) and denormal numbers are not flushed to zero.')


def _build():
    found = blas._scipy_openblas()
    if found is None:
        raise RuntimeError('it links scipy-openblas32, which is not installed')
    lib_dir, name = found
    return native.build('kcore_theano_native', SOURCES,
                        ['-L' + lib_dir, '-l' + name, '-Wl,-rpath,' + lib_dir])


@contextlib.contextmanager
def denormals_flushed():
    """Run the block with denormal numbers flushed to zero (as TensorFlow's CPU kernels do:
    arithmetic on them is many times slower, and an optimizer's small running averages
    reach them), then restore the caller's setting. KCORE_THEANO_FLUSH_DENORMALS=0 keeps
    them."""
    loaded = None if native.switched_off('KCORE_THEANO_FLUSH_DENORMALS') else library()
    if loaded is None:
        yield
        return
    previous = loaded.kcore_flush_denormals()
    try:
        yield
    finally:
        loaded.kcore_restore_fp_control(previous)



def float32_array(array):
    """``array`` as a C-contiguous float32 array (a copy only where it is not one)."""
    return np.ascontiguousarray(array, dtype=np.float32)


def call_kernel(function, sizes, arrays, names, outputs, threads=1):
    """Call a recurrent kernel's C ``function`` on the sizes (int64), the input arrays (an
    empty one, no mask or no dropout, as a null pointer), the activation names, the output
    arrays and the most threads it may use; its status (0: done)."""
    pointer = lambda a: a.ctypes.data_as(ctypes.c_void_p) if a.size else None
    return function(*([ctypes.c_int64(size) for size in sizes] + [pointer(a) for a in arrays]
                      + [name.encode() for name in names] + [pointer(a) for a in outputs]
                      + [ctypes.c_int(threads)]))
