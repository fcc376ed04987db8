"""Small helpers shared across kcore (``keras.utils.generic_utils``): the progress bar."""
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
