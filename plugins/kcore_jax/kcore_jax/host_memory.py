"""glibc's malloc told to keep the memory of XLA's temporary buffers between calls.

A compiled program on the CPU allocates its temporaries as one block at each call. glibc
serves a block over 32 MiB (the most its mmap threshold can be) with a fresh ``mmap`` and
unmaps it when freed, so every call page-faults the whole block in again: 9,000 faults a
step of the lstm benchmark (37 MiB of temporaries), a fifth of its time. Without mmap and
with a high trim threshold, the block comes from the heap and the next call reuses it.
"""
import ctypes
import os
import platform

#: mallopt's parameters (glibc's malloc.h).
M_TRIM_THRESHOLD, M_MMAP_MAX, M_ARENA_MAX = -1, -4, -8
#: Free memory a heap keeps at its top instead of giving it back to the OS.
TRIM_THRESHOLD = 1 << 30


def keep_heap():
    """Set glibc's malloc so (``KCORE_JAX_KEEP_HEAP=0``: leave it); True where it did."""
    if os.environ.get('KCORE_JAX_KEEP_HEAP', '1') == '0':
        return False
    if platform.system() != 'Linux' or platform.libc_ver()[0] != 'glibc':
        return False
    mallopt = ctypes.CDLL(None).mallopt
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    return all(mallopt(option, value) for option, value in (
        (M_MMAP_MAX, 0), (M_TRIM_THRESHOLD, TRIM_THRESHOLD), (M_ARENA_MAX, 1)))
