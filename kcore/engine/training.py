"""Model: a Container that predicts (compile and fit come with the training engine).

``predict`` and ``predict_on_batch`` work without ``compile``: the model builds one
backend function for prediction, once, and feeds the learning phase 0 (test).
"""
import numpy as np

from kcore import backend as K
from kcore.engine.container import Container
from kcore.utils.generic_utils import Progbar


class Model(Container):
    """The functional model: ``Model(input=a, output=b)``, lists allowed for both."""

    def __init__(self, input, output, name=None):
        super().__init__(input, output, name=name)
        self.predict_function = None

    def _make_predict_function(self):
        """Build (once) the backend function from the inputs to the outputs."""
        feeds = _feeds_phase()
        if getattr(self, 'predict_function', None) is None or self._predict_feeds != feeds:
            inputs = list(self.inputs) + ([K.learning_phase()] if feeds else [])
            self.predict_function = K.function(inputs, list(self.outputs),
                                               updates=self.state_updates)
            self._predict_feeds = feeds
        return self.predict_function

    def predict(self, x, batch_size=32, verbose=0):
        """The outputs for the input array(s) ``x``, computed ``batch_size`` samples at a
        time: an array, or a list of arrays for a model with several outputs."""
        arrays = standardize_inputs(self, x)
        count = _sample_count(self, arrays)
        if self.stateful and count % batch_size:
            raise ValueError('Model %s is stateful: predict needs a number of samples (got %d) '
                             'that batch_size=%d divides.' % (self.name, count, batch_size))
        function = self._make_predict_function()
        bar = Progbar(target=count) if verbose == 1 else None
        results = []
        for start in range(0, max(count, 1), batch_size):
            batch = [a[start:start + batch_size] for a in arrays]
            results.append(function(batch + ([0] if _feeds_phase() else [])))
            if bar is not None:
                bar.update(min(start + batch_size, count))
        outputs = [np.concatenate([r[i] for r in results]) for i in range(len(self.outputs))]
        return outputs[0] if len(outputs) == 1 else outputs

    def predict_on_batch(self, x):
        """The outputs for one batch of inputs."""
        arrays = standardize_inputs(self, x)
        _sample_count(self, arrays)
        function = self._make_predict_function()
        outputs = function(arrays + ([0] if _feeds_phase() else []))
        return outputs[0] if len(outputs) == 1 else outputs


def _feeds_phase():
    """True when the learning phase is a tensor to feed (not fixed by set_learning_phase)."""
    return not isinstance(K.learning_phase(), (int, np.integer))


def standardize_inputs(model, x):
    """``x`` (an array, a list of arrays, or a dict keyed by input name) as a list of
    arrays in input order, checked against the model's input shapes."""
    names, shapes = model.input_names, model.internal_input_shapes
    if isinstance(x, dict):
        missing = [n for n in names if n not in x]
        if missing:
            raise ValueError('Model %s: no data for input(s) %s; the dict must have a key for '
                             'each input: %s.' % (model.name, missing, names))
        arrays = [x[n] for n in names]
    elif isinstance(x, (list, tuple)):
        arrays = list(x)
    else:
        arrays = [x]
    if len(arrays) != len(names):
        raise ValueError('Model %s expects %d input array(s) (for %s), but got %d.'
                         % (model.name, len(names), ', '.join(names), len(arrays)))
    return [_check_array(model, name, shape, array)
            for name, shape, array in zip(names, shapes, arrays)]


def _check_array(model, name, shape, array):
    array = np.asarray(array)
    if array.ndim == 1 and len(shape) == 2:
        array = array[:, None]
    if array.ndim != len(shape) or any(
            want is not None and want != got for want, got in zip(shape[1:], array.shape[1:])):
        raise ValueError('Model %s, input %r: expected arrays of shape %s, got an array of '
                         'shape %s.' % (model.name, name, shape, array.shape))
    return array


def _sample_count(model, arrays):
    counts = {a.shape[0] for a in arrays}
    if len(counts) > 1:
        raise ValueError('Model %s: the input arrays must have the same number of samples; '
                         'got %s.' % (model.name, [a.shape[0] for a in arrays]))
    return counts.pop()
