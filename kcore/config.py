"""The user's configuration: ``$KCORE_HOME/kcore.json`` and the environment.

The file has the keys of Keras 1's ``keras.json``. Where it does not exist, a Keras
user's ``~/.keras/keras.json`` (``$KERAS_HOME/keras.json``) is read instead, each time,
and never written. Where neither exists, kcore.json is created with the defaults the
first time kcore needs it; a home that cannot be written is not an error (the
defaults are used). ``KCORE_BACKEND``, then ``KERAS_BACKEND``, override the file's
``backend``.
"""
import json
import os
import tempfile

# Where nothing names a backend and not exactly one is installed, kcore uses Keras 1's
# default, 'tensorflow' (keras.json's default): what a Keras 1 user expects. This is the
# one place the core names a backend, as a setting's default value.
DEFAULT_BACKEND = 'tensorflow'
DEFAULTS = {
    'backend': DEFAULT_BACKEND,
    'floatx': 'float32',
    'epsilon': 1e-07,
    'image_dim_ordering': 'tf',
}
FLOATX_VALUES = ('float16', 'float32', 'float64')
ORDERING_VALUES = ('tf', 'th')
# Keras 2's image_data_format, in Keras 1's terms.
DATA_FORMAT_ORDERINGS = {'channels_last': 'tf', 'channels_first': 'th'}


class ConfigError(ValueError):
    """A configuration value (in the file or given at run time) is invalid."""


def home():
    """The kcore folder: ``$KCORE_HOME``, else ``~/.kcore``."""
    return os.path.expanduser(os.environ.get('KCORE_HOME') or os.path.join('~', '.kcore'))


def keras_home():
    """A Keras user's folder: ``$KERAS_HOME``, else ``~/.keras``."""
    return os.path.expanduser(os.environ.get('KERAS_HOME') or os.path.join('~', '.keras'))


def keras_config_path():
    return os.path.join(keras_home(), 'keras.json')


def config_path():
    """The settings file in use: kcore.json, else keras.json where only that one exists."""
    own = os.path.join(home(), 'kcore.json')
    if not os.path.exists(own) and os.path.exists(keras_config_path()):
        return keras_config_path()
    return own


def check_value(key, value, where):
    """Return ``value`` if it is allowed for ``key``; else raise ConfigError naming ``where``."""
    if key == 'floatx':
        if value not in FLOATX_VALUES:
            raise ConfigError('%s: key "floatx" has value %r; allowed values are %s.'
                              % (where, value, ', '.join(map(repr, FLOATX_VALUES))))
    elif key == 'image_dim_ordering':
        if value not in ORDERING_VALUES:
            raise ConfigError('%s: key "image_dim_ordering" has value %r; allowed values are '
                              "'tf' (samples, rows, cols, channels) and 'th' "
                              '(samples, channels, rows, cols).' % (where, value))
    elif key == 'epsilon':
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
            raise ConfigError('%s: key "epsilon" has value %r; a positive number is expected.'
                              % (where, value))
    elif key == 'backend':
        if not isinstance(value, str) or not value:
            raise ConfigError('%s: key "backend" has value %r; the name of an installed backend '
                              '(`kcore backends` lists them) is expected.' % (where, value))
    return value


def read_file(path=None):
    """Read and validate the config file; create it with the defaults if it is missing."""
    path = path or config_path()
    if not os.path.exists(path):
        config = dict(DEFAULTS, backend=default_backend())
        write_file(config, path)
        return config
    data = _load_json(path)
    if path == keras_config_path():
        data = from_keras_json(data, path)
    config = dict(DEFAULTS)
    for key, value in data.items():
        if key in DEFAULTS:
            config[key] = check_value(key, value, path)
    return config


def _load_json(path):
    """The JSON object in ``path``; ConfigError naming the file if it is not one."""
    try:
        with open(path) as f:
            data = json.load(f)
    except (OSError, ValueError) as e:
        raise ConfigError('%s is not a readable JSON file (%s). Fix it, or delete it to get the '
                          'defaults %s.' % (path, e, json.dumps(DEFAULTS))) from None
    if not isinstance(data, dict):
        raise ConfigError('%s must hold a JSON object with the keys %s, got %s.'
                          % (path, ', '.join(sorted(DEFAULTS)), type(data).__name__))
    return data


def from_keras_json(data, path):
    """kcore's settings from the ``keras.json`` at ``path``, which may be Keras 1's or a later
    Keras's: a later file (no ``image_dim_ordering``) gives its ``image_data_format`` as the
    ordering, and its ``backend`` only where kcore has that backend (Keras 3 also has jax,
    torch, ...), else kcore's default backend. Keys kcore does not know are ignored."""
    if 'image_dim_ordering' in data:
        return data
    data = dict(data)
    if 'image_data_format' in data:
        data_format = data['image_data_format']
        if data_format not in DATA_FORMAT_ORDERINGS:
            raise ConfigError("%s: key \"image_data_format\" has value %r; allowed values are "
                              "'channels_last' (kcore's 'tf') and 'channels_first' ('th')."
                              % (path, data_format))
        data['image_dim_ordering'] = DATA_FORMAT_ORDERINGS[data_format]
    if not _is_installed_backend(data.get('backend')):
        data['backend'] = default_backend()
    return data


def _is_installed_backend(name):
    from kcore import plugins
    return isinstance(name, str) and name in plugins.registry('backends')


def default_backend():
    """The backend a new config file names: the only installed one, else DEFAULT_BACKEND."""
    from kcore import plugins
    names = plugins.registry('backends').names()
    return names[0] if len(names) == 1 else DEFAULT_BACKEND


def write_file(config, path=None):
    """Write ``config`` atomically; return False (and write nothing) where the folder is read-only."""
    path = path or config_path()
    folder = os.path.dirname(path)
    try:
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix='.kcore.json.')
        with os.fdopen(fd, 'w') as f:
            json.dump(config, f, indent=4, sort_keys=True)
            f.write('\n')
        os.replace(tmp, path)
        return True
    except OSError:
        return False


def backend_choice():
    """The backend name to use and why: ``(name, reason)``."""
    for var in ('KCORE_BACKEND', 'KERAS_BACKEND'):
        value = os.environ.get(var)
        if value:
            return value, 'environment variable %s' % var
    return settings()['backend'], 'the config file %s' % config_path()


_settings = None


def settings():
    """The run-time settings: the file's values, then whatever ``set_*`` changed."""
    global _settings
    if _settings is None:
        _settings = read_file()
    return _settings


def reset():
    """Forget the loaded settings (the next use reads the file again)."""
    global _settings
    _settings = None


def floatx():
    return settings()['floatx']


def set_floatx(value):
    settings()['floatx'] = check_value('floatx', str(value), 'set_floatx()')


def epsilon():
    return settings()['epsilon']


def set_epsilon(value):
    settings()['epsilon'] = check_value('epsilon', value, 'set_epsilon()')


def image_dim_ordering():
    return settings()['image_dim_ordering']


def set_image_dim_ordering(value):
    settings()['image_dim_ordering'] = check_value('image_dim_ordering', value,
                                                   'set_image_dim_ordering()')
