"""Keras 1 scripts on kcore: the ``keras`` import alias (kcore.compat.keras1), ``kcore run``
and a Keras user's ``~/.keras/keras.json``."""
import importlib.util
import json
import os
import subprocess
import sys
import textwrap

import pytest

from kcore import cli, config
from kcore_test_helpers.session import BACKEND
from kcore_test_helpers.processes import run_python

KERAS1_SCRIPT = '''
    import numpy as np
    from keras.models import Sequential
    from keras.layers.core import Dense
    from keras import backend as K

    X = np.random.RandomState(0).rand(64, 4).astype('float32')
    y = (X.sum(axis=1) > 2).astype('float32')
    model = Sequential()
    model.add(Dense(8, input_dim=4, activation='relu'))
    model.add(Dense(1, activation='sigmoid'))
    model.compile(loss='binary_crossentropy', optimizer='adam', metrics=['accuracy'])
    losses = model.fit(X, y, nb_epoch=5, batch_size=16, verbose=0).history['loss']
    print(K.backend(), len(losses), losses[-1] < losses[0])
'''


def kcore_run(tmp_path, source, *args, env=None):
    """Write ``source`` to script.py in ``tmp_path`` and ``kcore run`` it from ``tmp_path``."""
    script = tmp_path / 'script.py'
    script.write_text(textwrap.dedent(source))
    return subprocess.run([sys.executable, '-m', 'kcore', 'run', 'script.py', *args],
                          capture_output=True, text=True, cwd=str(tmp_path),
                          env=env or dict(os.environ), timeout=300)


def keras3_installed():
    spec = importlib.util.find_spec('keras')
    return spec is not None and 'kcore' not in (spec.origin or '')


def test_kcore_run_trains_a_keras1_script_with_keras_backend(tmp_path):
    env = dict(os.environ, KERAS_BACKEND=BACKEND)
    del env['KCORE_BACKEND']  # a Keras 1 user sets KERAS_BACKEND
    result = kcore_run(tmp_path, KERAS1_SCRIPT, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [BACKEND, '5', 'True']


def test_kcore_run_passes_argv_and_the_exit_code(tmp_path):
    result = kcore_run(tmp_path, '''
        import json, sys
        import keras, keras.layers.core, kcore.layers.core
        print(json.dumps([sys.argv, __name__, __file__, sys.path[0], keras.__name__,
                          keras.layers.core.Dense is kcore.layers.core.Dense]))
        sys.exit(3)
    ''', 'a', '-m', '--help')
    assert result.returncode == 3, result.stderr
    argv, name, file, path0, keras_name, same = json.loads(result.stdout)
    assert argv == ['script.py', 'a', '-m', '--help'] and name == '__main__'
    assert file == str(tmp_path / 'script.py') and path0 == os.path.realpath(str(tmp_path))
    assert keras_name == 'kcore' and same


def test_uncaught_exception_exits_1_with_a_traceback_into_the_script(tmp_path):
    result = kcore_run(tmp_path, '''
        def train():
            raise ValueError('nb_epoch must be positive')

        train()
    ''')
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    path = str(tmp_path / 'script.py')
    assert lines[:2] == ['Traceback (most recent call last):',
                         '  File "%s", line 5, in <module>' % path]
    assert '  File "%s", line 3, in train' % path in lines
    assert lines[-1] == 'ValueError: nb_epoch must be positive'


def test_kcore_run_module_and_missing_script(tmp_path):
    (tmp_path / 'k1prog.py').write_text('import sys, keras\nsys.exit(keras.__name__)\n')
    result = subprocess.run([sys.executable, '-m', 'kcore', 'run', '-m', 'k1prog'],
                            capture_output=True, text=True, cwd=str(tmp_path), timeout=300)
    assert result.returncode == 1 and result.stderr.strip() == 'kcore'
    assert cli.main(['run', str(tmp_path / 'nosuch.py')]) == 2
    assert cli.main(['run']) == 2


def test_plain_import_keeps_the_installed_keras_and_install_uninstall_round_trip():
    result = run_python('''
        import sys
        import kcore, kcore.layers
        from kcore.compat import keras1
        try:
            import keras as before  # import kcore installs nothing
            print(before.__version__, before is kcore)
        except ImportError:
            before = None
        keras1.install()
        import keras
        import keras.layers.core
        from keras.layers.core import Dense
        import kcore.layers.core
        assert keras is kcore and Dense is kcore.layers.core.Dense
        assert keras.layers.core is kcore.layers.core
        import keras.backend.tensorflow_backend as KTF, keras.backend.theano_backend as KTH
        import kcore.backend.tensorflow_backend, kcore.backend.theano_backend
        assert KTF is kcore.backend.tensorflow_backend and KTH is kcore.backend.theano_backend
        assert kcore.layers.core.__spec__.name == 'kcore.layers.core'
        try:
            import keras.nosuch
        except ModuleNotFoundError as e:
            assert e.name == 'keras.nosuch', e
            assert str(e).startswith("No module named 'kcore.nosuch' (keras.nosuch is"), e
        else:
            raise AssertionError('keras.nosuch was imported')
        keras1.uninstall()
        assert not keras1.installed()
        assert not any(isinstance(f, keras1.KerasAlias) for f in sys.meta_path)
        if before is None:
            assert 'keras' not in sys.modules
        else:
            import keras as after
            assert after is before and after.__version__.startswith('3')
        print('ok')
    ''')
    lines = result.stdout.split('\n')
    assert lines[-2:] == ['ok', ''], result.stderr
    if keras3_installed():  # TensorFlow's Keras 3, as kcore-tf installs it
        version, same = lines[0].split()
        assert version.startswith('3') and same == 'False'


def test_keras_datasets_are_kcore_datasets():
    pytest.importorskip('kcore_apps')
    result = run_python('''
        from kcore.compat import keras1
        keras1.install()
        import keras.datasets.mnist
        from keras.datasets import mnist
        import kcore.datasets.mnist
        assert mnist is kcore.datasets.mnist is keras.datasets.mnist
        assert callable(mnist.load_data)
        print('ok')
    ''')
    assert result.stdout.strip() == 'ok', result.stderr


@pytest.fixture
def keras_json(tmp_path, monkeypatch):
    """write(settings): a Keras user's ~/.keras/keras.json in a temporary HOME."""
    home = tmp_path / 'home'
    monkeypatch.setenv('HOME', str(home))
    monkeypatch.delenv('KERAS_HOME')
    monkeypatch.delenv('KCORE_BACKEND')

    def write(settings):
        (home / '.keras').mkdir(parents=True, exist_ok=True)
        path = home / '.keras' / 'keras.json'
        path.write_text(json.dumps(settings))
        return str(path)
    return write


def test_keras1_json_is_read_when_there_is_no_kcore_json(keras_json, kcore_home, capsys):
    path = keras_json({'backend': 'theano', 'floatx': 'float64', 'epsilon': 1e-5,
                       'image_dim_ordering': 'th'})
    assert config.backend_choice() == ('theano', 'the config file %s' % path)
    assert (config.floatx(), config.epsilon(), config.image_dim_ordering()) == (
        'float64', 1e-5, 'th')
    assert not kcore_home.exists()  # read each time, never copied
    cli.main(['info'])
    assert 'config file: %s' % path in capsys.readouterr().out


def test_kcore_json_wins_over_keras_json(keras_json, kcore_home):
    keras_json({'floatx': 'float64', 'image_dim_ordering': 'th'})
    kcore_home.mkdir()
    (kcore_home / 'kcore.json').write_text('{"floatx": "float16"}')
    assert (config.floatx(), config.image_dim_ordering()) == ('float16', 'tf')


def test_a_later_keras_json_gives_its_data_format_and_only_a_kcore_backend(keras_json):
    from kcore.backend import default_backend_name
    keras_json({'backend': 'torch', 'image_data_format': 'channels_first', 'floatx': 'float32',
                'epsilon': 1e-07, 'nb_threads': 4})
    settings = config.settings()
    assert settings == {'backend': default_backend_name(), 'floatx': 'float32',
                        'epsilon': 1e-07, 'image_dim_ordering': 'th'}


@pytest.mark.parametrize('settings, key', [
    ({'floatx': 'float128', 'image_dim_ordering': 'tf'}, 'floatx'),
    ({'image_data_format': 'nhwc'}, 'image_data_format'),
])
def test_invalid_keras_json_value_names_the_file(keras_json, settings, key):
    path = keras_json(settings)
    with pytest.raises(config.ConfigError) as e:
        config.settings()
    assert str(e.value).startswith('%s: key "%s"' % (path, key))
