"""kcore-theano's native library: denormals are flushed to zero inside kcore functions only
(as on TensorFlow), the caller's own arithmetic keeps them."""
import platform

import numpy as np
import pytest

from kcore import backend as K
from kcore_theano import native

pytestmark = [
    pytest.mark.skipif(native.library() is None, reason='the native library could not be built'),
    pytest.mark.skipif(platform.machine() not in ('x86_64', 'AMD64'),
                       reason='denormal control is implemented for x86 only')]

TINY = np.float32(1e-20)   # TINY * TINY = 1e-40 is a float32 denormal


def _square():
    x = K.placeholder(shape=(3,))
    return K.function([x], [x * x])


def test_functions_flush_denormals_to_zero():
    assert not _square()([np.full(3, TINY)])[0].any()
    assert TINY * TINY > 0           # numpy outside the function still has denormals


def test_flushing_can_be_turned_off(monkeypatch):
    monkeypatch.setenv('KCORE_THEANO_FLUSH_DENORMALS', '0')
    np.testing.assert_allclose(_square()([np.full(3, TINY)])[0], 1e-40, rtol=1e-3)


def test_the_callers_setting_is_restored_after_an_error():
    f = _square()
    with pytest.raises(Exception):
        f([np.zeros((2, 2), 'float32')])
    assert TINY * TINY > 0
