"""row_blocks.h's ForBlocks, which the native kernels share rows and samples with: every
block is done once before a call returns, whether late helper threads are left to finish
on their own (the default) or joined (KCORE_THEANO_THREAD_EARLY_RETURN=0, read once per
process, hence the subprocesses)."""
import subprocess
import sys

import pytest

from kcore_theano import threaded_dot

pytestmark = pytest.mark.skipif(not threaded_dot.available(),
                                reason='the native library could not be built here')

# Many calls of kcore_sgemm_rows (ForBlocks over row blocks) on 8 threads, each against
# numpy: a block done twice, skipped or written after the call returned would show.
_SCRIPT = '''
import ctypes
import numpy as np
from kcore import backend as K
from kcore_theano import native
p = lambda a: a.ctypes.data_as(ctypes.c_void_p)
rng = np.random.RandomState(0)
a, b = rng.randn(2048, 96).astype('f'), rng.randn(96, 64).astype('f')
for _ in range(50):
    c = np.full((2048, 64), np.nan, 'f')
    native.library().kcore_sgemm_rows(ctypes.c_int64(2048), ctypes.c_int64(64),
                                      ctypes.c_int64(96), p(a), ctypes.c_int64(96), 0, p(b),
                                      ctypes.c_int64(64), 0, p(c), 8)
    np.testing.assert_allclose(c, a @ b, rtol=1e-4, atol=1e-4)
print('ok')
'''


@pytest.mark.parametrize('early_return', ['1', '0'])
def test_every_block_once_before_return(monkeypatch, early_return):
    monkeypatch.setenv('KCORE_THEANO_THREAD_EARLY_RETURN', early_return)
    monkeypatch.setenv('KCORE_BACKEND', 'theano')
    out = subprocess.run([sys.executable, '-c', _SCRIPT], capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().endswith('ok')
