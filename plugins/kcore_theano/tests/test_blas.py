"""kcore_theano.blas: which BLAS flags PyTensor gets, and that the computed ones link."""
import os
from configparser import ConfigParser, RawConfigParser
import shlex
import warnings

import numpy as np
import pytest

pytensor = pytest.importorskip('pytensor')
from pytensor.configparser import PyTensorConfigParser, StrParam  # noqa: E402

from kcore_theano import blas  # noqa: E402


def fake_config(user_flags=None, search_finds='', cxx='g++'):
    """A PyTensor config with only ``cxx`` and ``blas__ldflags``: the user's flags (as from
    PYTENSOR_FLAGS) when given, else what PyTensor's search finds, ``search_finds``. Its
    own subclass keeps the real config's parameters untouched."""
    def search():  # as PyTensor's: no compiler, no search and no warning
        if cxx and not search_finds:
            warnings.warn('PyTensor could not link to a BLAS installation.', UserWarning)
        return search_finds

    class FakeConfig(PyTensorConfigParser):
        pass

    flags = {} if user_flags is None else {'blas__ldflags': user_flags}
    config = FakeConfig(flags_dict=flags, pytensor_cfg=ConfigParser(),
                        pytensor_raw_cfg=RawConfigParser())
    config.add('cxx', 'the compiler', StrParam(cxx), in_c_key=False)
    config.add('blas__ldflags', 'BLAS flags', StrParam(search), in_c_key=False)
    return config


def test_users_flags_win():
    config = fake_config(user_flags='-lmyblas')
    assert blas.configure(config) == '-lmyblas'
    assert config.blas__ldflags == '-lmyblas'


def test_users_empty_flags_keep_pytensors_fallback():
    config = fake_config(user_flags='')
    assert blas.configure(config) == ''


def test_blas_found_by_pytensor_is_kept():
    config = fake_config(search_finds='-lopenblas')
    assert blas.configure(config) == '-lopenblas'


def test_no_compiler_no_flags():
    assert blas.configure(fake_config(cxx='')) == ''


def test_nothing_found_gives_scipy_openblas_without_pytensors_warning():
    config = fake_config()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        flags = blas.configure(config)
    assert flags == blas.scipy_openblas_ldflags() == config.blas__ldflags
    assert not [w for w in caught if 'BLAS' in str(w.message)]


def test_flags_name_an_existing_library_and_rename_the_called_routines():
    flags = shlex.split(blas.scipy_openblas_ldflags())
    lib_dirs = [f[2:] for f in flags if f.startswith('-L')]
    libs = [f[2:] for f in flags if f.startswith('-l')]
    assert len(lib_dirs) == 1 and len(libs) == 1
    assert os.path.isfile(os.path.join(lib_dirs[0], 'lib%s.so' % libs[0]))
    assert '-Wl,-rpath,' + lib_dirs[0] in flags
    for routine in ('sgemm_', 'dgemm_', 'sgemv_', 'dgemv_', 'sger_', 'dger_', 'sdot_',
                    'ddot_'):
        assert '-D%s=scipy_%s' % (routine, routine) in flags


def test_flags_compile_link_and_run_a_blas_call():
    from pytensor.link.c.cmodule import try_blas_flag
    if not pytensor.config.cxx:
        pytest.skip('no C++ compiler')
    flags = shlex.split(blas.scipy_openblas_ldflags())
    assert try_blas_flag(flags) != ''  # PyTensor's own check: ddot_ through the flags


def test_backend_matrix_product_uses_blas():
    """With the backend imported, a float32 dot compiles to a BLAS op (not the fallback)."""
    from kcore import backend as K
    if K.backend() != 'theano':
        pytest.skip('the theano backend is not the active one')
    if not pytensor.config.blas__ldflags:
        pytest.skip('no BLAS configured (blas__ldflags set empty by the user?)')
    a, b = K.placeholder(shape=(None, 3)), K.variable(np.ones((3, 2), dtype='float32'))
    f = K.function([a], [K.dot(a, b)])
    names = [type(node.op).__name__ for node in f._fn.maker.fgraph.toposort()]
    assert any(name in ('Dot22', 'Gemm', 'Dot22Scalar', 'CGemv', 'Gemv') for name in names)
    out = f([np.arange(6, dtype='float32').reshape(2, 3)])[0]
    np.testing.assert_allclose(out, [[3, 3], [12, 12]])
