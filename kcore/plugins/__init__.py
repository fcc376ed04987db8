"""kcore's plugin system: pluggy markers, the plugin manager and the registries.

A plugin is a module with ``@hookimpl`` functions named after the hooks in
:mod:`kcore.plugins.hookspecs`, exposed through an entry point in the group
``kcore``. kcore's own parts are registered by built-in plugins through the same
hooks.
"""
import pluggy

hookspec = pluggy.HookspecMarker('kcore')
hookimpl = pluggy.HookimplMarker('kcore')

_manager = None


def get_manager():
    """The process's plugin manager, with every plugin loaded."""
    global _manager
    if _manager is None:
        from kcore.plugins.manager import PluginManager
        _manager = PluginManager()
    _manager.load()
    return _manager


def registry(kind):
    """The registry of one kind: 'backends', 'layers', 'losses', ..."""
    registries = get_manager().registries
    if kind not in registries:
        raise ValueError('Unknown registry %r; the registries are: %s.'
                         % (kind, ', '.join(registries)))
    return registries[kind]


def get(kind, name):
    """The object registered as ``name`` in the registry ``kind``."""
    return registry(kind).get(name)


def installed_versions(*distributions):
    """``{distribution: version}`` of those of ``distributions`` that are installed: what a
    plugin's ``report_versions`` hook usually returns."""
    from importlib import metadata
    found = {}
    for name in distributions:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return found


def reset():
    """Forget the loaded plugins (the next use loads them again); for tests."""
    global _manager
    _manager = None
