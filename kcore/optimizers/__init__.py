"""Optimizers (``kcore.optimizers``), registered through the plugin hooks.

``compile(optimizer='adam')`` and ``compile(optimizer=Adam(lr=1e-4))`` both go
through :func:`get`. Optimizers that plugins register (kcore-tf's TFOptimizer) are
attributes of this module too, looked up in the registry when first asked for.
"""
from kcore import backend as K  # noqa: F401 (a Keras 1 name here)
from kcore.optimizers.adadelta import Adadelta
from kcore.optimizers.adagrad import Adagrad
from kcore.optimizers.adam import Adam, Adamax, Nadam
from kcore.optimizers.base import Optimizer, clip_norm  # noqa: F401
from kcore.optimizers.rmsprop import RMSprop
from kcore.optimizers.sgd import SGD
from kcore.plugins import hookimpl
from kcore.utils.generic_utils import get_from_module  # noqa: F401 (a Keras 1 name here)

# TFOptimizer, a Keras 1 name here, comes from kcore-tf through __getattr__.
__all__ = ['Optimizer', 'SGD', 'RMSprop', 'Adagrad', 'Adadelta', 'Adam', 'Adamax', 'Nadam',
           'get', 'optimizer_from_config']

# Keras 1 spellings of the class names.
sgd, rmsprop, adagrad, adadelta, adam, adamax, nadam = (
    SGD, RMSprop, Adagrad, Adadelta, Adam, Adamax, Nadam)


def __getattr__(name):
    """An optimizer class a plugin registered (``TFOptimizer``, from kcore-tf)."""
    if name.startswith('_'):
        raise AttributeError('module %r has no attribute %r' % (__name__, name))
    from kcore import plugins
    from kcore.plugins.registries import RegistryError
    try:
        return plugins.get('optimizers', name)
    except RegistryError as e:
        raise AttributeError('kcore.optimizers has no attribute %r, and no installed plugin '
                             'registers an optimizer of that name: %s' % (name, e)) from None


def get(identifier, kwargs=None):
    """An optimizer from ``identifier``: an Optimizer (returned as is), a registered name
    ('sgd', 'adam', ...: built with ``kwargs``), an optimizer class, a config dict
    ``{'class_name': ..., 'config': {...}}``, or an object that a registered optimizer
    class ``accepts`` (a TensorFlow optimizer, which kcore-tf's TFOptimizer wraps)."""
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str):
        from kcore import plugins
        return plugins.get('optimizers', identifier)(**(kwargs or {}))
    if isinstance(identifier, type) and issubclass(identifier, Optimizer):
        return identifier(**(kwargs or {}))
    if isinstance(identifier, dict):
        return optimizer_from_config(identifier)
    wrapper = _wrapper_for(identifier)
    if wrapper is not None:
        return wrapper(identifier)
    raise TypeError('Cannot make an optimizer from %r: give an Optimizer, the name of one '
                    "(e.g. 'sgd', 'adam'), or an optimizer object of the backend's library "
                    'that an installed plugin wraps.' % (identifier,))


def _wrapper_for(obj):
    """The registered optimizer class whose ``accepts(obj)`` is true, or None."""
    from kcore import plugins
    for entry in plugins.registry('optimizers').entries():
        cls = entry.load()
        accepts = getattr(cls, 'accepts', None)
        if callable(accepts) and accepts(obj):
            return cls
    return None


def optimizer_from_config(config, custom_objects=None):
    """The optimizer that ``{'class_name': name, 'config': {...}}`` describes (the form a
    saved model's training config holds); ``custom_objects`` maps names to classes."""
    if 'class_name' not in config:
        raise ValueError("An optimizer config needs a 'class_name' (and a 'config'), got %r."
                         % (config,))
    name = config['class_name']
    if custom_objects and name in custom_objects:
        cls = custom_objects[name]
    else:
        from kcore import plugins
        cls = plugins.get('optimizers', name)
    return cls.from_config(config.get('config') or {})


@hookimpl
def register_optimizers(register):
    for cls in (SGD, RMSprop, Adagrad, Adadelta, Adam, Adamax, Nadam):
        register(cls.__name__, cls, aliases=(cls.__name__.lower(),))
