"""``import keras`` as kcore: ``keras`` and every ``keras.<name>`` resolve to kcore's module of
the same path (``keras.layers.core`` is ``kcore.layers.core``, the same object), so a Keras
1.1.2 script runs unchanged.

Installed only on request, by :func:`install` (``kcore run SCRIPT.py`` does it), never by
``import kcore``. While installed the alias wins over any installed ``keras`` package (such
as TensorFlow's Keras 3), for every importer: TensorFlow's own ``import keras.src...``
fails (TensorFlow ignores that) and ``tf.keras`` is unusable until :func:`uninstall`
(kcore-tf does not use it). Where ``keras`` was already imported, :func:`install` takes
its ``sys.modules`` entries out and :func:`uninstall` puts them back: code that kept a
reference to the old ``keras`` keeps it, new imports get kcore. ``keras.__version__`` is
kcore's version.
"""
import importlib
import importlib.abc
import sys
import threading

from kcore.plugins.namespace import AliasLoader

ALIAS = 'keras'
TARGET = 'kcore'

_lock = threading.Lock()


def _is_alias_name(name):
    return name == ALIAS or name.startswith(ALIAS + '.')


def target_name(fullname):
    """The kcore module that ``fullname`` (``keras`` or ``keras.<path>``) names."""
    return TARGET + fullname[len(ALIAS):]


class KerasAlias(importlib.abc.MetaPathFinder, AliasLoader):
    """The finder that makes ``keras.<path>`` a second name of ``kcore.<path>``.

    ``displaced`` holds the ``sys.modules`` entries of the ``keras`` that was imported
    before the alias was installed, for :func:`uninstall` to restore.
    """

    def __init__(self):
        self.displaced = {}

    def find_spec(self, fullname, path=None, target=None):
        if not _is_alias_name(fullname):
            return None
        real = target_name(fullname)
        try:
            module = importlib.import_module(real)
        except ModuleNotFoundError as e:
            if e.name is None or not _is_parent_or_self(e.name, real):
                raise  # something the kcore module needs is missing: that is the error
            raise ModuleNotFoundError(
                '%s (%s is %s while kcore.compat.keras1 is installed; kcore provides the '
                'modules of Keras 1.1.2)' % (e.msg, fullname, real), name=fullname) from None
        return self.alias_spec(fullname, module)


def _is_parent_or_self(name, fullname):
    return fullname == name or fullname.startswith(name + '.')


_finder = None


def installed():
    """Whether the alias is installed."""
    return _finder is not None


def install():
    """Make ``import keras`` and ``import keras.<path>`` give kcore's modules (idempotent)."""
    global _finder
    with _lock:
        if _finder is not None:
            return
        finder = KerasAlias()
        for name in [n for n in sys.modules if _is_alias_name(n)]:
            finder.displaced[name] = sys.modules.pop(name)
        sys.meta_path.insert(0, finder)
        _finder = finder
        importlib.invalidate_caches()


def uninstall():
    """Remove the alias: drop its ``keras`` entries, put back a ``keras`` it displaced."""
    global _finder
    with _lock:
        if _finder is None:
            return
        sys.meta_path[:] = [f for f in sys.meta_path if f is not _finder]
        for name in [n for n in sys.modules if _is_alias_name(n)]:
            del sys.modules[name]  # imported through the alias (it answered every keras name)
        sys.modules.update(_finder.displaced)
        _finder = None
        importlib.invalidate_caches()
