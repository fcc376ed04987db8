"""A BLAS for PyTensor's C code when PyTensor finds none: the OpenBLAS of the
``scipy-openblas32`` wheel, a dependency of kcore-theano.

Why: PyTensor's matrix products (Dot22, Gemm, Gemv, Ger) link against the BLAS named by
``pytensor.config.blas__ldflags``. Installed from pip, PyTensor usually finds no BLAS to link
(it looks for system MKL, libblas or libopenblas); its products then call numpy's ``dot``
from Python, one op at a time, without the fused scale-and-add of Gemm. numpy's bundled
OpenBLAS cannot be linked instead (its routines take 64-bit integers where PyTensor passes
``int``), nor SciPy's (a hashed file name), so kcore-theano depends on
``scipy-openblas32``: that LP64 OpenBLAS as a wheel with a stable library name.

Its symbols carry the prefix ``scipy_`` (``scipy_sgemm_``), while PyTensor's generated C code
calls the Fortran names (``sgemm_``). The flags therefore rename, with ``-D`` defines, the
routines that PyTensor 2.35's C ops call (``_CALLED``); they also name the library
(``-L``/``-l``) and an rpath, so compiled modules load it without ``LD_LIBRARY_PATH``.

Threads: this OpenBLAS runs one thread unless OPENBLAS_NUM_THREADS or OMP_NUM_THREADS say
otherwise. It splits a product evenly between its threads and waits for the slowest, so
with one core busy elsewhere (another process, or this one's Python thread) a product takes
as long as that core's share of time allows: on 2 cores with one other busy process, the
MLP benchmark trained at 900 samples/s with 2 threads and 9,500 with one.

When: only if the user set no ``blas__ldflags`` (in ``PYTENSOR_FLAGS`` or ``.pytensorrc``:
set ``blas__ldflags=`` there, empty, to keep PyTensor's fallback) and PyTensor's own search
found nothing, and only with a C++ compiler. A value assigned to the config at runtime
before the backend's import is kept unless it is empty. The flags are not test-compiled at
import (that costs about a second per process); the plugin's tests compile and run them.
"""
import ctypes
import os
import warnings

import pytensor

# The BLAS routines that PyTensor 2.35's C code calls, single and double precision.
_CALLED = ('gemm', 'gemv', 'ger', 'dot')
_PREFIX = 'scipy_'


def user_set_ldflags(config=None):
    """Whether the user gave ``blas__ldflags`` in PYTENSOR_FLAGS or .pytensorrc (PyTensor
    reads those when its config is made and then no longer calls the value its default)."""
    config = config or pytensor.config
    return not getattr(type(config), 'blas__ldflags').is_default


def _scipy_openblas():
    """(library folder, link name) of scipy-openblas32, or None when it is not installed."""
    try:
        import scipy_openblas32
    except ImportError:
        return None
    lib_dir, name = scipy_openblas32.get_lib_dir(), scipy_openblas32.get_library()
    return (lib_dir, name) if os.path.exists(os.path.join(lib_dir, 'lib%s.so' % name)) else None


def scipy_openblas_ldflags():
    """``blas__ldflags`` that link PyTensor's C code to scipy-openblas32, or None when the
    package (or its shared library) is missing."""
    found = _scipy_openblas()
    if found is None:
        return None
    lib_dir, name = found
    renames = ['-D%s%s_=%s%s%s_' % (precision, routine, _PREFIX, precision, routine)
               for routine in _CALLED for precision in 'sd']
    return ' '.join(['-L' + lib_dir, '-l' + name, '-Wl,-rpath,' + lib_dir] + renames)


def configure(config=None):
    """Point ``blas__ldflags`` at scipy-openblas32 when neither the user nor PyTensor's
    search named a BLAS (see the module docstring). Returns the flags in effect."""
    config = config or pytensor.config
    if user_set_ldflags(config) or not config.cxx:
        return config.blas__ldflags
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        found = config.blas__ldflags  # runs PyTensor's search; it warns when it finds none
    flags = None if found else scipy_openblas_ldflags()
    if flags:
        config.blas__ldflags = flags
        _set_threads()
        return flags
    for warning in caught:  # nothing replaced PyTensor's choice: let its warnings through
        warnings.warn_explicit(warning.message, warning.category, warning.filename,
                               warning.lineno)
    return found


def _set_threads():
    """One thread for scipy-openblas32 unless the environment asks for more (see the module
    docstring). PyTensor's modules load the same library, by its soname."""
    if any(os.environ.get(v) for v in ('OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS')):
        return
    lib_dir, name = _scipy_openblas()
    ctypes.CDLL(os.path.join(lib_dir, 'lib%s.so' % name)).scipy_openblas_set_num_threads(1)
