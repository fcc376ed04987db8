"""Choosing the backend; these tests never import TensorFlow."""
import json

import pytest

import kcore.backend as K
from kcore_test_helpers.session import BACKEND, DISTRIBUTION
from kcore_test_helpers.processes import run_python


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
    from kcore.plugins import known_plugins
    monkeypatch.setitem(known_plugins.PROVIDERS['backends'], 'mxnet', 'kcore-mxnet')
    monkeypatch.delenv('KCORE_BACKEND')
    monkeypatch.setenv('KERAS_BACKEND', 'mxnet')
    with pytest.raises(K.BackendError, match='pip install kcore-mxnet'):
        K.epsilon()


def test_misspelt_backend_gets_a_suggestion():
    with pytest.raises(K.BackendError, match="Did you mean '%s'" % BACKEND):
        K.get_backend(BACKEND[:-1])


def test_the_core_names_no_backend_in_its_logic():
    """Backend names appear in kcore/ only in docs, comments, Keras 1's per-backend modules,
    the table of install suggestions and the default setting."""
    import io
    import pathlib
    import re
    import tokenize
    root = pathlib.Path(K.__file__).parent.parent
    allowed = {'backend/tensorflow_backend.py', 'backend/theano_backend.py',
               'backend/per_backend.py', 'plugins/known_plugins.py', 'config.py',
               'utils/conv_utils.py'}   # conv_utils reads which backend wrote an old file
    # kcore.distribute runs on TensorFlow's collective runtime by design; it is not moved
    # behind a plugin here.
    statement_start = (tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT)
    found = []
    for path in root.rglob('*.py'):
        name = path.relative_to(root).as_posix()
        if name in allowed or name.startswith(('compat/', 'distribute/')):
            continue
        tokens = [t for t in tokenize.generate_tokens(io.StringIO(path.read_text()).readline)
                  if t.type not in (tokenize.NL, tokenize.COMMENT)]
        for before, tok, after in zip([None] + tokens, tokens, tokens[1:] + [None]):
            docstring = (tok.type == tokenize.STRING and after.type == tokenize.NEWLINE
                         and (before is None or before.type in statement_start))
            if tok.type in (tokenize.STRING, tokenize.NAME) and not docstring and re.search(
                    r'tensorflow|pytensor|theano', tok.string, re.I):
                found.append('%s:%d %s' % (name, tok.start[0], tok.string[:60]))
    assert found == []


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
