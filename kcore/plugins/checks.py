"""What each registry accepts: ``CHECKS[kind](obj)`` says why ``obj`` cannot be registered
as a ``kind``, or returns None. A wrong object is refused when it is registered (or, for a
lazy ``'module:attribute'`` path, when it is first loaded), not later at its first use."""
import types


def _what(obj):
    if isinstance(obj, type):
        return 'the class %s.%s' % (obj.__module__, obj.__qualname__)
    return '%r (a %s)' % (obj, type(obj).__name__)


def callable_object(obj):
    if not callable(obj):
        return 'is %s; a callable (function or class) is expected' % _what(obj)


def module_or_callable(obj):
    if not isinstance(obj, types.ModuleType) and not callable(obj):
        return 'is %s; a module or a callable is expected' % _what(obj)


def _subclass_of(base, what):
    def check(obj):
        if not (isinstance(obj, type) and issubclass(obj, base())):
            return 'is %s; a subclass of %s is expected' % (_what(obj), what)
    return check


def _layer():
    from kcore.engine.topology import Layer
    return Layer


def _backend():
    from kcore.backend.protocol import Backend
    return Backend


CHECKS = {
    'backends': _subclass_of(_backend, 'kcore.backend.protocol.Backend'),
    'layers': _subclass_of(_layer, 'kcore.engine.topology.Layer'),
    'applications': module_or_callable,
    'datasets': module_or_callable,
}


def check_for(kind):
    """The check of the registry ``kind`` (callables, unless the kind needs more)."""
    return CHECKS.get(kind, callable_object)
