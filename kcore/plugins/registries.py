"""Named registries: case-insensitive names, aliases, lazy objects, checked entries, no
silent collisions, and typed errors whose fields callers read."""
import difflib
import importlib


def singular(kind):
    """'layers' -> 'layer', 'losses' -> 'loss'."""
    return kind[:-2] if kind.endswith('sses') else kind.rstrip('s')


class RegistryError(LookupError):
    """A name is unknown or ambiguous, or a registered object is not what its kind needs."""


class UnknownNameError(RegistryError, KeyError):
    """No plugin registered ``name`` in the registry ``kind``; ``suggestions`` are close
    names, ``known`` every registered name. A KeyError too: a missing key."""

    def __init__(self, kind, name, suggestions, known, message):
        super().__init__(message)
        self.kind, self.name = kind, name
        self.suggestions, self.known = list(suggestions), list(known)

    def __str__(self):   # KeyError would quote the message
        return self.args[0]


class AmbiguousNameError(RegistryError, ValueError):
    """Several plugins registered ``name`` in ``kind``; ``entries`` are their Entries
    (``plugins`` their labels). A ValueError too: the name has no single value."""

    def __init__(self, kind, name, entries, message):
        super().__init__(message)
        self.kind, self.name, self.entries = kind, name, list(entries)

    @property
    def plugins(self):
        return [e.origin for e in self.entries]


class InvalidEntryError(RegistryError, TypeError):
    """A plugin registered, as ``name`` in ``kind``, an object its kind cannot use, or a
    lazy ``'module:attribute'`` path that does not load; ``problem`` says why."""

    def __init__(self, kind, name, plugin, problem):
        super().__init__('%s %r, registered by plugin %s, %s'
                         % (singular(kind), name, plugin, problem))
        self.kind, self.name, self.plugin, self.problem = kind, name, plugin, problem


class Entry:
    """One registered object and where it came from."""

    def __init__(self, name, obj, plugin, aliases, origin=None, kind='objects', check=None):
        self.name = name
        self._obj = obj
        self.plugin = plugin
        self.origin = origin or plugin   # how messages name the plugin, with its distribution
        self.aliases = tuple(aliases)
        self.kind = kind
        self._check = check

    @property
    def lazy(self):
        return isinstance(self._obj, str)

    def load(self):
        """The object; a ``'module:attribute'`` string is imported (and checked) the first time."""
        if isinstance(self._obj, str):
            module, _, attr = self._obj.partition(':')
            try:
                value = importlib.import_module(module)
                for part in filter(None, attr.split('.')):
                    value = getattr(value, part)
            except Exception as e:
                raise InvalidEntryError(self.kind, self.name, self.origin,
                                        'could not be loaded from %r: %s: %s'
                                        % (self._obj, type(e).__name__, e)) from e
            problem = self._check(value) if self._check else None
            if problem:
                raise InvalidEntryError(self.kind, self.name, self.origin,
                                        'loaded from %r, %s' % (self._obj, problem))
            self._obj = value
        return self._obj


class Registry:
    """Objects of one kind (layers, losses, ...) by name.

    Lookup ignores case and also finds aliases and, for classes, the class name.
    ``check(obj)`` returns why ``obj`` cannot be registered here, or None; lazy objects
    are checked when first loaded. A name registered by two plugins for different
    objects is not resolved silently: looking it up raises AmbiguousNameError.
    """

    def __init__(self, kind, check=None):
        self.kind = kind
        self.singular = singular(kind)
        self.check = check
        self._entries = []
        self._keys = {}        # lower-case key -> Entry
        self._conflicts = {}   # lower-case key -> [Entry, Entry, ...]

    def validate(self, name, obj, origin='kcore'):
        """Raise TypeError (InvalidEntryError) if ``name``/``obj`` cannot be registered."""
        if not isinstance(name, str) or not name:
            raise TypeError('register(name, obj): name must be a non-empty string, got %r'
                            % (name,))
        if self.check and not isinstance(obj, str):
            problem = self.check(obj)
            if problem:
                raise InvalidEntryError(self.kind, name, origin, problem)

    def register(self, name, obj, aliases=(), plugin='kcore', origin=None):
        """Add ``obj`` under ``name`` and ``aliases``; return the AmbiguousNameErrors of the
        names it now shares with another plugin's object."""
        self.validate(name, obj, origin or plugin)
        entry = Entry(name, obj, plugin, aliases, origin, self.kind, self.check)
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
                problems.append(self._ambiguous(key))
        return problems

    def _ambiguous(self, key):
        entries = self._conflicts[key]
        plugins = ', '.join('%s (as %r)' % (e.origin, e.name) for e in entries)
        return AmbiguousNameError(
            self.kind, key, entries,
            '%s name %r is registered by more than one plugin: %s. Uninstall one of them or '
            'disable it with KCORE_DISABLE_PLUGINS=<name>.' % (self.singular, key, plugins))

    def entry(self, name):
        """The Entry for ``name``; UnknownNameError or AmbiguousNameError."""
        key = str(name).lower()
        if key in self._conflicts:
            raise self._ambiguous(key)
        try:
            return self._keys[key]
        except KeyError:
            raise self._unknown(name) from None

    def get(self, name):
        """The object registered under ``name``."""
        return self.entry(name).load()

    def _unknown(self, name):
        names = self.names()
        spelled = {}   # lower-case key -> how it was registered (names before aliases)
        for entry in self._entries:
            for key in (entry.name,) + entry.aliases:
                spelled.setdefault(key.lower(), key)
        close = difflib.get_close_matches(str(name).lower(), list(spelled), n=3, cutoff=0.6)
        close = list(dict.fromkeys(spelled[c] for c in close))
        message = 'Unknown %s %r.' % (self.singular, name)
        if close:
            message += ' Did you mean %s?' % ' or '.join(repr(c) for c in close)
        if names:
            message += ' Known %s: %s.' % (self.kind, ', '.join(names))
        else:
            message += ' No %s are registered: is a plugin that provides them installed?' % (
                self.kind,)
        return UnknownNameError(self.kind, name, close, names, message)

    def conflicts(self):
        """``{lower-case name: [Entry, ...]}`` for each name that several plugins registered."""
        return {key: list(entries) for key, entries in self._conflicts.items()}

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
