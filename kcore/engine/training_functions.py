"""The three backend functions of a model (train, test, predict): each is built once, the
first time it is needed, and then run for every batch."""
import numpy as np

from kcore import backend as K

_PHASES = {'train': 1, 'test': 0, 'predict': 0}


class BatchFunction:
    """One compiled step: call it with the list of arrays its placeholders take. The
    learning phase, when it is a tensor (not fixed by set_learning_phase), is fed too:
    1 for training, 0 otherwise."""

    def __init__(self, mode, inputs, outputs, updates, kwargs):
        self.mode = mode
        self.feeds_phase = phase_is_fed()
        if self.feeds_phase:
            inputs = inputs + [K.learning_phase()]
        self.function = K.function(inputs, outputs, updates=updates, **kwargs)
        self._phase = [_PHASES[mode]] if self.feeds_phase else []

    def __call__(self, arrays):
        return self.function(arrays + self._phase)


def phase_is_fed():
    """True when the learning phase is a tensor to feed (not an int fixed by
    set_learning_phase)."""
    return not isinstance(K.learning_phase(), (int, np.integer))


def _current(function):
    return function is not None and function.feeds_phase == phase_is_fed()


def train_function(model):
    """The function that takes inputs, targets and sample weights, runs one optimizer step
    and returns [total loss] + metrics (computed before the step)."""
    if not _current(model.train_function):
        updates = model.optimizer.get_updates(model._collected_trainable_weights,
                                              model.constraints, model.total_loss)
        model.train_function = BatchFunction(
            'train', loss_inputs(model), [model.total_loss] + model.metrics_tensors,
            model.updates + updates, model._function_kwargs)
    return model.train_function


def test_function(model):
    """The function that returns [total loss] + metrics for inputs, targets and sample
    weights; it updates only the states of stateful layers."""
    if not _current(model.test_function):
        model.test_function = BatchFunction(
            'test', loss_inputs(model), [model.total_loss] + model.metrics_tensors,
            model.state_updates, model._function_kwargs)
    return model.test_function


def predict_function(model):
    """The function from the inputs to the outputs (no compile needed)."""
    if not _current(getattr(model, 'predict_function', None)):
        model.predict_function = BatchFunction(
            'predict', list(model.inputs), list(model.outputs), model.state_updates,
            getattr(model, '_function_kwargs', None) or {})
    return model.predict_function


def loss_inputs(model):
    """The placeholders the train and test functions take, in feeding order."""
    return list(model.inputs) + list(model.targets) + list(model.sample_weights)
