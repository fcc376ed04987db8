"""BatchFunction: one compiled step of a model (train, test or predict), built once and
run for every batch."""
import numpy as np

from kcore import backend as K
from kcore import distribute

_PHASES = {'train': 1, 'test': 0, 'predict': 0}


class BatchFunction:
    """One compiled step: call it with the list of arrays its placeholders take. The
    learning phase, when it is a tensor (not fixed by set_learning_phase), is fed too:
    1 for training, 0 otherwise."""

    def __init__(self, mode, inputs, outputs, updates, kwargs):
        self.mode = mode
        if mode != 'predict':
            # Across workers: the loss and metrics of all their batches (kcore.distribute).
            outputs = distribute.reduce_outputs(outputs)
        self.feeds_phase = phase_is_fed()
        if self.feeds_phase:
            inputs = inputs + [K.learning_phase()]
        self.function = K.function(inputs, outputs, updates=updates, **kwargs)
        self._phase = [_PHASES[mode]] if self.feeds_phase else []

    def __call__(self, arrays):
        return self.function(arrays + self._phase)

    def call_async(self, arrays):
        """The call, its outputs possibly still being computed (``K.call_async``)."""
        return K.call_async(self.function, arrays + self._phase)


def phase_is_fed():
    """True when the learning phase is a tensor to feed (not an int fixed by
    set_learning_phase)."""
    return not isinstance(K.learning_phase(), (int, np.integer))


def current(function):
    """Whether ``function`` (a BatchFunction or None) was built and still fits the learning
    phase: fed as a tensor, or fixed by set_learning_phase since it was built."""
    return function is not None and function.feeds_phase == phase_is_fed()
