"""Named registries: case-insensitive names, aliases, lazy objects, no silent collisions."""
import difflib
import importlib


class RegistryError(LookupError):
    """A name is unknown, or two plugins registered it."""


class Entry:
    """One registered object and where it came from."""

    def __init__(self, name, obj, plugin, aliases, origin=None):
        self.name = name
        self._obj = obj
        self.plugin = plugin
        self.origin = origin or plugin   # how messages name the plugin, with its distribution
        self.aliases = tuple(aliases)

    @property
    def lazy(self):
        return isinstance(self._obj, str)

    def load(self):
        """The object; a ``'module:attribute'`` string is imported the first time."""
        if isinstance(self._obj, str):
            module, _, attr = self._obj.partition(':')
            try:
                value = importlib.import_module(module)
                for part in filter(None, attr.split('.')):
                    value = getattr(value, part)
            except Exception as e:
                raise RegistryError('%r, registered by plugin %s, could not be loaded from %r: '
                                    '%s: %s' % (self.name, self.origin, self._obj,
                                                type(e).__name__, e)) from e
            self._obj = value
        return self._obj


class Registry:
    """Objects of one kind (layers, losses, ...) by name.

    Lookup ignores case and also finds aliases and, for classes, the class name.
    A name registered by two plugins for different objects is not resolved
    silently: looking it up raises an error that names both plugins.
    """

    def __init__(self, kind):
        self.kind = kind
        self.singular = kind[:-2] if kind.endswith('sses') else kind.rstrip('s')
        self._entries = []
        self._keys = {}        # lower-case key -> Entry
        self._conflicts = {}   # lower-case key -> [Entry, Entry, ...]

    def register(self, name, obj, aliases=(), plugin='kcore', origin=None):
        """Add ``obj`` under ``name`` and ``aliases``; return the list of collision messages."""
        if not isinstance(name, str) or not name:
            raise TypeError('register(name, obj): name must be a non-empty string, got %r'
                            % (name,))
        entry = Entry(name, obj, plugin, aliases, origin)
        self._entries.append(entry)
        keys = [name, *aliases]
        class_name = getattr(obj, '__name__', None) if isinstance(obj, type) else None
        if class_name:
            keys.append(class_name)
        problems = []
        for key in dict.fromkeys(k.lower() for k in keys):
            known = self._keys.get(key)
            if known is None:
                self._keys[key] = entry
            elif known.plugin != plugin or known._obj is not obj:
                self._conflicts.setdefault(key, [known]).append(entry)
                problems.append(self._conflict_message(key))
        return problems

    def _conflict_message(self, key):
        plugins = ', '.join('%s (as %r)' % (e.origin, e.name) for e in self._conflicts[key])
        return ('%s name %r is registered by more than one plugin: %s. Uninstall one of them or '
                'disable it with KCORE_DISABLE_PLUGINS=<name>.'
                % (self.singular, key, plugins))

    def entry(self, name):
        """The Entry for ``name``; RegistryError if it is unknown or ambiguous."""
        key = str(name).lower()
        if key in self._conflicts:
            raise RegistryError(self._conflict_message(key))
        try:
            return self._keys[key]
        except KeyError:
            raise RegistryError(self.unknown_message(name)) from None

    def get(self, name):
        """The object registered under ``name``."""
        return self.entry(name).load()

    def unknown_message(self, name):
        names = self.names()
        spelled = {}   # lower-case key -> how it was registered (names before aliases)
        for entry in self._entries:
            for key in (entry.name,) + entry.aliases:
                spelled.setdefault(key.lower(), key)
        close = difflib.get_close_matches(str(name).lower(), list(spelled), n=3, cutoff=0.6)
        close = [spelled[c] for c in close]
        message = 'Unknown %s %r.' % (self.singular, name)
        if close:
            message += ' Did you mean %s?' % ' or '.join(repr(c) for c in dict.fromkeys(close))
        if names:
            message += ' Known %s: %s.' % (self.kind, ', '.join(names))
        else:
            message += ' No %s are registered: is a plugin that provides them installed?' % (
                self.kind,)
        return message

    def names(self):
        """The registered names (not aliases), in registration order."""
        return [e.name for e in self._entries]

    def entries(self):
        return list(self._entries)

    def __contains__(self, name):
        key = str(name).lower()
        return key in self._keys and key not in self._conflicts

    def __len__(self):
        return len(self._entries)
