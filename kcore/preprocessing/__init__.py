"""Data preprocessing (``keras.preprocessing``): ``sequence`` (padding, skip-grams),
``text`` (tokenizing) and ``image`` (loading and real-time augmentation).

Submodules load on first use (``from kcore.preprocessing import image``), so importing
this package costs nothing.
"""
import importlib

_SUBMODULES = ('sequence', 'text', 'image')


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module('kcore.preprocessing.' + name)
    raise AttributeError('module kcore.preprocessing has no attribute %r' % (name,))


def __dir__():
    return sorted(set(globals()) | set(_SUBMODULES))
