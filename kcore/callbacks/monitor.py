"""Tracking the best value of a monitored quantity, shared by ModelCheckpoint, EarlyStopping
and ReduceLROnPlateau."""
import math
import warnings

MODES = ('auto', 'min', 'max')

# In 'auto' mode, a name containing one of these is a score (higher is better); any
# other name is a loss (lower is better).
_SCORE_MARKERS = ('acc', 'fmeasure', 'fbeta', 'precision', 'recall', 'matthews')


def higher_is_better(monitor, mode):
    """Whether larger values of ``monitor`` are improvements under ``mode``."""
    if mode not in MODES:
        raise ValueError("mode must be one of 'auto', 'min', 'max'; got %r. Use 'min' for a "
                         "loss, 'max' for an accuracy, or 'auto' to infer it from the name "
                         "%r." % (mode, monitor))
    if mode == 'auto':
        return any(marker in monitor for marker in _SCORE_MARKERS)
    return mode == 'max'


class Best:
    """The best value of ``monitor`` so far; a new value improves it by more than
    ``min_delta`` in the direction ``mode`` chooses."""

    def __init__(self, monitor, mode='auto', min_delta=0.0):
        self.monitor = monitor
        self.higher = higher_is_better(monitor, mode)
        self.min_delta = abs(min_delta)
        self.reset()

    def reset(self):
        self.value = -math.inf if self.higher else math.inf

    def improved_by(self, value):
        """Whether ``value`` beats the best by more than ``min_delta``."""
        if self.higher:
            return value - self.min_delta > self.value
        return value + self.min_delta < self.value

    def current(self, logs, owner):
        """The monitored value in ``logs``, or None with a warning naming ``owner``."""
        value = (logs or {}).get(self.monitor)
        if value is None:
            available = ', '.join(sorted(logs or {})) or 'none'
            warnings.warn('%s monitors %r, which is not in the epoch logs (available: %s); '
                          'it does nothing this epoch.' % (owner, self.monitor, available),
                          RuntimeWarning, stacklevel=3)
        return value
