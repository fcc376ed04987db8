"""``host_memory``: with the jax backend loaded, a program whose temporaries exceed glibc's
largest mmap threshold (32 MiB) reuses their memory from call to call instead of
page-faulting it in again; ``KCORE_JAX_KEEP_HEAP=0`` leaves malloc as it is."""
import os
import platform
import subprocess
import sys

import pytest

pytestmark = pytest.mark.skipif(
    platform.system() != 'Linux' or platform.libc_ver()[0] != 'glibc',
    reason="glibc's malloc only")

# A K.function with 64 MiB of temporaries: the minor page faults of 5 calls after warm-up.
SCRIPT = '''
import resource
import numpy as np
from kcore.backend import get_backend
K = get_backend('jax')
x = K.variable(np.ones((1024, 4096), 'float32'))
w = K.variable(np.ones((4096, 4096), 'float32') * 1e-3)
y = K.dot(K.tanh(K.dot(x, w)), w) + K.dot(K.exp(K.dot(x, w) * -1.), w)
f = K.function([], [K.sum(y)])
for _ in range(2):
    f([])
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(5):
    f([])
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
'''


def _faults(keep):
    env = dict(os.environ, KCORE_BACKEND='jax', KCORE_JAX_KEEP_HEAP='1' if keep else '0',
               JAX_PLATFORMS='cpu')
    out = subprocess.run([sys.executable, '-c', SCRIPT], env=env, capture_output=True,
                         text=True, timeout=300, check=True).stdout
    return int(out.split()[-1])


def test_temporaries_are_reused_between_calls():
    # Without the setting each call faults in its 16 MiB blocks' pages (4 KiB each) again.
    assert _faults(keep=False) > 5 * 4096
    assert _faults(keep=True) < 1000


def test_the_switch_leaves_malloc_alone(monkeypatch):
    from kcore_jax import host_memory
    monkeypatch.setenv('KCORE_JAX_KEEP_HEAP', '0')
    assert host_memory.keep_heap() is False


def test_arrays_made_after_the_backend_loads_reach_programs_without_a_copy(K):
    # jax passes a numpy array that starts at a 64-byte boundary to XLA in place; numpy's
    # own arrays usually start 16 bytes past one (kcore/native/aligned_arrays).
    import jax
    import numpy as np
    assert np._core.multiarray.get_handler_name() == 'kcore_aligned_64'
    batch = np.random.rand(1000, 784).astype('float32')[np.arange(0, 1000, 3)]
    assert batch.ctypes.data % 64 == 0
    assert jax.device_put(batch).unsafe_buffer_pointer() == batch.ctypes.data
