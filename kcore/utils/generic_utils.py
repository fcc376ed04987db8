"""Small helpers shared across kcore (``keras.utils.generic_utils``): the progress bar,
look-up by name, fixed-width table rows and storing Python functions as bytecode."""
import difflib
import sys
import time


def _clock():
    # One place to read the time, so that tests can make it deterministic.
    return time.time()


def format_value(value):
    """A metric value as the progress bar shows it: 4 decimals, or scientific when tiny."""
    value = float(value)
    if value != 0 and abs(value) < 1e-3:
        return '%.4e' % value
    return '%.4f' % value


class Progbar:
    """A text progress bar over ``target`` units (samples, usually) on standard output.

    ``verbose=1`` redraws one line in place (at most every ``interval`` seconds, and always
    when the target is reached); ``verbose=2`` prints a single line when the target is
    reached; ``verbose=0`` prints nothing. ``target=None`` means the total is unknown.
    Values passed to :meth:`update` are shown as running averages weighted by the units
    each one covers.
    """

    def __init__(self, target, width=30, verbose=1, interval=0.05):
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.sum_values = {}      # name -> [sum of value * units, units]
        self.unique_values = []   # names in the order they first came
        self.seen_so_far = 0
        self.start = _clock()
        self._last_draw = None
        self._line_width = 0
        self._finished = False

    def update(self, current, values=None, force=False):
        """Move the bar to ``current`` units done; ``values`` is a list of (name, value)
        pairs covering the units since the last update. A value given with no new units
        replaces the shown average."""
        new_units = current - self.seen_so_far
        for name, value in values or ():
            self._accumulate(name, float(value), new_units)
        self.seen_so_far = current
        if self._finished or not self.verbose:
            return
        reached = self.target is not None and current >= self.target
        now = _clock()
        if self.verbose == 1:
            throttled = (self._last_draw is not None and now - self._last_draw < self.interval)
            if force or reached or not throttled:
                self._draw(current, now, reached)
        elif reached:
            sys.stdout.write('%ds%s\n' % (now - self.start, self._values_text()))
            sys.stdout.flush()
        self._finished = reached

    def add(self, n, values=None):
        """Advance the bar by ``n`` units."""
        self.update(self.seen_so_far + n, values)

    def average(self, name):
        """The running average shown for ``name``."""
        total, units = self.sum_values[name]
        return total / max(units, 1)

    def _accumulate(self, name, value, units):
        if name not in self.sum_values:
            self.sum_values[name] = [0.0, 0]
            self.unique_values.append(name)
        entry = self.sum_values[name]
        if units > 0:
            entry[0] += value * units
            entry[1] += units
        else:
            entry[1] = max(entry[1], 1)
            entry[0] = value * entry[1]

    def _draw(self, current, now, reached):
        elapsed = now - self.start
        if self.target:
            digits = len(str(self.target))
            done = int(self.width * min(float(current) / self.target, 1.0))
            if reached:
                bar = '=' * self.width
            else:
                bar = '=' * done + '>' + '.' * (self.width - done - 1)
            line = '%*d/%d [%s]' % (digits, current, self.target, bar)
        else:
            line = '%7d/Unknown' % current
        if reached or not self.target:
            line += ' - %ds' % elapsed
        else:
            eta = elapsed / current * (self.target - current) if current else 0
            line += ' - ETA: %ds' % eta
        line += self._values_text()
        # Pad with spaces so a shorter line fully covers the one drawn before.
        padding = ' ' * max(0, self._line_width - len(line))
        self._line_width = len(line)
        sys.stdout.write('\r' + line + padding + ('\n' if reached else ''))
        sys.stdout.flush()
        self._last_draw = now

    def _values_text(self):
        return ''.join(' - %s: %s' % (name, format_value(self.average(name)))
                       for name in self.unique_values)


# ------------------------------------------------------------------ look-up
def get_from_module(identifier, module_params, module_name, instantiate=False, kwargs=None):
    """Resolve ``identifier`` against ``module_params`` (name -> object, such as a
    module's ``globals()``); ``module_name`` ('optimizer', ...) is used in errors.

    A name returns the object, or its instance when ``instantiate`` (called with
    ``kwargs``); a config dict ``{'name': ..., **kwargs}`` is always instantiated;
    anything else (an object already) comes back unchanged.
    """
    if isinstance(identifier, str):
        found = _lookup(identifier, module_params, module_name)
        return found(**(kwargs or {})) if instantiate else found
    if isinstance(identifier, dict):
        config = dict(identifier)   # Keras 1 popped 'name' from the caller's dict
        if 'name' not in config:
            raise ValueError("A %s config dict needs a 'name' key; got %r."
                             % (module_name, identifier))
        return _lookup(config.pop('name'), module_params, module_name)(**config)
    return identifier


def _lookup(name, module_params, module_name):
    found = module_params.get(name)
    if found is None:
        close = difflib.get_close_matches(name, [k for k in module_params if isinstance(k, str)],
                                          n=3, cutoff=0.6)
        hint = ' Did you mean %s?' % ' or '.join(map(repr, close)) if close else ''
        raise ValueError('Invalid %s: %r is not a known name.%s' % (module_name, name, hint))
    return found


def make_tuple(*args):
    """The arguments as a tuple."""
    return args


# ------------------------------------------------------------------- tables
def format_row(fields, positions):
    """One line of a fixed-width table: field i is cut or padded to end at column
    ``positions[i]``."""
    line = ''
    for field, end in zip(fields, positions):
        line = (line + str(field))[:end]
        line += ' ' * (end - len(line))
    return line


def display_table(rows, positions, print_fn=print):
    """Print each row of ``rows`` (a sequence of fields) as :func:`format_row` lays it out."""
    for fields in rows:
        print_fn(format_row(fields, positions))


# ---------------------------------------------------------------- functions
def func_dump(func):
    """``(code, defaults, closure)`` describing ``func``, for a JSON config: its bytecode
    as base64 text (Keras 1 wrote raw_unicode_escape text; func_load reads both)."""
    from kcore.engine import serialization
    return serialization.dump_function(func)


def func_load(code, defaults=None, closure=None, globs=None, safe_mode=None):
    """The function :func:`func_dump` described; ``code`` may be the whole triple.

    This runs bytecode, so it obeys safe mode as loading a ``Lambda`` does: with safe
    mode on (the default) it raises ``UnsafeBytecodeError``. Pass ``safe_mode=False``, or
    call it inside ``kcore.engine.serialization.safe_mode_scope(False)``, for code you
    trust. ``globs`` is the function's global namespace (default: ``K``, ``np`` and the
    custom objects in scope).
    """
    from kcore.engine import serialization
    if isinstance(code, (tuple, list)):
        code, defaults, closure = (list(code) + [None, None])[:3]
    with serialization.safe_mode_scope(safe_mode):
        return serialization.load_function((code, defaults, closure),
                                           'The function given to func_load', globs)


def func_reconstruct_closure(values):
    """A closure (tuple of cells) holding ``values``, for building a function object."""
    from kcore.engine import serialization
    return serialization.closure_cells(values)
