"""Keras 1.1.2's backend modules: ``kcore.backend.common``, and the per-backend modules
``kcore.backend.tensorflow_backend`` (KTF) and ``kcore.backend.theano_backend`` (KTH), used
side by side in one process whatever backend is active.

A test that needs a backend skips, naming its plugin, where that plugin is not installed
(CI's per-backend sessions install one; the parity session installs both).
"""
import os

import numpy as np
import pytest

from kcore import backend as K
from kcore.backend import common, per_backend, tensorflow_backend as KTF, theano_backend as KTH
from kcore_test_helpers.processes import run_python

PLUGINS = {'tensorflow': 'kcore-tf', 'theano': 'kcore-theano'}
MODULES = {'tensorflow': KTF, 'theano': KTH}


def require(*names):
    """Skip unless the backends ``names`` are installed."""
    missing = [PLUGINS[n] for n in names if n not in K.installed_backends()]
    if missing:
        pytest.skip('needs the %s plugin (pip install %s); not installed here'
                    % (' and '.join(missing), ' '.join(missing)))


@pytest.fixture(params=sorted(MODULES))
def backend_module(request):
    """Each per-backend module whose backend is installed, as (name, module)."""
    require(request.param)
    return request.param, MODULES[request.param]


# ------------------------------------------------------------------- common
def test_common_settings_are_the_config():
    common.set_floatx('float64')
    assert common.floatx() == K.floatx() == 'float64'
    assert common.cast_to_floatx([1, 2]).dtype == np.float64
    common.set_epsilon(1e-5)
    assert K.epsilon() == 1e-5
    common.set_image_dim_ordering('th')
    assert K.image_dim_ordering() == 'th'
    with pytest.raises(ValueError, match='float16'):
        common.set_floatx('int8')


def test_get_uid_is_one_count_with_k():
    common.reset_uids()
    assert common.get_uid('dense') == 1
    assert K.get_uid('dense') == 2          # the active backend counts with common
    K.reset_uids()
    assert common.get_uid('dense') == 1


def test_legacy_weight_ordering():
    assert common.legacy_weight_ordering() is False
    try:
        K.set_legacy_weight_ordering(True)
        assert common.legacy_weight_ordering() is True
        with pytest.raises(ValueError, match='expected True or False'):
            common.set_legacy_weight_ordering('yes')
    finally:
        common.set_legacy_weight_ordering(False)


def test_is_keras_tensor():
    from kcore.layers import Dense, Input
    x = Input(shape=(3,))
    assert K.is_keras_tensor(x) and common.is_keras_tensor(Dense(2)(x))
    assert not K.is_keras_tensor(np.ones(3))
    assert not K.is_keras_tensor(K.variable(np.ones(3)))


# ------------------------------------------------------------ per-backend modules
def test_importing_the_modules_imports_no_backend_library():
    result = run_python('''
        import sys
        from kcore.backend import common, tensorflow_backend, theano_backend
        print(sorted(m for m in ('tensorflow', 'pytensor') if m in sys.modules))
    ''')
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith('[]')


def test_a_missing_plugin_is_named_on_first_use():
    # Only kcore-tf is loaded: the theano module still imports, and says what to install.
    env = dict(os.environ, KCORE_PLUGINS='tensorflow')
    result = run_python('''
        from kcore.backend import theano_backend as KTH
        KTH.variable(1.0)
    ''', env=env)
    assert result.returncode != 0
    assert "Backend 'theano' is not installed" in result.stderr
    assert 'pip install kcore-theano' in result.stderr


def test_a_module_is_its_backend(backend_module):
    name, module = backend_module
    assert module.backend() == name
    assert isinstance(module.function([], []), module.Function)
    assert module.py_all([1, 1]) and not module.py_all([1, 0])
    assert {'ctc_decode', 'function', 'Function', 'atrous_conv2d'} <= set(module.__all__)
    with pytest.raises(AttributeError, match='no attribute'):
        getattr(module, 'not_a_function')


def test_atrous_conv2d_is_a_dilated_conv2d(backend_module):
    _, module = backend_module
    x = np.random.RandomState(0).rand(1, 7, 7, 2).astype('float32')
    kernel = np.random.RandomState(1).rand(3, 3, 2, 1).astype('float32')
    got = module.eval(module.atrous_conv2d(module.variable(x), module.variable(kernel), rate=2,
                                           dim_ordering='tf'))
    # Taps two pixels apart: a 5x5 window, 3x3 outputs.
    want = np.zeros((1, 3, 3, 1))
    for i in range(3):
        for j in range(3):
            want[0, i, j, 0] = np.sum(x[0, i:i + 5:2, j:j + 5:2, :] * kernel[:, :, :, 0])
    np.testing.assert_allclose(got, want, rtol=1e-5)


def test_ctc_label_dense_to_sparse():
    require('tensorflow')
    sparse = KTF.eval(KTF.ctc_label_dense_to_sparse(np.array([[1, 2, 0], [3, 0, 0]]),
                                                    np.array([2, 1])))
    np.testing.assert_array_equal(sparse.indices, [[0, 0], [0, 1], [1, 0]])
    np.testing.assert_array_equal(sparse.values, [1, 2, 3])


def test_a_module_of_an_unknown_backend_says_it_is_not_installed():
    missing = per_backend.backend_module('no_such_backend', {})[0]
    with pytest.raises(K.BackendError, match="Backend 'no_such_backend' is not installed"):
        missing('eval')


# ------------------------------------------------------------------ side by side
@pytest.mark.parametrize('active', ['tensorflow', 'theano'])
def test_both_backends_side_by_side(active):
    require('tensorflow', 'theano')
    K.set_backend(active)
    x = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(KTF.eval(KTF.variable(x)), KTH.eval(KTH.variable(x)))
    results = []
    for module in (KTF, KTH):
        a = module.placeholder(shape=(None, 3))
        f = module.function([a], [module.softmax(module.dot(a, module.variable(x.T)))])
        results.append(f([x])[0])
    np.testing.assert_allclose(results[0], results[1], rtol=1e-6)
    assert K.backend() == active


def test_ctc_decode_alike_on_both_backends():
    require('tensorflow', 'theano')
    y_pred = np.random.RandomState(3).dirichlet(np.ones(4), size=(2, 5)).astype('float32')
    lengths = np.array([[5], [3]], dtype='int32')
    results = []
    for module in (KTF, KTH):
        y = module.placeholder(shape=(None, 5, 4))
        n = module.placeholder(shape=(None, 1), dtype='int32')
        decoded, log_prob = module.ctc_decode(y, n, greedy=False, beam_width=10, top_paths=2)
        results.append(module.function([y, n], decoded + [log_prob])([y_pred, lengths]))
    for got_tf, got_th in zip(*results):
        np.testing.assert_allclose(got_tf, got_th, rtol=1e-4)
