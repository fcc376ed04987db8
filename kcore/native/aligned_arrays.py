"""numpy arrays that start at a 64-byte boundary (``aligned_arrays.cc``, a NEP 49 memory
handler), for backends that read fed arrays in place only there.

TensorFlow copies every fed batch whose first byte is not at a multiple of 64; numpy's
arrays usually start 16 bytes past one, so predicting the benchmark's mlp spent ~8% of its
time copying its input. With the handler, the arrays numpy makes afterwards (the user's
data, the fit loop's shuffled batches) are aligned, and so is every batch sliced from them
along the first axis when a row's size is a multiple of 64 bytes.

numpy keeps the handler in a context variable: it applies to the thread that set it (and
the contexts copied from it later), not to threads started before or after with their own
context. ``KCORE_ALIGNED_ARRAYS=0`` leaves numpy's handler alone.
"""
import ctypes
import os
import sysconfig

from kcore import native

SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'aligned_arrays.cc')

_library = native.OnFirstUse(
    lambda: ctypes.PyDLL(build()),
    'kcore: the aligned numpy memory handler could not be built, so fed arrays that do not '
    'start at a 64-byte boundary are copied by the backend. Set KCORE_ALIGNED_ARRAYS=0 to '
    'skip the attempt.')


def declaration():
    """The :class:`kcore.native.Library` that a backend plugin using the handler lists in
    its ``native_libraries`` hook (a new one per plugin: ``kcore build`` labels it)."""
    return native.Library('kcore_aligned_arrays', 'the aligned numpy memory handler',
                          'kcore.native.aligned_arrays:build', seconds=2)


def build():
    """The handler's shared library (built unless cached); its path."""
    import numpy as np   # here: plugins import this module to declare the library
    flags = ['-I', sysconfig.get_paths()['include'], '-I', np.get_include()]
    return native.build('kcore_aligned_arrays', [SOURCE], flags, key_parts=[np.__version__])


def use():
    """Make numpy allocate 64-byte aligned arrays from now on, in this thread's context;
    True where it did (False: switched off, or the library could not be built)."""
    if native.switched_off('KCORE_ALIGNED_ARRAYS'):
        return False
    library = _library()
    if library is None:
        return False
    library.kcore_use_aligned_arrays()   # through PyDLL: a failure raises its Python error
    return True
