"""Wrappers that let kcore models stand in other libraries' APIs (``keras.wrappers``):
``scikit_learn`` (``KerasClassifier``, ``KerasRegressor``)."""
import importlib

_SUBMODULES = ('scikit_learn',)


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module('kcore.wrappers.' + name)
    raise AttributeError('module kcore.wrappers has no attribute %r' % (name,))


def __dir__():
    return sorted(set(globals()) | set(_SUBMODULES))
