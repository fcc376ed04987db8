"""The training part of a saved model: the compile arguments (``training_config``) and
the optimizer's state (``optimizer_weights``), written by ``model.save`` and restored
by ``load_model``."""
import warnings

from kcore import backend as K
from kcore.engine.saving import hdf5_format as h5


def training_config(model):
    """The compile arguments to store, or None for a model that was never compiled."""
    optimizer = getattr(model, 'optimizer', None)
    if optimizer is None:
        return None
    return {'optimizer_config': {'class_name': type(optimizer).__name__,
                                 'config': optimizer.get_config()},
            'loss': getattr(model, 'loss', None),
            'metrics': getattr(model, 'metrics', None),
            'sample_weight_mode': getattr(model, 'sample_weight_mode', None),
            'loss_weights': getattr(model, 'loss_weights', None)}


def write_optimizer_weights(optimizer, f):
    """Write the optimizer's state (if it has any) to the group ``optimizer_weights``."""
    weights = list(getattr(optimizer, 'weights', None) or [])
    if weights:
        h5.write_weight_group(f.create_group('optimizer_weights'), h5.weight_names(weights),
                              K.batch_get_value(weights))


def restore(model, training, f, custom_objects, filepath):
    """Compile ``model`` as the file says and restore the optimizer's state.

    Where kcore cannot compile (no ``kcore.optimizers``, or a model class without
    ``compile``), warn and leave the model uncompiled: it still predicts.
    """
    reason = _cannot_compile(model)
    if reason:
        warnings.warn('%r has a training configuration, but the model was not compiled: %s. '
                      'Compile it yourself before training.' % (filepath, reason), stacklevel=3)
        return
    optimizer = _optimizer(training['optimizer_config'], custom_objects, filepath)
    model.compile(optimizer=optimizer,
                  loss=_resolve(training.get('loss'), custom_objects),
                  metrics=_resolve(training.get('metrics'), custom_objects),
                  loss_weights=training.get('loss_weights'),
                  sample_weight_mode=training.get('sample_weight_mode'))
    if 'optimizer_weights' in f:
        _restore_optimizer_weights(model, f['optimizer_weights'], filepath)


def _cannot_compile(model):
    try:
        import kcore.optimizers  # noqa: F401  (optimizers arrive with their own issue)
    except ImportError:
        return 'kcore.optimizers is not available'
    if not callable(getattr(model, 'compile', None)):
        return '%s has no compile()' % type(model).__name__
    return None


def _optimizer(config, custom_objects, filepath):
    from kcore.optimizers import optimizer_from_config
    try:
        return optimizer_from_config(config, custom_objects=custom_objects)
    except Exception as e:
        if hasattr(e, 'add_note'):
            e.add_note('(while restoring the optimizer saved in %r)' % filepath)
        raise


def _resolve(value, custom_objects):
    """Swap names of custom losses/metrics for the objects in ``custom_objects``."""
    custom_objects = custom_objects or {}
    if isinstance(value, str):
        return custom_objects.get(value, value)
    if isinstance(value, list):
        return [_resolve(v, custom_objects) for v in value]
    if isinstance(value, dict):
        return {k: _resolve(v, custom_objects) for k, v in value.items()}
    return value


def _restore_optimizer_weights(model, group, filepath):
    make_train_function = getattr(model, '_make_train_function', None)
    if callable(make_train_function):
        make_train_function()   # optimizers create their state when the updates are built
    values = [value for _, value, _ in h5.read_weight_group(group, filepath)]
    try:
        model.optimizer.set_weights(values)
    except ValueError as e:
        warnings.warn('%r: the saved optimizer state (%d arrays) does not fit the optimizer: %s '
                      'Training starts from a fresh optimizer state.'
                      % (filepath, len(values), e), stacklevel=4)
