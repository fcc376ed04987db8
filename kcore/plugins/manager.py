"""The plugin manager: loads kcore's built-in plugins and the ``kcore`` entry points once,
each in isolation, and fills one registry per kind from their ``register_*`` hooks.

Environment variables:

- ``KCORE_DISABLE_PLUGIN_AUTOLOAD=1``: load no third-party entry point (only the
  built-in plugins and those named in ``KCORE_PLUGINS``).
- ``KCORE_PLUGINS=a,b``: load only these entry points (by entry-point or distribution name).
- ``KCORE_DISABLE_PLUGINS=a,b``: never load these.
"""
import os
import threading
import warnings

import pluggy

from kcore.plugins import hookspecs
from kcore.plugins.registries import Registry

ENTRY_POINT_GROUP = 'kcore'
BUILTIN_PLUGINS = (
    'kcore.activations', 'kcore.initializations', 'kcore.regularizers', 'kcore.constraints',
    'kcore.layers.core', 'kcore.optimizers', 'kcore.objectives', 'kcore.metrics',
    'kcore.callbacks', 'kcore.engine.registration',
    'kcore.layers.builtin_families',
    'kcore.layers.convolutional',
    'kcore.layers.recurrent', 'kcore.layers.wrappers',
)


class PluginWarning(UserWarning):
    """A plugin failed to load or to register; kcore goes on without it."""


class PluginInfo:
    """What ``kcore plugins`` reports of one plugin."""

    def __init__(self, name, distribution=None, version=None, builtin=False):
        self.name = name
        self.distribution = distribution
        self.version = version
        self.builtin = builtin
        self.error = None
        self.registered = {}   # kind -> [names]

    @property
    def label(self):
        """The plugin's name with its distribution, for messages."""
        if self.distribution:
            return '%s [%s %s]' % (self.name, self.distribution, self.version or '')
        return self.name

    @property
    def ok(self):
        return self.error is None


class PluginManager:
    """One pluggy manager plus the registries it fills; nothing else touches pluggy."""

    def __init__(self):
        self._pm = pluggy.PluginManager('kcore')
        self._pm.add_hookspecs(hookspecs)
        self.registries = {kind: Registry(kind) for kind in hookspecs.KINDS}
        self.plugins = {}
        self.loaded = False
        self._lock = threading.RLock()

    def load(self):
        """Load every plugin once (later calls return at once)."""
        if self.loaded:
            return
        with self._lock:
            if self.loaded:
                return
            for module_name in BUILTIN_PLUGINS:
                self._add(PluginInfo(module_name, 'kcore', _version('kcore'), builtin=True),
                          lambda m=module_name: __import__(m, fromlist=['_']))
            for ep in _entry_points():
                if _wanted(ep):
                    dist = getattr(ep, 'dist', None)
                    dist_name = dist.metadata['Name'] if dist is not None else None
                    version = dist.version if dist is not None else None
                    self._add(PluginInfo(ep.name, dist_name, version), ep.load)
            for kind in hookspecs.KINDS:
                self._call_hook(kind)
            self.loaded = True

    def _add(self, info, load):
        self.plugins[info.name] = info
        try:
            module = load()
            self._pm.register(module, name=info.name)
        except Exception as e:
            self._fail(info, 'failed to load', e)

    def _fail(self, info, what, error):
        info.error = '%s: %s: %s' % (what, type(error).__name__, error)
        warnings.warn('kcore plugin %s %s; kcore goes on without it.' % (info.label, info.error),
                      PluginWarning,
                      stacklevel=4)

    def _call_hook(self, kind):
        """Call each plugin's ``register_<kind>`` alone, so one failure spares the others."""
        registry = self.registries[kind]
        caller = getattr(self._pm.hook, 'register_' + kind)
        for impl in caller.get_hookimpls():
            info = self.plugins[impl.plugin_name]

            def register(name, obj, aliases=(), _info=info):
                for problem in registry.register(name, obj, aliases, plugin=_info.name,
                                                 origin=_info.label):
                    warnings.warn(problem, PluginWarning, stacklevel=2)
                _info.registered.setdefault(kind, []).append(name)

            try:
                impl.function(register=register)
            except Exception as e:
                self._fail(info, 'failed in register_%s' % kind, e)


def _entry_points():
    try:
        from importlib.metadata import entry_points
    except ImportError:   # Python < 3.8
        from importlib_metadata import entry_points
    found = entry_points(group=ENTRY_POINT_GROUP)
    # One distribution may be installed twice (e.g. editable and not): keep the first.
    unique = {}
    for ep in found:
        unique.setdefault(ep.name, ep)
    return list(unique.values())


def _names(variable):
    return {n.strip().lower() for n in os.environ.get(variable, '').split(',') if n.strip()}


def _wanted(ep):
    dist = getattr(ep, 'dist', None)
    names = {ep.name.lower()}
    if dist is not None:
        names.add(dist.metadata['Name'].lower())
    if names & _names('KCORE_DISABLE_PLUGINS'):
        return False
    allowed = _names('KCORE_PLUGINS')
    if allowed:
        return bool(names & allowed)
    return os.environ.get('KCORE_DISABLE_PLUGIN_AUTOLOAD', '') in ('', '0')


def _version(distribution):
    try:
        from importlib.metadata import version
        return version(distribution)
    except Exception:
        return None
