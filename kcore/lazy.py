"""Packages whose submodules load on first use (``kcore.utils.np_utils`` or ``from
kcore.utils import np_utils``), so that importing the package costs nothing."""
import importlib
import sys


def lazy_submodules(package, names):
    """The ``__getattr__`` and ``__dir__`` of package ``package`` for its submodules
    ``names``: ``__getattr__, __dir__ = lazy_submodules(__name__, (...))``."""
    names = tuple(names)

    def __getattr__(name):
        if name in names:
            return importlib.import_module('%s.%s' % (package, name))
        raise AttributeError('module %s has no attribute %r' % (package, name))

    def __dir__():
        return sorted(set(vars(sys.modules[package])) | set(names))

    return __getattr__, __dir__
