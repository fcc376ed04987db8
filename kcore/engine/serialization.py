"""Deserialization support: class and object look-up, custom objects, safe mode, and
Python functions stored in configs.

Names are resolved in the active ``custom_objects`` first, then in the plugin
registries, so a layer shipped by an installed plugin loads without custom_objects.
Safe mode (on by default) refuses to rebuild functions from the bytecode a config
stores, because that runs code taken from the file.
"""
import builtins
import codecs
import contextlib
import marshal
import threading
import types

_state = threading.local()


def _stack(name, default):
    if not hasattr(_state, name):
        setattr(_state, name, [default])
    return getattr(_state, name)


# ----------------------------------------------------------------- safe mode
def safe_mode():
    """True (the default) while loading bytecode from configs is refused."""
    return _stack('safe', True)[-1]


@contextlib.contextmanager
def safe_mode_scope(flag=True):
    """Run the block with safe mode on (``True``) or off (``False``); ``None`` keeps
    the current setting."""
    stack = _stack('safe', True)
    stack.append(stack[-1] if flag is None else bool(flag))
    try:
        yield
    finally:
        stack.pop()


# ------------------------------------------------------------ custom objects
def custom_objects():
    """The custom objects of the active scopes (inner scopes win), as a dict."""
    return _stack('custom', {})[-1]


@contextlib.contextmanager
def custom_object_scope(objects=None):
    """Make ``objects`` (name -> class or function) visible to deserialization."""
    stack = _stack('custom', {})
    merged = dict(stack[-1])
    merged.update(objects or {})
    stack.append(merged)
    try:
        yield
    finally:
        stack.pop()


@contextlib.contextmanager
def scope(custom=None, safe=None):
    """Both scopes at once: the custom objects and the safe-mode flag (None: inherit)."""
    with custom_object_scope(custom), safe_mode_scope(safe):
        yield


# ------------------------------------------------------------------ look-up
def get_object(name, kind):
    """The object called ``name``: from the custom objects, else from the registry
    ``kind`` ('layers', 'activations', ...)."""
    found = custom_objects().get(name)
    if found is not None:
        return found
    from kcore import plugins
    from kcore.plugins.registries import RegistryError
    try:
        return plugins.get(kind, name)
    except RegistryError as e:
        raise ValueError(_unknown_message(name, kind, e)) from None


def get_class(class_name, kind='layers'):
    """The class registered (or given in custom_objects) as ``class_name``."""
    return get_object(class_name, kind)


def _unknown_message(name, kind, error):
    """The message for the RegistryError ``error``: an unknown name gets what to do about
    it; an ambiguous or unloadable one keeps the registry's own message."""
    from kcore.plugins.registries import UnknownNameError, singular
    if not isinstance(error, UnknownNameError):
        return str(error)
    what = singular(kind)
    return ('%s No installed kcore plugin registers the %s %r. Install the pip package of the '
            'plugin that provides it, or pass custom_objects={%r: <the %s>} to the loading '
            'function (model_from_json, model_from_yaml, model_from_config, load_model, '
            'layer_from_config).' % (error, what, name, name, what))


# ------------------------------------------------------------- layer configs
def deserialize_layer(config):
    """Build a layer (or model) from ``{'class_name': ..., 'config': ...}`` within the
    current scopes."""
    if not isinstance(config, dict) or 'class_name' not in config or 'config' not in config:
        raise ValueError("A layer config is a dict {'class_name': ..., 'config': ...}; got %s."
                         % (short_repr(config),))
    cls = get_class(config['class_name'], 'layers')
    from_config = getattr(cls, 'from_config', None)
    if from_config is None:
        raise ValueError('%r (found for class name %r) has no from_config classmethod; a layer '
                         'class is expected.' % (cls, config['class_name']))
    return from_config(config['config'])


def short_repr(value, limit=120):
    """``repr(value)``, cut to ``limit`` characters, for error messages."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + '...'


# ---------------------------------------------------------------- functions
def serialize_function(fn):
    """``(value, type)`` for a config: a module-level function is stored by name
    ('function'), a lambda or nested function as bytecode ('lambda'), anything that
    is not callable as is ('raw')."""
    if isinstance(fn, types.FunctionType):
        if fn.__name__ == '<lambda>' or '<locals>' in fn.__qualname__:
            return dump_function(fn), 'lambda'
        return fn.__name__, 'function'
    if callable(fn) and hasattr(fn, '__name__'):
        return fn.__name__, 'function'
    return fn, 'raw'


def deserialize_function(value, kind, owner):
    """The inverse of :func:`serialize_function`; ``owner`` names what needs the
    function, for errors ("the mode of Merge 'merge_1'")."""
    if kind in (None, 'raw'):
        return value
    if kind == 'function':
        found = custom_objects().get(value)
        if found is None:
            raise ValueError('%s is the function %r, which is not known here: pass '
                             'custom_objects={%r: %s} to the loading function.'
                             % (owner, value, value, value))
        return found
    if kind == 'lambda':
        return load_function(value, owner)
    raise ValueError('%s has an unknown function type %r; expected "function", "lambda" or '
                     '"raw".' % (owner, kind))


class UnsafeBytecodeError(ValueError):
    """Safe mode refused to rebuild a function from stored bytecode; ``owner`` says
    which function ("the function of Lambda 'lambda_1'")."""

    def __init__(self, owner):
        self.owner = owner
        super().__init__(
            '%s is stored as Python bytecode. Loading it runs arbitrary code from the config, '
            'so safe mode refuses it. If you trust the source, load with safe_mode=False (or '
            'inside kcore.engine.serialization.safe_mode_scope(False)).' % (owner,))


def dump_function(fn):
    """``(code, defaults, closure)`` for a Python function: its bytecode as base64 text,
    its default values and the values its closure holds (None when it has none)."""
    code = codecs.encode(marshal.dumps(fn.__code__), 'base64').decode('ascii')
    closure = None
    if fn.__closure__:
        closure = tuple(cell.cell_contents for cell in fn.__closure__)
    return code, fn.__defaults__, closure


def closure_cells(values):
    """A closure (a tuple of cells) holding ``values``, as a function object needs."""
    return tuple(types.CellType(v) for v in values)


def load_function(value, owner='A stored function', globs=None):
    """The function :func:`dump_function` described: ``value`` is its triple, or the code
    alone. Keras 1.x code text (raw_unicode_escape) loads too. Safe mode (see
    :func:`safe_mode`) refuses with :class:`UnsafeBytecodeError`, since this runs code.
    ``globs`` is the function's global namespace (default: ``K``, ``np`` and the custom
    objects in scope)."""
    if safe_mode():
        raise UnsafeBytecodeError(owner)
    code, defaults, closure = (list(value) + [None, None])[:3] \
        if isinstance(value, (list, tuple)) else (value, None, None)
    try:
        raw = codecs.decode(code.encode('ascii'), 'base64')
    except (UnicodeEncodeError, ValueError):   # Keras 1.x wrote raw_unicode_escape text
        raw = code.encode('raw_unicode_escape')
    code = marshal.loads(raw)
    cells = None if closure is None else closure_cells(closure)
    return types.FunctionType(code, _function_globals() if globs is None else globs,
                              code.co_name, tuple(defaults) if defaults is not None else None,
                              cells)


def _function_globals():
    import numpy
    from kcore import backend
    namespace = {'__builtins__': builtins, 'K': backend, 'np': numpy}
    namespace.update(custom_objects())
    return namespace
