"""Saving and loading models and weights in HDF5, in the layout Keras 1.x uses.

``model.save(path)`` writes the root attributes ``model_config`` and (for a compiled
model) ``training_config``, the group ``model_weights`` and, when the optimizer has
state, the group ``optimizer_weights``. ``model.save_weights(path)`` writes the
weight layout at the root. Files written by Keras 1.x load too; kernels are
converted through ``Layer.convert_loaded_weights`` when the file's backend or image
ordering calls for it (see :mod:`kcore.utils.conv_utils`).
"""
import warnings

from kcore import backend as K
from kcore.engine.saving import hdf5_format as h5
from kcore.engine.saving import training_config
from kcore.engine.saving.model_config import model_config, model_from_config


# ------------------------------------------------------------------- writing
def save_weights(model, filepath, overwrite=True):
    """Write the weights of every layer of ``model`` to the HDF5 file ``filepath``."""
    if h5.may_write(filepath, overwrite):
        h5.write_atomically(filepath, lambda f: _write_model_weights(model, f))


def save_model(model, filepath, overwrite=True):
    """Write ``model`` to ``filepath``: architecture, weights, training configuration
    and optimizer state; ``load_model`` rebuilds it."""
    if not h5.may_write(filepath, overwrite):
        return
    config = model_config(model)
    training = training_config.training_config(model)

    def write(f):
        h5.write_provenance(f.attrs)
        h5.write_json(f.attrs, 'model_config', config)
        if training is not None:
            h5.write_json(f.attrs, 'training_config', training)
        _write_model_weights(model, f.create_group('model_weights'))
        if training is not None:
            training_config.write_optimizer_weights(model.optimizer, f)

    h5.write_atomically(filepath, write)


def _layers(model):
    return list(getattr(model, 'flattened_layers', None) or model.layers)


def _write_model_weights(model, group):
    layers = _layers(model)
    names = [layer.name for layer in layers]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ValueError('Cannot save the weights: several layers are named %s, and a weight '
                         'file keeps one group per layer name. Give each layer its own name.'
                         % ', '.join(map(repr, repeated)))
    h5.write_provenance(group.attrs)
    h5.write_names(group.attrs, 'layer_names', names)
    all_weights = [w for layer in layers for w in layer.weights]
    values = iter(K.batch_get_value(all_weights) if all_weights else [])
    for layer in layers:
        weights = layer.weights
        orderings = _kernel_orderings(layer)
        h5.write_weight_group(group.create_group(layer.name), h5.weight_names(weights),
                              [next(values) for _ in weights],
                              [orderings.get(id(w)) for w in weights])


def _kernel_orderings(layer):
    """{id(weight): 'th'/'tf'} for the weights of layers (nested ones too) that have an ordering."""
    if getattr(layer, 'layers', None):
        found = {}
        for inner in layer.layers:
            found.update(_kernel_orderings(inner))
        return found
    ordering = getattr(layer, 'dim_ordering', None)
    if ordering == 'default':
        ordering = K.image_dim_ordering()
    return {id(w): ordering for w in layer.weights} if ordering in ('th', 'tf') else {}


# ------------------------------------------------------------------- reading
def load_weights(model, filepath, by_name=False, source=None):
    """Load weights from ``filepath`` (a weight file or a whole-model file) into ``model``.

    ``by_name=False``: the file's layers that have weights are matched, in order,
    with the model's layers that have weights; the counts must agree.
    ``by_name=True``: only layers whose name matches a layer in the file are loaded;
    the others keep their weights. ``source`` ({'backend': ..., 'image_dim_ordering':
    ...}) says what wrote a file that does not record it (the published Keras 1
    application weights); what the file records wins.
    """
    with h5.open_for_reading(filepath) as f:
        group = _weights_root(f, filepath)
        _load_into(model, group, f, by_name, str(filepath), source)


def _weights_root(f, filepath):
    if 'layer_names' in f.attrs or 'layer_names0' in f.attrs or 'nb_layers' in f.attrs:
        return f
    if 'model_weights' in f:
        return f['model_weights']
    raise ValueError("%r holds no weights: it has no 'layer_names' attribute at its root and "
                     "no 'model_weights' group." % filepath)


def _load_into(model, group, f, by_name, filepath, assumed=None):
    source = h5.read_provenance(group, f)
    for key, value in (assumed or {}).items():
        if source.get(key) is None:
            source[key] = value
    if 'nb_layers' in group.attrs:
        matched, config_orderings = _legacy_pairs(model, group, by_name, filepath), {}
    else:
        matched = _pairs(model, group, by_name, filepath)
        config_orderings = _config_orderings(h5.read_json(f.attrs, 'model_config'))
    assignments = []
    for layer, name, stored in matched:
        _check_count(layer, name, stored, filepath)
        orderings = [o or config_orderings.get(name) for _, _, o in stored]
        values = _convert(layer, [v for _, v, _ in stored], orderings, source)
        assignments.extend(_checked(layer, name, stored, values, filepath))
    if assignments:
        K.batch_set_value(assignments)


def _pairs(model, group, by_name, filepath):
    """[(layer, the file's layer name, its stored weights)] to load."""
    names = h5.read_names(group.attrs, 'layer_names')
    for name in names:
        if name not in group:
            raise ValueError("%r lists layer %r in 'layer_names' but has no group of that name."
                             % (filepath, name))
    pairs = _pair_by_name(model, names, filepath) if by_name else \
        _pair_by_order(model, group, names, filepath)
    return [(layer, name, h5.read_weight_group(group[name], filepath)) for layer, name in pairs]


def _pair_by_order(model, group, names, filepath):
    layers = [layer for layer in _layers(model) if layer.weights]
    stored = [n for n in names if h5.read_names(group[n].attrs, 'weight_names')]
    if len(stored) != len(layers):
        raise ValueError('Cannot load %r: the file has %d layer(s) with weights (%s) but the '
                         'model has %d (%s). To load only the layers whose names match, use '
                         'load_weights(filepath, by_name=True).'
                         % (filepath, len(stored), ', '.join(stored), len(layers),
                            ', '.join(layer.name for layer in layers)))
    return list(zip(layers, stored))


def _pair_by_name(model, names, filepath):
    index = {}
    for layer in _layers(model):
        index.setdefault(layer.name, []).append(layer)
    pairs = [(layer, name) for name in names for layer in index.get(name, [])]
    if not pairs:
        warnings.warn('load_weights(%r, by_name=True) loaded nothing: no layer of the model is '
                      'named like a layer in the file (%s).' % (filepath, ', '.join(names)),
                      stacklevel=4)
    return pairs


def _check_count(layer, name, stored, filepath):
    if len(layer.weights) != len(stored):
        raise ValueError('Cannot load %r into layer %r: the file\'s layer %r has %d weight(s) '
                         '(%s) but the layer has %d.'
                         % (filepath, layer.name, name, len(stored),
                            ', '.join(n for n, _, _ in stored) or 'none', len(layer.weights)))


def _checked(layer, name, stored, values, filepath):
    """(variable, value) pairs for one layer, after checking the shapes."""
    for (weight_name, _, _), variable, value in zip(stored, layer.weights, values):
        expected = tuple(K.int_shape(variable))
        if tuple(value.shape) != expected:
            raise ValueError('Cannot load %r into layer %r: weight %r of the file\'s layer %r '
                             'has shape %s, but the layer expects %s.'
                             % (filepath, layer.name, weight_name, name, tuple(value.shape),
                                expected))
    return list(zip(layer.weights, values))


def _convert(layer, values, orderings, source):
    """Give each layer (those inside nested models too) its say on the loaded values."""
    inner_layers = getattr(layer, 'layers', None)
    if inner_layers:
        values = list(values)
        position = {id(w): i for i, w in enumerate(layer.weights)}
        for inner in inner_layers:
            indices = [position[id(w)] for w in inner.weights if id(w) in position]
            if indices:
                converted = _convert(inner, [values[i] for i in indices],
                                     [orderings[i] for i in indices], source)
                for i, value in zip(indices, converted):
                    values[i] = value
        return values
    hook = getattr(layer, 'convert_loaded_weights', None)
    if hook is None:
        return list(values)
    ordering = next((o for o in orderings if o), None) or source['image_dim_ordering']
    converted = list(hook(list(values), dict(source, image_dim_ordering=ordering)))
    if len(converted) != len(values):
        raise ValueError('Layer %r: convert_loaded_weights returned %d array(s) for %d weight(s).'
                         % (layer.name, len(converted), len(values)))
    return converted


def _config_orderings(stored):
    """{layer name: 'th'/'tf'} from a stored model config (how Keras 1.x files tell
    a layer's ordering)."""
    found = {}

    def visit(entry):
        if not isinstance(entry, dict):
            return
        config = entry.get('config')
        if isinstance(config, dict):
            if config.get('dim_ordering') in ('th', 'tf') and 'name' in config:
                found.setdefault(config['name'], config['dim_ordering'])
            layers = config.get('layers')
        else:
            layers = config   # Sequential's config is the list of its layers
        for item in layers if isinstance(layers, list) else []:
            visit(item)

    visit(stored)
    return found


def _legacy_pairs(model, group, by_name, filepath):
    """The pre-1.0 layout: attribute nb_layers, groups layer_<k> with param_<p> datasets,
    matched with the model's layers (input layers aside) in order."""
    if by_name:
        raise ValueError('%r uses the old layout (layer_<k> groups without layer names), so '
                         'by_name=True cannot match layers; use by_name=False.' % filepath)
    layers = [layer for layer in _layers(model) if type(layer).__name__ != 'InputLayer']
    count = int(group.attrs['nb_layers'])
    if count != len(layers):
        raise ValueError('Cannot load %r: the file has %d layers but the model has %d.'
                         % (filepath, count, len(layers)))
    matched = []
    for k, layer in enumerate(layers):
        g = group['layer_%d' % k]
        stored = [('param_%d' % p, g['param_%d' % p][()], None)
                  for p in range(int(g.attrs['nb_params']))]
        matched.append((layer, 'layer_%d' % k, stored))
    return matched


def load_model(filepath, custom_objects=None, safe_mode=True):
    """Rebuild the model saved by ``model.save(filepath)``, with its weights.

    If the file has a training configuration and kcore has optimizers, the model
    comes back compiled, with its optimizer state. ``custom_objects`` maps names to
    custom layers, functions or optimizers; ``safe_mode=False`` allows rebuilding
    Lambda functions from their bytecode, which runs code stored in the file.
    """
    with h5.open_for_reading(filepath) as f:
        config = h5.read_json(f.attrs, 'model_config')
        if config is None:
            raise ValueError("%r holds no model (no 'model_config' attribute). A file written by "
                             'save_weights loads into a model you build: '
                             'model.load_weights(filepath).' % str(filepath))
        try:
            model = model_from_config(config, custom_objects=custom_objects,
                                      safe_mode=safe_mode)
        except Exception as e:
            if hasattr(e, 'add_note'):
                e.add_note('(while rebuilding the model saved in %r)' % str(filepath))
            raise
        _load_into(model, _weights_root(f, filepath), f, False, str(filepath))
        training = h5.read_json(f.attrs, 'training_config')
        if training is not None:
            training_config.restore(model, training, f, custom_objects, str(filepath))
    return model
