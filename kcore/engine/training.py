"""Model: a Container that trains, evaluates and predicts.

``predict`` works without ``compile``. ``compile`` configures the losses, metrics and
optimizer; the train, test and predict functions are each built once, when first needed,
and run for every batch (:mod:`training_functions`). The data checks live in
:mod:`training_data`, the batch loops in :mod:`training_loops` and the generator loops
in :mod:`training_generators`.
"""
import warnings

from kcore import backend as K
from kcore.engine import training_data as data
from kcore.engine import training_functions as functions
from kcore.engine import training_generators as generators
from kcore.engine.container import Container
from kcore.engine.tensors import unpack
from kcore.engine.training_compile import compile_model
from kcore.engine.training_loops import fit_loop, predict_loop, test_loop
# Keras 1.1.2's module-level helpers, for scripts that import them from here.
from kcore.engine.training_helpers import *  # noqa: F401,F403


class Model(Container):
    """The functional model: ``Model(input=a, output=b)``, lists allowed for both."""

    optimizer = total_loss = None
    train_function = test_function = predict_function = None
    stop_training = False

    def compile(self, optimizer, loss, metrics=None, loss_weights=None, sample_weight_mode=None,
                **kwargs):
        """Configure training.

        ``optimizer``: a name ('sgd', 'rmsprop', ...) or an Optimizer. ``loss``: a name or
        function, a list (one per output) or a dict keyed by output name; a single loss
        applies to every output. ``metrics``: a list (for every output) or a dict keyed by
        output name; 'accuracy'/'acc' picks the accuracy that suits the loss; a function may
        return a tensor or a dict {name: tensor}. ``loss_weights``: a list or dict of
        coefficients of the outputs' losses in the total. ``sample_weight_mode``: None (a
        weight per sample) or 'temporal' (per time step), or a list or dict of those.
        Other keywords go to ``K.function``. The layers' ``trainable`` flags are read now.
        """
        compile_model(self, optimizer, loss, metrics, loss_weights, sample_weight_mode, kwargs)

    # ------------------------------------------------------------- functions
    def _check_compiled(self, what):
        if self.total_loss is None:
            raise RuntimeError('Model %s must be compiled before %s: call '
                               'model.compile(optimizer, loss).' % (self.name, what))
        compiled = self._compiled_outputs
        if len(compiled) != len(self.outputs) or any(
                a is not b for a, b in zip(compiled, self.outputs)):
            raise RuntimeError('Model %s changed (layers were added or removed) after it was '
                               'compiled; compile it again before %s.' % (self.name, what))

    def _make_train_function(self):
        self._check_compiled('training')
        return functions.train_function(self)

    def _make_test_function(self):
        self._check_compiled('evaluating')
        return functions.test_function(self)

    def _make_predict_function(self):
        return functions.predict_function(self)

    # ------------------------------------------------------------------ fit
    def fit(self, x, y, batch_size=32, nb_epoch=10, verbose=1, callbacks=None,
            validation_split=0., validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0):
        """Train for ``nb_epoch`` epochs (from ``initial_epoch``) and return the History.

        ``x``/``y``: an array, a list of arrays or a dict keyed by input/output name.
        ``validation_split``: the last fraction of the samples, taken before shuffling, is
        evaluated at the end of each epoch and not trained on; ``validation_data`` = (x, y)
        or (x, y, sample_weight) overrides it. ``shuffle``: True reshuffles the samples every
        epoch, 'batch' only the order of batches (for HDF5 data). ``class_weight`` (training
        only) and ``sample_weight`` scale each sample's loss.
        """
        self._make_train_function()
        arrays, count, validation = self._fit_arrays(x, y, sample_weight, class_weight,
                                                     validation_split, validation_data)
        data.require_samples(self, count, 'fit')
        data.check_batch_size(self, batch_size, count, 'fit')
        if self.stateful and shuffle:
            warnings.warn('Model %s is stateful, but fit(shuffle=%r) reorders the samples, so '
                          'sample i of a batch does not continue sample i of the batch before. '
                          'Pass shuffle=False to carry the states over.' % (self.name, shuffle),
                          stacklevel=2)
        if validation is not None:
            self._make_test_function()
            data.check_batch_size(self, batch_size, validation[1], 'fit (validation data)')
            if verbose:
                print('Train on %d samples, validate on %d samples' % (count, validation[1]))
        return fit_loop(self, arrays, count, batch_size, nb_epoch, verbose, callbacks, shuffle,
                        validation, initial_epoch)

    def _fit_arrays(self, x, y, sample_weight, class_weight, validation_split,
                    validation_data):
        """(training arrays, their sample count, (validation arrays, count) or None), in
        the placeholders' dtypes. Class weights apply to the training part only."""
        inputs, targets, count = data.inputs_and_targets(self, x, y)
        validation = None
        if validation_data is not None:
            validation = generators.validation_arrays(self, validation_data)
        elif validation_split:
            weights = data.per_output(sample_weight, self.output_names, 'sample_weight')
            heads, tails = data.split_tail(inputs + targets + weights, validation_split, count)
            n, m = len(inputs), len(targets)
            inputs, targets, sample_weight = heads[:n], heads[n:n + m], heads[n + m:]
            validation = data.loss_arrays(self, tails[:n], tails[n:n + m], tails[n + m:])
            count = targets[0].shape[0]
        arrays = inputs + targets + data.sample_weights(self, targets, sample_weight,
                                                        class_weight)
        dtypes = self._feed_dtypes()
        if validation is not None:
            validation = (data.to_dtypes(validation[0], dtypes), validation[1])
        return data.to_dtypes(arrays, dtypes), count, validation

    def _feed_dtypes(self):
        return [K.dtype(p) for p in functions.loss_inputs(self)]

    def evaluate(self, x, y, batch_size=32, verbose=1, sample_weight=None):
        """The loss (a scalar), or [loss, metrics...] as named by ``metrics_names``, over
        all samples, computed ``batch_size`` at a time."""
        function = self._make_test_function()
        arrays, count = data.loss_arrays(self, x, y, sample_weight)
        data.check_batch_size(self, batch_size, count, 'evaluate')
        data.require_samples(self, count, 'evaluate')
        values = test_loop(function, data.to_dtypes(arrays, self._feed_dtypes()), count,
                           batch_size, verbose)
        return unpack(values)

    def predict(self, x, batch_size=32, verbose=0):
        """The outputs for the input array(s) ``x``, computed ``batch_size`` samples at a
        time: an array, or a list of arrays for a model with several outputs."""
        arrays, count = data.input_arrays(self, x)
        data.check_batch_size(self, batch_size, count, 'predict')
        function = self._make_predict_function()
        outputs = predict_loop(function, data.to_dtypes(arrays, self._input_dtypes()), count,
                               batch_size, verbose)
        return unpack(outputs)

    def _input_dtypes(self):
        return [K.dtype(x) for x in self.inputs]

    # -------------------------------------------------------------- batches
    def train_on_batch(self, x, y, class_weight=None, sample_weight=None):
        """One gradient update on one batch; returns the loss (and metrics) before it."""
        function = self._make_train_function()
        arrays, _ = data.loss_arrays(self, x, y, sample_weight, class_weight, batch_dim=True)
        return unpack(function(arrays))

    def test_on_batch(self, x, y, sample_weight=None):
        """The loss (and metrics) on one batch."""
        function = self._make_test_function()
        arrays, _ = data.loss_arrays(self, x, y, sample_weight, batch_dim=True)
        return unpack(function(arrays))

    def predict_on_batch(self, x):
        """The outputs for one batch of inputs."""
        arrays, _ = data.input_arrays(self, x, batch_dim=True)
        return unpack(self._make_predict_function()(arrays))

    # ----------------------------------------------------------- generators
    def fit_generator(self, generator, samples_per_epoch, nb_epoch, verbose=1, callbacks=None,
                      validation_data=None, nb_val_samples=None, class_weight=None,
                      max_q_size=10, nb_worker=1, pickle_safe=False, initial_epoch=0):
        """Train on batches that ``generator`` yields forever: (inputs, targets) or
        (inputs, targets, sample_weights). An epoch ends after ``samples_per_epoch``
        samples. The generator runs ahead in ``nb_worker`` threads, or processes with
        ``pickle_safe=True``, filling a queue of ``max_q_size`` batches.
        ``validation_data``: a generator (then ``nb_val_samples`` is needed) or arrays
        (x, y[, sample_weight]). Returns the History."""
        return generators.fit_generator(
            self, generator, samples_per_epoch, nb_epoch, verbose, callbacks, validation_data,
            nb_val_samples, class_weight, max_q_size, nb_worker, pickle_safe, initial_epoch)

    def evaluate_generator(self, generator, val_samples, max_q_size=10, nb_worker=1,
                           pickle_safe=False):
        """The loss (and metrics) over ``val_samples`` samples from ``generator``."""
        return generators.evaluate_generator(self, generator, val_samples, max_q_size,
                                             nb_worker, pickle_safe)

    def predict_generator(self, generator, val_samples, max_q_size=10, nb_worker=1,
                          pickle_safe=False):
        """The outputs for ``val_samples`` samples of inputs from ``generator``."""
        return generators.predict_generator(self, generator, val_samples, max_q_size,
                                            nb_worker, pickle_safe)
