"""CompiledState: what ``compile`` builds, owned by the model as ``model._compiled``.

It holds the compile arguments, one loss per output (weighted by sample weights, masks and
loss_weights) summed into the total loss, the metrics of each output, the placeholders for
targets and sample weights, and the train and test functions, each built once when first
needed. Model shows its parts under Keras 1's attribute names (``model.optimizer``,
``model.total_loss``, ``model.train_function``, ...).
"""
from kcore import backend as K
from kcore import metrics as metrics_module
from kcore import objectives, optimizers, plugins
from kcore.engine.training import compile_args
from kcore.engine.training.functions import BatchFunction, current


class CompiledState:
    """The training configuration of one model, fixed when ``compile`` ran. Building it
    raises before the model holds it (Model.compile drops the old state first, so a
    failed compile leaves the model uncompiled)."""

    def __init__(self, model, optimizer, loss, metrics=None, loss_weights=None,
                 sample_weight_mode=None, function_kwargs=None):
        if loss is None:
            raise ValueError('Model %s: compile() needs a loss, e.g. loss="mse" or '
                             'loss="categorical_crossentropy".' % model.name)
        self.model = model
        self.function_kwargs = compile_args.function_kwargs(function_kwargs or {})
        self.loss_functions = [objectives.get(f) for f in compile_args.per_output(
            model, loss, 'loss', compile_args.REQUIRED)]
        self.sample_weight_modes = [
            compile_args.checked_mode(model, i, mode) for i, mode in enumerate(
                compile_args.per_output(model, sample_weight_mode, 'sample_weight_mode', None))]
        self.optimizer = optimizers.get(optimizer)
        self.loss, self.metrics = loss, metrics
        self.loss_weights, self.sample_weight_mode = loss_weights, sample_weight_mode
        self.loss_names = [_builtin_loss_name(f) for f in self.loss_functions]
        self.targets = [_target(model, i) for i in range(len(model.outputs))]
        self.sample_weights = [K.placeholder(ndim=2 if mode == 'temporal' else 1,
                                             name=name + '_sample_weights')
                               for name, mode in zip(model.output_names, self.sample_weight_modes)]
        self.metrics_names, self.metrics_tensors = ['loss'], []
        self.total_loss = self._total_loss(
            compile_args.per_output(model, loss_weights, 'loss_weights', 1.))
        self._add_metrics(compile_args.metrics_per_output(model, metrics))
        # Keras 1: the trainable flags are read now; a later change needs a new compile().
        self.trainable_weights = list(model.trainable_weights)
        self.outputs = list(model.outputs)
        self.train_function = self.test_function = None

    # ------------------------------------------------------------ functions
    def check(self, what):
        """Raise unless the model still has the outputs it was compiled with."""
        model = self.model
        if len(self.outputs) != len(model.outputs) or any(
                a is not b for a, b in zip(self.outputs, model.outputs)):
            raise RuntimeError('Model %s changed (layers were added or removed) after it was '
                               'compiled; compile it again before %s.' % (model.name, what))

    @property
    def loss_inputs(self):
        """The placeholders the train and test functions take, in feeding order."""
        return list(self.model.inputs) + self.targets + self.sample_weights

    def make_train_function(self):
        """The function that takes inputs, targets and sample weights, runs one optimizer
        step and returns [total loss] + metrics (computed before the step)."""
        self.check('training')
        if not current(self.train_function):
            model = self.model
            updates = self.optimizer.get_updates(self.trainable_weights, model.constraints,
                                                 self.total_loss)
            self.train_function = BatchFunction(
                'train', self.loss_inputs, [self.total_loss] + self.metrics_tensors,
                model.updates + updates, self.function_kwargs)
        return self.train_function

    def make_test_function(self):
        """The function that returns [total loss] + metrics for inputs, targets and sample
        weights; it updates only the states of stateful layers."""
        self.check('evaluating')
        if not current(self.test_function):
            self.test_function = BatchFunction(
                'test', self.loss_inputs, [self.total_loss] + self.metrics_tensors,
                self.model.state_updates, self.function_kwargs)
        return self.test_function

    # --------------------------------------------------------------- losses
    def _total_loss(self, loss_weights):
        """The weighted sum of the outputs' losses, plus the regularization penalties in the
        training phase only (Dropout-like: evaluate reports the loss without them)."""
        model = self.model
        several = len(model.outputs) > 1
        total = None
        for i, name in enumerate(model.output_names):
            loss = weighted_loss(self.loss_functions[i], self.targets[i], model.outputs[i],
                                 self.sample_weights[i], model.output_masks[i])
            if several:
                self._append_metric(name + '_loss', loss)
            term = loss * loss_weights[i]
            total = term if total is None else total + term
        penalties = model.losses
        if penalties:
            total = K.in_train_phase(total + sum(penalties[1:], penalties[0]), total)
        return total

    # -------------------------------------------------------------- metrics
    def _add_metrics(self, nested):
        model = self.model
        several = len(model.outputs) > 1
        for i, output_metrics in enumerate(nested):
            prefix = model.output_names[i] + '_' if several else ''
            for metric in output_metrics:
                for name, tensor in self._metric_tensors(i, metric):
                    self._append_metric(prefix + name, tensor)

    def _metric_tensors(self, index, metric):
        """(name, tensor) pairs of one metric on one output; 'accuracy'/'acc' is the
        accuracy that suits the loss and the output shape, named 'acc'."""
        y_true, y_pred = self.targets[index], self.model.outputs[index]
        if metric in ('accuracy', 'acc'):
            function = metrics_module.resolve_accuracy(
                self.loss_functions[index], self.model.internal_output_shapes[index])
            return [('acc', function(y_true, y_pred))]
        function = metrics_module.get(metric)
        result = function(y_true, y_pred)
        if isinstance(result, dict):
            return list(result.items())
        name = getattr(function, '__name__', None) or type(function).__name__
        return [(name, result)]

    def _append_metric(self, name, tensor):
        """Record a metric; a name already taken gets a suffix (_2, _3, ...)."""
        unique, n = name, 1
        while unique in self.metrics_names:
            n += 1
            unique = '%s_%d' % (name, n)
        self.metrics_names.append(unique)
        self.metrics_tensors.append(tensor)


def weighted_loss(function, y_true, y_pred, weights, mask=None):
    """The batch loss: the mean of ``function``'s per-sample (or per-step) values times
    their weights, divided by the fraction of non-zero weights (Keras 1.1.2); masked steps
    count zero and the rest are scaled up to keep the mean. A batch whose weights (or mask)
    are all zero has loss 0, not NaN."""
    scores = function(y_true, y_pred)
    if mask is not None:
        mask = K.cast(mask, K.floatx())
        scores = scores * mask / K.maximum(K.mean(mask), K.epsilon())
    score_ndim, weight_ndim = K.ndim(scores), K.ndim(weights)
    if score_ndim > weight_ndim:
        scores = K.mean(scores, axis=list(range(weight_ndim, score_ndim)))
    nonzero = K.mean(K.cast(K.not_equal(weights, 0), K.floatx()))
    return K.mean(scores * weights) / K.maximum(nonzero, K.epsilon())


def _target(model, index):
    output, name = model.outputs[index], model.output_names[index]
    return K.placeholder(ndim=len(model.internal_output_shapes[index]), name=name + '_target',
                         sparse=K.is_sparse(output), dtype=K.dtype(output))


def _builtin_loss_name(function):
    """The registered name of a loss function, or None for a custom one."""
    for entry in plugins.registry('losses').entries():
        if not entry.lazy and entry.load() is function:
            return entry.name
    return None
