"""Choosing the backend; these tests never import TensorFlow."""
import json

import pytest

import kcore.backend as K
from session_backend import BACKEND, DISTRIBUTION
from subprocess_utils import run_python


def test_import_kcore_imports_no_backend_library():
    result = run_python('''
        import sys, kcore, kcore.backend, kcore.activations, kcore.plugins
        kcore.plugins.get_manager()
        print(sorted(m for m in ('tensorflow', 'pytensor') if m in sys.modules))
    ''')
    assert result.stdout.strip() == '[]', result.stderr


def test_unknown_backend_lists_the_installed_ones(monkeypatch):
    monkeypatch.setenv('KCORE_BACKEND', 'nosuch')
    with pytest.raises(K.BackendError) as e:
        K.floatx()
    message = str(e.value)
    assert "Backend 'nosuch' is not installed" in message
    assert '%s (plugin %s [%s' % (BACKEND, BACKEND, DISTRIBUTION) in message
    assert 'environment variable KCORE_BACKEND' in message


def test_known_but_missing_backend_names_its_package(monkeypatch):
    monkeypatch.setitem(K.PACKAGES, 'mxnet', 'kcore-mxnet')
    monkeypatch.delenv('KCORE_BACKEND')
    monkeypatch.setenv('KERAS_BACKEND', 'mxnet')
    with pytest.raises(K.BackendError, match='pip install kcore-mxnet'):
        K.epsilon()


def test_misspelt_backend_gets_a_suggestion():
    with pytest.raises(K.BackendError, match="Did you mean '%s'" % BACKEND):
        K.get_backend(BACKEND[:-1])


def test_config_file_names_the_backend(kcore_home, monkeypatch):
    monkeypatch.delenv('KCORE_BACKEND')
    kcore_home.mkdir()
    (kcore_home / 'kcore.json').write_text(json.dumps({'backend': 'nosuch'}))
    with pytest.raises(K.BackendError, match='chosen by the config file'):
        K.epsilon()


def test_new_config_file_names_the_only_installed_backend_else_tensorflow(kcore_home):
    from kcore import config
    config.settings()
    installed = K.installed_backends()
    expected = installed[0] if len(installed) == 1 else 'tensorflow'
    assert json.loads((kcore_home / 'kcore.json').read_text())['backend'] == expected


def test_unknown_function_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no function 'not_a_function'"):
        K.not_a_function


def test_protocol_has_the_documented_functions():
    from kcore.backend.protocol import protocol_functions
    names = set(protocol_functions())
    assert len(names) > 115
    for name in ('epsilon', 'set_epsilon', 'all', 'any', 'ctc_decode', 'foldr', 'backend',
                 'set_session', 'get_session', 'random_normal', 'random_binomial'):
        assert name in names
