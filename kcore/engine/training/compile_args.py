"""The arguments of ``compile`` checked and spread over the model's outputs: one loss,
sample-weight mode, loss weight and metric list per output, and the keywords for
``K.function``."""
import warnings

from kcore import backend as K

REQUIRED = object()   # per_output's default for an argument every output needs


def function_kwargs(kwargs):
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


def per_output(model, value, what, default):
    """A compile argument as a list with one entry per output: a single value applies to
    every output, a list gives one per output, a dict is keyed by output name."""
    names = model.output_names
    if isinstance(value, dict):
        unknown = [k for k in value if k not in names]
        missing = [n for n in names if n not in value] if default is REQUIRED else []
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


def metrics_per_output(model, metrics):
    """The metric list of each output: a list applies to every output, a dict is keyed
    by output name (a metric or a list of them per output)."""
    if not metrics:
        return [[] for _ in model.output_names]
    if isinstance(metrics, dict):
        return [m if isinstance(m, list) else [m]
                for m in per_output(model, metrics, 'metrics', [])]
    metrics = list(metrics) if isinstance(metrics, (list, tuple)) else [metrics]
    return [metrics for _ in model.output_names]


def checked_mode(model, index, mode):
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
