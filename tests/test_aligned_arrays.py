"""The aligned numpy memory handler (kcore/native/aligned_arrays): every array numpy makes
under it starts at a 64-byte boundary and behaves as before (values, zeros, resizing)."""
import contextvars
import shutil

import numpy as np
import pytest

from kcore.native import aligned_arrays

get_handler_name = np._core.multiarray.get_handler_name

pytestmark = pytest.mark.skipif(shutil.which('g++') is None, reason='needs a C++ compiler')


def in_own_context(check):
    """Run ``check`` after ``use()`` in a copy of this thread's context: numpy keeps its
    handler in a context variable, so the rest of the test run keeps its own."""
    def run():
        assert aligned_arrays.use()
        check()
    contextvars.copy_context().run(run)


def test_new_arrays_start_at_64_bytes():
    def check():
        assert get_handler_name() == 'kcore_aligned_64'
        for size in (0, 1, 3, 17, 63, 64, 65, 1000, 4096, 1 << 20, 5 << 20):
            assert np.empty(size, np.uint8).ctypes.data % 64 == 0
        x = np.random.RandomState(0).rand(300, 784).astype('float32')
        assert x.ctypes.data % 64 == 0
        assert x[np.arange(0, 300, 7)].ctypes.data % 64 == 0    # a gathered batch
        assert x[128:256].ctypes.data % 64 == 0                 # 784 floats: 49 x 64 bytes
    in_own_context(check)


def test_values_zeros_and_copies_are_unchanged():
    reference = np.random.RandomState(1).rand(1000, 33)
    def check():
        x = reference.copy()
        np.testing.assert_array_equal(x, reference)
        zeros = np.zeros((3000, 1000), 'float32')   # calloc: 12 MB of lazily mapped zeros
        assert zeros.ctypes.data % 64 == 0 and not zeros.any()
        assert np.ones(100).sum() == 100
        np.testing.assert_array_equal(np.concatenate([x, x])[1000:], reference)
    in_own_context(check)


@pytest.mark.parametrize('sizes', [(10, 1000, 1 << 20, 5, 300000, 7),
                                   (1, 2, 3, 4, 100, 99, 98, 1 << 16, 1)])
def test_resizing_in_place_keeps_the_values(sizes):
    # ndarray.resize reallocates the block: it may move and land on another boundary.
    def check():
        a = np.arange(sizes[0], dtype='float64')
        for size in sizes[1:]:
            kept = min(size, a.size)
            before = a[:kept].copy()
            a.resize(size, refcheck=False)
            assert a.ctypes.data % 64 == 0
            np.testing.assert_array_equal(a[:kept], before)
            a[kept:] = np.arange(kept, size)
    in_own_context(check)


def test_switched_off(monkeypatch):
    monkeypatch.setenv('KCORE_ALIGNED_ARRAYS', '0')

    def check():
        before = get_handler_name()
        assert aligned_arrays.use() is False
        assert get_handler_name() == before
    contextvars.copy_context().run(check)
