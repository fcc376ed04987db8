"""The user's configuration: ``$KCORE_HOME/kcore.json`` and the environment.

The file has the keys of Keras 1's ``keras.json``. It is created with the
defaults the first time kcore needs it; a home that cannot be written is not an
error (the defaults are used). ``KCORE_BACKEND``, then ``KERAS_BACKEND``,
override the file's ``backend``.
"""
import json
import os
import tempfile

DEFAULTS = {
    'backend': 'tensorflow',
    'floatx': 'float32',
    'epsilon': 1e-07,
    'image_dim_ordering': 'tf',
}
FLOATX_VALUES = ('float16', 'float32', 'float64')
ORDERING_VALUES = ('tf', 'th')


class ConfigError(ValueError):
    """A configuration value (in the file or given at run time) is invalid."""


def home():
    """The kcore folder: ``$KCORE_HOME``, else ``~/.kcore``."""
    return os.path.expanduser(os.environ.get('KCORE_HOME') or os.path.join('~', '.kcore'))


def config_path():
    return os.path.join(home(), 'kcore.json')


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
                              '(such as "tensorflow" or "theano") is expected.' % (where, value))
    return value


def read_file(path=None):
    """Read and validate the config file; create it with the defaults if it is missing."""
    path = path or config_path()
    if not os.path.exists(path):
        config = dict(DEFAULTS, backend=_default_backend())
        write_file(config, path)
        return config
    try:
        with open(path) as f:
            data = json.load(f)
    except (OSError, ValueError) as e:
        raise ConfigError('%s is not a readable JSON file (%s). Fix it, or delete it to get the '
                          'defaults %s.' % (path, e, json.dumps(DEFAULTS))) from None
    if not isinstance(data, dict):
        raise ConfigError('%s must hold a JSON object with the keys %s, got %s.'
                          % (path, ', '.join(sorted(DEFAULTS)), type(data).__name__))
    config = dict(DEFAULTS)
    for key, value in data.items():
        if key in DEFAULTS:
            config[key] = check_value(key, value, path)
    return config


def _default_backend():
    """The only installed backend, else 'tensorflow' (asks the plugin registry)."""
    from kcore.backend import default_backend_name
    return default_backend_name()


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
