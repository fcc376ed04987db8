"""Model: a Container that trains, evaluates and predicts.

``predict`` works without ``compile``. ``compile`` builds the model's
:class:`~kcore.engine.training.compiled.CompiledState` (losses, metrics, optimizer, the
train and test functions, each built once when first needed). The data checks live in
:mod:`~kcore.engine.training.data`, the batch loops in
:mod:`~kcore.engine.training.array_loops` and the generator loops in
:mod:`~kcore.engine.training.generator_loops`; the loops receive the built functions.
"""
import warnings

from kcore import backend as K
from kcore.engine.tensors import unpack
from kcore.engine.topology import Container
from kcore.engine.training import arguments, data
from kcore.engine.training import generator_loops as generators
from kcore.engine.training.array_loops import fit_loop, predict_loop, test_loop
from kcore.engine.training.compiled import CompiledState
from kcore.engine.training.functions import BatchFunction, current


def _compiled_attribute(name):
    """Keras 1's ``model.<name>``, read from the compiled state; None before compile()."""
    return property(lambda self: None if self._compiled is None else
                    getattr(self._compiled, name),
                    doc='``model._compiled.%s``; None before compile().' % name)


class Model(Container):
    """The functional model: ``Model(input=a, output=b)``, lists allowed for both."""

    _compiled = None            # the CompiledState, set by compile()
    _predict_function = None    # built by the first predict; needs no compile()
    stop_training = False

    # Keras 1's attributes of a compiled model.
    optimizer = _compiled_attribute('optimizer')
    loss = _compiled_attribute('loss')
    metrics = _compiled_attribute('metrics')
    loss_weights = _compiled_attribute('loss_weights')
    sample_weight_mode = _compiled_attribute('sample_weight_mode')
    loss_functions = _compiled_attribute('loss_functions')
    sample_weight_modes = _compiled_attribute('sample_weight_modes')
    loss_names = _compiled_attribute('loss_names')
    targets = _compiled_attribute('targets')
    sample_weights = _compiled_attribute('sample_weights')
    metrics_names = _compiled_attribute('metrics_names')
    metrics_tensors = _compiled_attribute('metrics_tensors')
    total_loss = _compiled_attribute('total_loss')
    train_function = _compiled_attribute('train_function')
    test_function = _compiled_attribute('test_function')

    @property
    def predict_function(self):
        return self._predict_function

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
        self._compiled = self._predict_function = None   # a failed compile leaves it so
        self._compiled = CompiledState(self, optimizer, loss, metrics, loss_weights,
                                       sample_weight_mode, kwargs)

    # ------------------------------------------------------------- functions
    def _compiled_state(self, what):
        if self._compiled is None:
            raise RuntimeError('Model %s must be compiled before %s: call '
                               'model.compile(optimizer, loss).' % (self.name, what))
        return self._compiled

    def _make_train_function(self):
        """The train function (Keras 1's name), built once."""
        return self._compiled_state('training').make_train_function()

    def _make_test_function(self):
        """The test function (Keras 1's name), built once."""
        return self._compiled_state('evaluating').make_test_function()

    def _make_predict_function(self):
        """The function from the inputs to the outputs, built once; no compile needed."""
        if not current(self._predict_function):
            kwargs = self._compiled.function_kwargs if self._compiled is not None else {}
            self._predict_function = BatchFunction('predict', list(self.inputs),
                                                   list(self.outputs), self.state_updates,
                                                   kwargs)
        return self._predict_function

    # ------------------------------------------------------------------ fit
    def fit(self, x, y, batch_size=32, nb_epoch=10, verbose=1, callbacks=None,
            validation_split=0., validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, check_finite=True):
        """Train for ``nb_epoch`` epochs (from ``initial_epoch``) and return the History.

        ``x``/``y``: an array, a list of arrays or a dict keyed by input/output name.
        ``validation_split``: the last fraction of the samples, taken before shuffling, is
        evaluated at the end of each epoch and not trained on; ``validation_data`` = (x, y)
        or (x, y, sample_weight) overrides it. ``shuffle``: True reshuffles the samples every
        epoch, 'batch' only the order of batches (for HDF5 data). ``class_weight`` (training
        only) and ``sample_weight`` scale each sample's loss. ``check_finite``: refuse data
        holding NaN or infinite values (False trains on them as they are).
        """
        batch_size = arguments.integer('fit', 'batch_size', batch_size, 1)
        nb_epoch, initial_epoch = arguments.epochs('fit', nb_epoch, initial_epoch)
        verbose = arguments.verbose('fit', verbose)
        validation_split = arguments.fraction('fit', 'validation_split', validation_split)
        shuffle = arguments.shuffle('fit', shuffle)
        callbacks = arguments.callbacks('fit', callbacks)
        train_function = self._make_train_function()
        arrays, count, validation = self._fit_arrays(x, y, sample_weight, class_weight,
                                                     validation_split, validation_data)
        self._check_finite('fit', arrays, check_finite)
        if validation is not None:
            self._check_finite('fit', validation[0], check_finite, 'validation ')
        data.require_samples(self, count, 'fit')
        data.check_batch_size(self, batch_size, count, 'fit')
        if self.stateful and shuffle:
            warnings.warn('Model %s is stateful, but fit(shuffle=%r) reorders the samples, so '
                          'sample i of a batch does not continue sample i of the batch before. '
                          'Pass shuffle=False to carry the states over.' % (self.name, shuffle),
                          stacklevel=2)
        test_function = None
        if validation is not None:
            test_function = self._make_test_function()
            data.check_batch_size(self, batch_size, validation[1], 'fit (validation data)')
            if verbose:
                print('Train on %d samples, validate on %d samples' % (count, validation[1]))
        return fit_loop(self, train_function, test_function, arrays, count, batch_size,
                        nb_epoch, verbose, callbacks, shuffle, validation, initial_epoch)

    def _fit_arrays(self, x, y, sample_weight, class_weight, validation_split,
                    validation_data):
        """(training arrays, their sample count, (validation arrays, count) or None), in
        the placeholders' dtypes. Class weights apply to the training part only."""
        inputs, targets, count = data.inputs_and_targets(self, x, y)
        validation = None
        if validation_data is not None:
            validation = data.validation_arrays(self, validation_data)
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
        return [K.dtype(p) for p in self._compiled.loss_inputs]

    def _check_finite(self, where, arrays, check, prefix=''):
        """Refuse non-finite values in the loss arrays (inputs, targets, sample weights)."""
        names = (['%sinput %r' % (prefix, n) for n in self.input_names] +
                 ['%starget %r' % (prefix, n) for n in self.output_names] +
                 ['%ssample_weight %r' % (prefix, n) for n in self.output_names])
        arguments.finite('Model %s, %s' % (self.name, where), arrays, names, check)

    def evaluate(self, x, y, batch_size=32, verbose=1, sample_weight=None, check_finite=True):
        """The loss (a scalar), or [loss, metrics...] as named by ``metrics_names``, over
        all samples, computed ``batch_size`` at a time."""
        batch_size = arguments.integer('evaluate', 'batch_size', batch_size, 1)
        verbose = arguments.verbose('evaluate', verbose)
        function = self._make_test_function()
        arrays, count = data.loss_arrays(self, x, y, sample_weight)
        self._check_finite('evaluate', arrays, check_finite)
        data.check_batch_size(self, batch_size, count, 'evaluate')
        data.require_samples(self, count, 'evaluate')
        values = test_loop(function, data.to_dtypes(arrays, self._feed_dtypes()), count,
                           batch_size, verbose)
        return unpack(values)

    def predict(self, x, batch_size=32, verbose=0):
        """The outputs for the input array(s) ``x``, computed ``batch_size`` samples at a
        time: an array, or a list of arrays for a model with several outputs."""
        batch_size = arguments.integer('predict', 'batch_size', batch_size, 1)
        verbose = arguments.verbose('predict', verbose)
        arrays, count = data.input_arrays(self, x)
        data.check_batch_size(self, batch_size, count, 'predict')
        function = self._make_predict_function()
        outputs = predict_loop(function, data.to_dtypes(arrays, self._input_dtypes()), count,
                               batch_size, verbose)
        return unpack(outputs)

    def _input_dtypes(self):
        return [K.dtype(x) for x in self.inputs]

    # -------------------------------------------------------------- batches
    def train_on_batch(self, x, y, class_weight=None, sample_weight=None, check_finite=True):
        """One gradient update on one batch; returns the loss (and metrics) before it."""
        function = self._make_train_function()
        arrays, _ = data.loss_arrays(self, x, y, sample_weight, class_weight, batch_dim=True)
        self._check_finite('train_on_batch', arrays, check_finite)
        return unpack(function(arrays))

    def test_on_batch(self, x, y, sample_weight=None, check_finite=True):
        """The loss (and metrics) on one batch."""
        function = self._make_test_function()
        arrays, _ = data.loss_arrays(self, x, y, sample_weight, batch_dim=True)
        self._check_finite('test_on_batch', arrays, check_finite)
        return unpack(function(arrays))

    def predict_on_batch(self, x):
        """The outputs for one batch of inputs."""
        arrays, _ = data.input_arrays(self, x, batch_dim=True)
        return unpack(self._make_predict_function()(arrays))

    # ----------------------------------------------------------- generators
    def fit_generator(self, generator, samples_per_epoch, nb_epoch, verbose=1, callbacks=None,
                      validation_data=None, nb_val_samples=None, class_weight=None,
                      max_q_size=10, nb_worker=1, pickle_safe=False, initial_epoch=0,
                      check_finite=True):
        """Train on batches that ``generator`` yields forever: (inputs, targets) or
        (inputs, targets, sample_weights). An epoch ends after ``samples_per_epoch``
        samples. The generator runs ahead in ``nb_worker`` threads, or processes with
        ``pickle_safe=True``, filling a queue of ``max_q_size`` batches.
        ``validation_data``: a generator (then ``nb_val_samples`` is needed) or arrays
        (x, y[, sample_weight]). Returns the History. ``check_finite``: refuse batches
        holding NaN or infinite values."""
        where = 'fit_generator'
        samples_per_epoch = arguments.integer(where, 'samples_per_epoch', samples_per_epoch, 1)
        nb_epoch, initial_epoch = arguments.epochs(where, nb_epoch, initial_epoch)
        verbose = arguments.verbose(where, verbose)
        callbacks = arguments.callbacks(where, callbacks)
        max_q_size, nb_worker = arguments.workers(where, max_q_size, nb_worker)
        if hasattr(validation_data, '__next__') and nb_val_samples is None:
            raise ValueError('fit_generator(nb_val_samples=None): nb_val_samples must be an '
                             'integer >= 1 when validation_data is a generator; got None.')
        if nb_val_samples is not None:
            nb_val_samples = arguments.integer(where, 'nb_val_samples', nb_val_samples, 1)
        train_function = self._make_train_function()
        test_function = None if validation_data is None else self._make_test_function()
        return generators.fit_generator(
            self, train_function, test_function, generator, samples_per_epoch, nb_epoch,
            verbose, callbacks, validation_data, nb_val_samples, class_weight, max_q_size,
            nb_worker, pickle_safe, initial_epoch, check_finite)

    def evaluate_generator(self, generator, val_samples, max_q_size=10, nb_worker=1,
                           pickle_safe=False, check_finite=True):
        """The loss (and metrics) over ``val_samples`` samples from ``generator``."""
        val_samples = arguments.integer('evaluate_generator', 'val_samples', val_samples, 1)
        max_q_size, nb_worker = arguments.workers('evaluate_generator', max_q_size, nb_worker)
        return generators.evaluate_generator(self, self._make_test_function(), generator,
                                             val_samples, max_q_size, nb_worker, pickle_safe,
                                             check_finite)

    def predict_generator(self, generator, val_samples, max_q_size=10, nb_worker=1,
                          pickle_safe=False):
        """The outputs for ``val_samples`` samples of inputs from ``generator``."""
        val_samples = arguments.integer('predict_generator', 'val_samples', val_samples, 1)
        max_q_size, nb_worker = arguments.workers('predict_generator', max_q_size, nb_worker)
        return generators.predict_generator(self, self._make_predict_function(), generator,
                                            val_samples, max_q_size, nb_worker, pickle_safe)
