"""The plugin manager: loads kcore's built-in plugins and the ``kcore`` entry points once,
each in isolation, and fills one registry per kind from their ``register_*`` hooks.

Environment variables:

- ``KCORE_DISABLE_PLUGIN_AUTOLOAD=1``: load no third-party entry point (only the
  built-in plugins and those named in ``KCORE_PLUGINS``).
- ``KCORE_PLUGINS=a,b``: load only these entry points (by entry-point or distribution name).
- ``KCORE_DISABLE_PLUGINS=a,b``: never load these.
"""
import os
import sys
import threading
import warnings

import pluggy

from kcore.plugins import hookspecs
from kcore.plugins.checks import check_for
from kcore.plugins.registries import Registry

ENTRY_POINT_GROUP = 'kcore'
# kcore's own plugins, as pytest lists its default plugins: each module here carries the
# @hookimpl functions of its family, and this is the only place that names them.
BUILTIN_PLUGINS = (
    'kcore.activations', 'kcore.initializations', 'kcore.regularizers', 'kcore.constraints',
    'kcore.objectives', 'kcore.metrics', 'kcore.optimizers', 'kcore.callbacks',
    'kcore.layers.core', 'kcore.layers.convolutional', 'kcore.layers.pooling',
    'kcore.layers.local', 'kcore.layers.recurrent', 'kcore.layers.embeddings',
    'kcore.layers.advanced_activations', 'kcore.layers.normalization', 'kcore.layers.noise',
    'kcore.layers.wrappers', 'kcore.models',
)


class PluginWarning(UserWarning):
    """A plugin failed to load or to register, or clashes with another; kcore goes on."""


class PluginInfo:
    """What ``kcore plugins`` reports of one plugin."""

    def __init__(self, name, distribution=None, version=None, builtin=False, module=None):
        self.name = name
        self.distribution = distribution
        self.version = version
        self.builtin = builtin
        self.module = module or name   # the plugin's module, to point warnings at it
        self.error = None
        self.registered = {}   # kind -> [names]
        self.conflicts = []    # sentences: a name another plugin registered too

    @property
    def label(self):
        """The plugin's name with its distribution, for messages."""
        if self.distribution:
            return '%s [%s %s]' % (self.name, self.distribution, self.version or '')
        return self.name

    @property
    def ok(self):
        return self.error is None

    @property
    def status(self):
        """'FAILED', 'CONFLICT', 'built-in' or 'ok'."""
        if self.error:
            return 'FAILED'
        if self.conflicts:
            return 'CONFLICT'
        return 'built-in' if self.builtin else 'ok'


class PluginManager:
    """One pluggy manager plus the registries it fills; nothing else touches pluggy."""

    def __init__(self):
        self._pm = pluggy.PluginManager('kcore')
        self._pm.add_hookspecs(hookspecs)
        self.registries = {kind: Registry(kind, check_for(kind)) for kind in hookspecs.KINDS}
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
            modules = []
            for name in BUILTIN_PLUGINS:
                info = PluginInfo(name, 'kcore', _version('kcore'), builtin=True)
                modules.append(self._import(info, lambda n=name: __import__(n, fromlist=['_'])))
            for ep in _entry_points():
                if _wanted(ep):
                    dist = getattr(ep, 'dist', None)
                    info = PluginInfo(ep.name, dist.metadata['Name'] if dist else None,
                                      dist.version if dist else None, module=ep.module)
                    modules.append(self._import(info, ep.load))
            # pluggy calls the plugin registered last first: registering in reverse makes
            # plugins without tryfirst/trylast register in load order, kcore's own first.
            for info, module in reversed([m for m in modules if m]):
                try:
                    self._pm.register(module, name=info.name)
                except Exception as e:
                    self._fail(info, 'failed to load', e)
            for kind in hookspecs.KINDS:
                self._call_hook(kind)
            self._mark_conflicts()
            self.loaded = True

    def _import(self, info, load):
        self.plugins[info.name] = info
        try:
            return info, load()
        except Exception as e:
            self._fail(info, 'failed to load', e)

    def _fail(self, info, what, error):
        info.error = '%s: %s: %s' % (what, type(error).__name__, error)
        _warn('kcore plugin %s %s; kcore goes on without it.' % (info.label, info.error),
              _where(info.module, error))

    def _call_hook(self, kind):
        """Call each plugin's ``register_<kind>`` through pluggy (its order and wrappers
        apply) but alone, so that one failure spares the others; each call is one
        transaction: a hook that raises registers nothing."""
        registry = self.registries[kind]
        hook = 'register_' + kind
        impls = [i for i in reversed(getattr(self._pm.hook, hook).get_hookimpls())
                 if not (i.hookwrapper or i.wrapper)]   # in pluggy's call order
        for impl in impls:
            info = self.plugins[impl.plugin_name]
            others = [i.plugin for i in impls if i is not impl]
            pending = []

            def register(name, obj, aliases=(), _info=info, _pending=pending):
                registry.validate(name, obj, _info.label)
                caller = sys._getframe(1)
                _pending.append((name, obj, tuple(aliases), (
                    caller.f_code.co_filename, caller.f_lineno, caller.f_globals.get('__name__'))))

            try:
                self._pm.subset_hook_caller(hook, remove_plugins=others)(register=register)
            except Exception as e:
                self._fail(info, 'failed in %s' % hook, e)
                continue
            for name, obj, aliases, where in pending:
                for clash in registry.register(name, obj, aliases, plugin=info.name,
                                               origin=info.label):
                    _warn(str(clash), where)
                info.registered.setdefault(kind, []).append(name)

    def _mark_conflicts(self):
        for kind, registry in self.registries.items():
            for key, entries in registry.conflicts().items():
                for entry in entries:
                    others = [e.origin for e in entries if e is not entry]
                    self.plugins[entry.plugin].conflicts.append(
                        '%s %r is also registered by %s' % (registry.singular, key,
                                                             ', '.join(others)))

    def versions(self, plugin_name):
        """``{library: version}`` that the plugin reports through ``report_versions``."""
        plugin = self._pm.get_plugin(plugin_name)
        if plugin is None:
            return {}
        others = [p for p in self._pm.get_plugins() if p is not plugin]
        try:
            reports = self._pm.subset_hook_caller('report_versions', others)()
        except Exception as e:
            return {'(report_versions failed)': '%s: %s' % (type(e).__name__, e)}
        return {k: v for report in reports for k, v in (report or {}).items()}

    def hook_results(self, hook):
        """``(PluginInfo, result, error)`` of each plugin's ``hook`` (a hook without
        arguments), called alone so that one failure spares the others."""
        impls = [i for i in reversed(getattr(self._pm.hook, hook).get_hookimpls())
                 if not (i.hookwrapper or i.wrapper)]
        answers = []
        for impl in impls:
            others = [i.plugin for i in impls if i is not impl]
            try:
                result = self._pm.subset_hook_caller(hook, remove_plugins=others)()
            except Exception as e:
                answers.append((self.plugins[impl.plugin_name], None,
                                '%s: %s' % (type(e).__name__, e)))
                continue
            answers.append((self.plugins[impl.plugin_name], result[0] if result else None, None))
        return answers


def _where(module_name, error):
    """``(file, line, module)`` of the last traceback frame of ``error`` inside the
    plugin ``module_name`` (its package included), else of the frame where ``error``
    arose (a plugin whose parent package fails to import has no frame of its own)."""
    found = last = None
    tb = error.__traceback__
    while tb is not None:
        name = tb.tb_frame.f_globals.get('__name__') or ''
        last = (tb.tb_frame.f_code.co_filename, tb.tb_lineno, name)
        if name == module_name or name.startswith(module_name + '.'):
            found = last
        tb = tb.tb_next
    return found or last


def _warn(message, where):
    """A PluginWarning shown at ``where`` (the plugin's file and line) where known."""
    if where is None:
        warnings.warn(message, PluginWarning, stacklevel=3)
    else:
        filename, lineno, module = where
        warnings.warn_explicit(message, PluginWarning, filename, lineno, module=module)


def _entry_points():
    from importlib.metadata import entry_points
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
