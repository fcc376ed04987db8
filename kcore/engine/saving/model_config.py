"""A model's architecture as a config, JSON or YAML, and the model rebuilt from one.

Rebuilding resolves every class name through the registries (``Sequential``, ``Model``
and the layers alike), so saving never imports the classes it rebuilds.
"""
import contextlib
import json

import numpy as np

from kcore.engine import serialization


def model_config(model):
    """``{'class_name', 'config'}`` of ``model``: what model files and JSON/YAML hold."""
    return {'class_name': type(model).__name__, 'config': model.get_config()}


def to_json(model, **kwargs):
    """The architecture (no weights) as JSON; ``model_from_json`` rebuilds it."""
    return json.dumps(model_config(model), default=_json_default, **kwargs)


def to_yaml(model, **kwargs):
    """The architecture (no weights) as YAML; ``model_from_yaml`` rebuilds it."""
    import yaml
    return yaml.safe_dump(plain(model_config(model)), **kwargs)


def _json_default(obj):
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, type):
        return obj.__name__
    raise TypeError('%r is not JSON serializable (found in a model config).' % (obj,))


def plain(value):
    """``value`` with tuples as lists and numpy values as Python ones (for YAML)."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (np.generic, np.ndarray, type)):
        return _json_default(value)
    return value


def model_from_config(config, custom_objects=None, safe_mode=None):
    """A model (or layer) from a config: ``{'class_name', 'config'}``, a Sequential's list
    of layer configs, or a functional model's ``get_config()`` dict. ``safe_mode`` None
    keeps the current setting (True unless a caller turned it off)."""
    with serialization.scope(custom_objects, safe_mode), _not_too_deep('model config'):
        if isinstance(config, list):
            return serialization.get_class('Sequential').from_config(config)
        if isinstance(config, dict) and 'class_name' in config:
            return serialization.deserialize_layer(config)
        if isinstance(config, dict) and 'layers' in config and 'input_layers' in config:
            return serialization.get_class('Model').from_config(config)
    raise ValueError("model_from_config expects {'class_name': ..., 'config': ...}, a "
                     'Sequential config (a list) or a Model config (a dict with layers, '
                     'input_layers, output_layers); got %s.'
                     % (serialization.short_repr(config),))


@contextlib.contextmanager
def _not_too_deep(what):
    # Python's recursion limit is not a user's error to decode: say what was too deep.
    try:
        yield
    except RecursionError:
        raise ValueError('The %s is nested too deeply to be a model.' % what) from None


def model_from_json(json_string, custom_objects=None, safe_mode=None):
    """The model described by ``model.to_json()``'s string."""
    with _not_too_deep('JSON'):
        config = json.loads(json_string)
    return model_from_config(config, custom_objects, safe_mode)


def model_from_yaml(yaml_string, custom_objects=None, safe_mode=None):
    """The model described by ``model.to_yaml()``'s string (or a Keras 1.x YAML file)."""
    import yaml
    from kcore.engine.saving.yaml_loader import YAMLConfigError, load
    try:
        with _not_too_deep('YAML'):
            config = load(yaml_string)
    except yaml.YAMLError as e:   # python tags included: they are refused, never run
        raise YAMLConfigError('model_from_yaml: the text is not a model\'s YAML: %s' % e) \
            from None
    return model_from_config(config, custom_objects, safe_mode)
