"""What ``compile`` builds: one loss per output (weighted by sample weights, masks and
loss_weights) summed into the total loss, the metrics of each output, and the placeholders
for targets and sample weights."""
import warnings

from kcore import backend as K
from kcore import metrics as metrics_module
from kcore import objectives, optimizers, plugins

_REQUIRED = object()


def compile_model(model, optimizer, loss, metrics, loss_weights, sample_weight_mode, kwargs):
    """Configure ``model`` for training (see Model.compile); sets its training attributes."""
    kwargs = _function_kwargs(kwargs)
    if loss is None:
        raise ValueError('Model %s: compile() needs a loss, e.g. loss="mse" or '
                         'loss="categorical_crossentropy".' % model.name)
    model.total_loss = None   # uncompiled until the end (a failed compile leaves it so)
    model.train_function = model.test_function = model.predict_function = None
    names = model.output_names
    loss_functions = [objectives.get(f) for f in _per_output(model, loss, 'loss', _REQUIRED)]
    modes = [_checked_mode(model, i, mode) for i, mode in
             enumerate(_per_output(model, sample_weight_mode, 'sample_weight_mode', None))]
    model.optimizer = optimizers.get(optimizer)
    model.loss, model.metrics = loss, metrics
    model.loss_weights, model.sample_weight_mode = loss_weights, sample_weight_mode
    model.loss_functions, model.sample_weight_modes = loss_functions, modes
    model.loss_names = [_builtin_loss_name(f) for f in loss_functions]
    model.targets = [_target(model, i) for i in range(len(names))]
    model.sample_weights = [K.placeholder(ndim=2 if mode == 'temporal' else 1,
                                          name=name + '_sample_weights')
                            for name, mode in zip(names, modes)]
    weights = _per_output(model, loss_weights, 'loss_weights', 1.)
    model.metrics_names, model.metrics_tensors = ['loss'], []
    total_loss = _total_loss(model, weights)
    _add_metrics(model, _metrics_per_output(model, metrics))
    # Keras 1: the trainable flags are read now; a later change needs a new compile().
    model._collected_trainable_weights = list(model.trainable_weights)
    model._function_kwargs = kwargs
    model._compiled_outputs = list(model.outputs)
    model.total_loss = total_loss


def _function_kwargs(kwargs):
    """The compile() keywords passed on to K.function (Theano's mode, profile, ...). Those
    the backend refuses are ignored with a warning, as Keras 1.1.2's TensorFlow backend
    ignored them all; each is tried now rather than at the first batch."""
    kwargs = dict(kwargs)
    if kwargs.pop('class_mode', None) is not None:
        warnings.warn('compile(class_mode=...) is a Keras 0 argument and is ignored; the '
                      'accuracy metric follows the loss and the output shape.', stacklevel=4)
    refused = {}
    for key in sorted(kwargs):
        # K.function warns about a keyword its backend ignores (Keras 1.1.2's rule) or
        # raises for a bad value: either way the key is dropped here, with one warning.
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter('always')
            try:
                K.function([], [], **{key: kwargs[key]})
            except (TypeError, ValueError) as e:
                refused[key] = e
        if key not in refused and caught:
            refused[key] = caught[0].message
    if refused:
        warnings.warn('compile() passes its extra keyword arguments to K.function; the %s '
                      'backend does not take %s, so they are ignored (%s).'
                      % (K.backend(), ', '.join(refused), '; '.join(map(str, refused.values()))),
                      stacklevel=4)
    return {k: v for k, v in kwargs.items() if k not in refused}


def _per_output(model, value, what, default):
    """A compile argument as a list with one entry per output: a single value applies to
    every output, a list gives one per output, a dict is keyed by output name."""
    names = model.output_names
    if isinstance(value, dict):
        unknown = [k for k in value if k not in names]
        missing = [n for n in names if n not in value] if default is _REQUIRED else []
        if unknown or missing:
            problems = (['no entry for %s' % missing] if missing else []) + (
                ['keys %s that name no output' % unknown] if unknown else [])
            raise ValueError('Model %s: compile(%s=...) has %s; the dict is keyed by output '
                             'name and the outputs are %s.'
                             % (model.name, what, ' and '.join(problems), names))
        return [value.get(n, default) for n in names]
    if isinstance(value, list):
        if len(value) != len(names):
            raise ValueError('Model %s has %d output(s) (%s), but compile(%s=...) is a list of '
                             '%d; give one per output, or a dict keyed by output name.'
                             % (model.name, len(names), ', '.join(names), what, len(value)))
        return list(value)
    return [default if value is None else value] * len(names)


def _metrics_per_output(model, metrics):
    """The metric list of each output: a list applies to every output, a dict is keyed
    by output name (a metric or a list of them per output)."""
    if not metrics:
        return [[] for _ in model.output_names]
    if isinstance(metrics, dict):
        return [m if isinstance(m, list) else [m]
                for m in _per_output(model, metrics, 'metrics', [])]
    metrics = list(metrics) if isinstance(metrics, (list, tuple)) else [metrics]
    return [metrics for _ in model.output_names]


def _checked_mode(model, index, mode):
    if mode not in (None, 'temporal'):
        raise ValueError('Model %s: sample_weight_mode must be None or "temporal"; got %r for '
                         'output %r.' % (model.name, mode, model.output_names[index]))
    shape = model.internal_output_shapes[index]
    if mode == 'temporal' and len(shape) < 3:
        raise ValueError('Model %s, output %r: sample_weight_mode="temporal" weighs each time '
                         'step, so the output needs a time axis (at least 3D: samples, '
                         'timesteps, ...); its shape is %s.'
                         % (model.name, model.output_names[index], shape))
    return mode


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


# ----------------------------------------------------------------- losses
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


def _total_loss(model, loss_weights):
    """The weighted sum of the outputs' losses, plus the regularization penalties in the
    training phase only (Dropout-like: evaluate reports the loss without them)."""
    several = len(model.outputs) > 1
    total = None
    for i, name in enumerate(model.output_names):
        loss = weighted_loss(model.loss_functions[i], model.targets[i], model.outputs[i],
                             model.sample_weights[i], model.output_masks[i])
        if several:
            _append_metric(model, name + '_loss', loss)
        term = loss * loss_weights[i]
        total = term if total is None else total + term
    penalties = model.losses
    if penalties:
        total = K.in_train_phase(total + sum(penalties[1:], penalties[0]), total)
    return total


# ---------------------------------------------------------------- metrics
def _add_metrics(model, nested):
    several = len(model.outputs) > 1
    for i, output_metrics in enumerate(nested):
        prefix = model.output_names[i] + '_' if several else ''
        for metric in output_metrics:
            for name, tensor in _metric_tensors(model, i, metric):
                _append_metric(model, prefix + name, tensor)


def _metric_tensors(model, index, metric):
    """(name, tensor) pairs of one metric on one output; 'accuracy'/'acc' is the accuracy
    that suits the loss and the output shape, named 'acc'."""
    y_true, y_pred = model.targets[index], model.outputs[index]
    if metric in ('accuracy', 'acc'):
        function = metrics_module.resolve_accuracy(model.loss_functions[index],
                                                   model.internal_output_shapes[index])
        return [('acc', function(y_true, y_pred))]
    function = metrics_module.get(metric)
    result = function(y_true, y_pred)
    if isinstance(result, dict):
        return list(result.items())
    name = getattr(function, '__name__', None) or type(function).__name__
    return [(name, result)]


def _append_metric(model, name, tensor):
    """Record a metric; a name already taken gets a suffix (_2, _3, ...)."""
    unique, n = name, 1
    while unique in model.metrics_names:
        n += 1
        unique = '%s_%d' % (name, n)
    model.metrics_names.append(unique)
    model.metrics_tensors.append(tensor)
