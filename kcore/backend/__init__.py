"""The backend module ``K``: ``from kcore import backend as K``.

Every function of the protocol (:mod:`kcore.backend.protocol`) is looked up on
the active backend, chosen in this order: ``KCORE_BACKEND``, ``KERAS_BACKEND``,
the ``backend`` key of ``$KCORE_HOME/kcore.json``. The backend's library
(TensorFlow, PyTensor) is imported the first time a function is used.
"""
import threading

from kcore import config

# The protocol's function names, read on first use: kcore.backend.protocol imports
# kcore.backend.common, so importing the protocol here would make an import circle.
_functions = None
_COMMON = frozenset(['is_keras_tensor', 'legacy_weight_ordering', 'set_legacy_weight_ordering'])
_instances = {}
_active = None
_lock = threading.RLock()


class BackendError(RuntimeError):
    """The requested backend is not installed or failed to load."""


def installed_backends():
    """The registered backend names, in the order the plugins registered them."""
    from kcore import plugins
    return plugins.registry('backends').names()


def default_backend_name():
    """The backend a new config file names (see :func:`kcore.config.default_backend`)."""
    return config.default_backend()


def choose_backend():
    """The backend name to use and why: ``(name, reason)``."""
    return config.backend_choice()


def get_backend(name):
    """The backend instance registered as ``name`` (created once per process)."""
    from kcore import plugins
    from kcore.plugins.registries import AmbiguousNameError, UnknownNameError
    backends = plugins.registry('backends')
    with _lock:
        try:
            entry = backends.entry(name)
        except AmbiguousNameError as e:
            raise BackendError(str(e)) from None
        except UnknownNameError as e:
            raise BackendError(_not_installed_message(name, backends, e)) from None
        if entry.name not in _instances:
            try:
                cls = entry.load()
                _instances[entry.name] = cls()
            except Exception as e:
                raise BackendError('Backend %r (plugin %s) failed to load: %s: %s'
                                   % (entry.name, entry.origin, type(e).__name__, e)) from e
        return _instances[entry.name]


def _not_installed_message(name, backends, error):
    """The message for the UnknownNameError ``error``: what is installed, what to install."""
    from kcore.plugins import known_plugins
    installed = ["%s (plugin %s)" % (e.name, e.origin) for e in backends.entries()]
    package = known_plugins.provider('backends', name)
    hint = ('`pip install %s`' % package if package else
            'the package of a kcore plugin that registers it')
    message = 'Backend %r is not installed. Installed backends: %s. To use %r, install %s.' % (
        name, ', '.join(installed) or 'none', name, hint)
    if error.suggestions:
        message += ' (Did you mean %s?)' % ' or '.join(map(repr, error.suggestions))
    return message


def active():
    """The active backend instance."""
    global _active
    if _active is None:
        with _lock:
            if _active is None:
                name, reason = choose_backend()
                try:
                    _active = get_backend(name)
                except BackendError as e:
                    raise BackendError('%s (The backend was chosen by %s.)' % (e, reason)) from None
    return _active


def set_backend(name):
    """Make the backend registered as ``name`` the active one; return it."""
    global _active
    _active = get_backend(name)
    return _active


def _protocol_functions():
    global _functions
    if _functions is None:
        from kcore.backend.protocol import protocol_functions
        _functions = frozenset(protocol_functions())
    return _functions


def __getattr__(name):
    if name in _protocol_functions():
        return getattr(active(), name)
    if name in _COMMON:  # Keras 1.1.2's names from keras.backend.common beyond the protocol
        from kcore.backend import common
        return getattr(common, name)
    raise AttributeError("kcore.backend has no function %r (see kcore.backend.protocol for the "
                         "protocol)" % (name,))


def __dir__():
    return sorted(set(globals()) | _protocol_functions() | _COMMON)
