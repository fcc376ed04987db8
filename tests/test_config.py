import json
import os

import pytest

from kcore import config


def test_first_use_creates_the_file_with_the_defaults(kcore_home):
    settings = config.settings()
    path = kcore_home / 'kcore.json'
    assert json.loads(path.read_text()) == {'backend': settings['backend'], 'epsilon': 1e-07,
                                             'floatx': 'float32', 'image_dim_ordering': 'tf'}
    assert config.floatx() == 'float32' and config.epsilon() == 1e-07
    assert config.image_dim_ordering() == 'tf'


def test_the_file_is_read(kcore_home, monkeypatch):
    monkeypatch.delenv('KCORE_BACKEND')
    kcore_home.mkdir()
    (kcore_home / 'kcore.json').write_text(json.dumps(
        {'backend': 'theano', 'floatx': 'float64', 'epsilon': 1e-5, 'image_dim_ordering': 'th'}))
    assert config.floatx() == 'float64'
    assert config.epsilon() == 1e-5
    assert config.image_dim_ordering() == 'th'
    assert config.backend_choice() == ('theano', 'the config file %s' % config.config_path())


def test_missing_keys_take_the_defaults(kcore_home):
    kcore_home.mkdir()
    (kcore_home / 'kcore.json').write_text('{"floatx": "float16"}')
    assert config.floatx() == 'float16'
    assert config.image_dim_ordering() == 'tf'


@pytest.mark.parametrize('key, value, allowed', [
    ('floatx', 'float128', "'float16', 'float32', 'float64'"),
    ('image_dim_ordering', 'nchw', "'tf'"),
    ('epsilon', -1, 'positive number'),
    ('backend', 3, 'name of an installed backend'),
])
def test_invalid_value_names_file_key_value_and_allowed(kcore_home, key, value, allowed):
    kcore_home.mkdir()
    path = kcore_home / 'kcore.json'
    path.write_text(json.dumps({key: value}))
    with pytest.raises(config.ConfigError) as e:
        config.settings()
    message = str(e.value)
    assert str(path) in message and '"%s"' % key in message and repr(value) in message
    assert allowed in message


def test_invalid_json_names_the_file(kcore_home):
    kcore_home.mkdir()
    (kcore_home / 'kcore.json').write_text('{"floatx": ')
    with pytest.raises(config.ConfigError, match='kcore.json is not a readable JSON file'):
        config.settings()


def test_environment_overrides_the_file(kcore_home, monkeypatch):
    monkeypatch.delenv('KCORE_BACKEND')
    monkeypatch.setenv('KERAS_BACKEND', 'theano')
    assert config.backend_choice() == ('theano', 'environment variable KERAS_BACKEND')
    monkeypatch.setenv('KCORE_BACKEND', 'tensorflow')
    assert config.backend_choice() == ('tensorflow', 'environment variable KCORE_BACKEND')


@pytest.mark.skipif(os.geteuid() == 0, reason='root writes into read-only folders')
def test_read_only_home_is_not_an_error(kcore_home):
    kcore_home.mkdir()
    kcore_home.chmod(0o500)
    try:
        assert config.floatx() == 'float32'
        assert not (kcore_home / 'kcore.json').exists()
    finally:
        kcore_home.chmod(0o700)


def test_unwritable_home_is_not_an_error(kcore_home, monkeypatch, tmp_path):
    # A file where the folder should be: even root cannot create the folder.
    blocker = tmp_path / 'blocker'
    blocker.write_text('')
    monkeypatch.setenv('KCORE_HOME', str(blocker / 'home'))
    assert config.settings()['floatx'] == 'float32'


def test_setters_validate(kcore_home):
    config.set_floatx('float64')
    assert config.floatx() == 'float64'
    with pytest.raises(config.ConfigError, match="set_floatx\\(\\).*'float128'"):
        config.set_floatx('float128')
    with pytest.raises(config.ConfigError, match='set_image_dim_ordering'):
        config.set_image_dim_ordering('xy')
    config.set_epsilon(1e-3)
    assert config.epsilon() == 1e-3
