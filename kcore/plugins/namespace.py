"""Packages whose members come from a registry: ``kcore.datasets.<name>``,
``kcore.applications.<name>``.

A registered module is importable under the package (``from kcore.datasets import
mnist``, ``import kcore.datasets.mnist``, ``from kcore.datasets.mnist import
load_data``): the name is a second name of the plugin's module, the same object; any
other registered object is an attribute of the package. A name that kcore knows but no
installed plugin provides gets an error naming the distribution to install.
"""
import importlib
import importlib.abc
import importlib.machinery
import sys
import types


class AliasLoader(importlib.abc.Loader):
    """Loads a second name of a module that is already imported: the same object, not run again."""

    def alias_spec(self, fullname, module):
        """The spec that makes ``fullname`` a second name of ``module``."""
        spec = importlib.machinery.ModuleSpec(fullname, self, origin=module.__name__)
        spec.loader_state = (module, module.__spec__)
        return spec

    def create_module(self, spec):
        return spec.loader_state[0]

    def exec_module(self, module):
        """Nothing runs (the module ran when it was first imported); the import system set
        the module's ``__spec__`` to the second name's: give it back its own."""
        module.__spec__ = module.__spec__.loader_state[1]


class RegistryNamespace(importlib.abc.MetaPathFinder, AliasLoader):
    """The members of package ``package``: the registry ``kind``.

    ``providers`` maps names kcore knows to the distribution that provides them, for
    the error when it is not installed.
    """

    def __init__(self, package, kind, providers=None):
        self.package = package
        self.kind = kind
        self.providers = dict(providers or {})

    def install(self):
        """Let ``import <package>.<name>`` find registered modules (after real submodules)."""
        if not any(finder is self for finder in sys.meta_path):
            sys.meta_path.append(self)

    def lookup(self, name):
        """The registered object ``name``; ModuleNotFoundError that says what to install."""
        from kcore import plugins
        from kcore.plugins.registries import RegistryError
        registry = plugins.registry(self.kind)
        try:
            return registry.get(name)
        except RegistryError as e:
            fullname = '%s.%s' % (self.package, name)
            provider = self.providers.get(name.lower())
            if provider and name not in registry:
                message = ('%s comes from the %s plugin, which is not installed: pip install %s'
                           % (fullname, provider, provider))
            else:
                message = '%s: %s' % (fullname, e)
            raise ModuleNotFoundError(message, name=fullname) from None

    def getattr(self, name):
        """The package's ``__getattr__``: a registered module or object. A module looked up
        by an alias that is not its registered name gives the module's attribute of that
        name (``kcore.applications.VGG16``: the constructor in the module ``vgg16``)."""
        if name.startswith('_'):
            raise AttributeError('module %s has no attribute %r' % (self.package, name))
        obj = self.lookup(name)
        if isinstance(obj, types.ModuleType):
            if name != self.registered_name(name) and hasattr(obj, name):
                return getattr(obj, name)
            return importlib.import_module('%s.%s' % (self.package, name))
        return obj

    def registered_name(self, name):
        from kcore import plugins
        return plugins.registry(self.kind).entry(name).name

    def names(self):
        from kcore import plugins
        return plugins.registry(self.kind).names()

    def find_spec(self, fullname, path=None, target=None):
        package, _, name = fullname.rpartition('.')
        if package != self.package:
            return None
        obj = self.lookup(name)
        if not isinstance(obj, types.ModuleType):
            raise ModuleNotFoundError('%s is a %s, not a module: use from %s import %s'
                                      % (fullname, type(obj).__name__, self.package, name),
                                      name=fullname)
        return self.alias_spec(fullname, obj)
