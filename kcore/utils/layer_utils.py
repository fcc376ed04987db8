"""Layer utilities (``keras.utils.layer_utils``): layer_from_config, print_summary and
kernel conversion; ``Model`` and ``Sequential`` are here too, as in Keras 1."""
import importlib

from kcore import backend as K
from kcore.engine import serialization
from kcore.utils.conv_utils import convert_kernel  # noqa: F401 (a Keras 1 name of this module)
from kcore.utils.generic_utils import format_row, get_from_module  # noqa: F401

# Loaded on first use, so that this module and kcore.models can import each other's parts.
_LAZY = {'Model': 'kcore.engine.training', 'Sequential': 'kcore.models'}


def layer_from_config(config, custom_objects=None, safe_mode=None):
    """The layer (or model) described by ``{'class_name': ..., 'config': ...}``.

    ``custom_objects`` maps names to custom classes and functions; classes registered by
    installed plugins are found without it. ``safe_mode`` (None: the current setting,
    True by default) refuses to load function bytecode stored in the config.
    """
    with serialization.scope(custom_objects, safe_mode):
        return serialization.deserialize_layer(config)


def _connections(layer, relevant_nodes):
    found = []
    for index, node in enumerate(layer.inbound_nodes):
        if relevant_nodes is not None and '%s_ib-%d' % (layer.name, index) not in relevant_nodes:
            continue
        found += ['%s[%d][%d]' % (l.name, n, t) for l, n, t in
                  zip(node.inbound_layers, node.node_indices, node.tensor_indices)]
    return found


def _output_shape(layer):
    try:
        return layer.output_shape
    except AttributeError:
        return 'multiple'


def count_weights(weights):
    """The number of scalars in ``weights`` (each weight counted once)."""
    unique = {id(w): w for w in weights}
    return int(sum(K.count_params(w) for w in unique.values()))


def print_summary(layers, relevant_nodes=None, line_length=100, positions=(.33, .55, .67, 1.),
                  print_fn=print):
    """Print one row per layer: 'name (Type)', output shape, parameter count and the
    layers it is connected to ('dense_1[0][0]': layer, node, tensor); then the total,
    trainable and non-trainable parameter counts. ``relevant_nodes`` (node keys
    'dense_1_ib-0') limits the connections shown to those of one model."""
    if positions[-1] <= 1:
        positions = [int(line_length * p) for p in positions]
    print_fn('_' * line_length)
    print_fn(format_row(['Layer (type)', 'Output Shape', 'Param #', 'Connected to'], positions))
    print_fn('=' * line_length)
    for index, layer in enumerate(layers):
        links = _connections(layer, relevant_nodes) or ['']
        name = '%s (%s)' % (layer.name, type(layer).__name__)
        print_fn(format_row([name, _output_shape(layer), layer.count_params(), links[0]],
                            positions))
        for link in links[1:]:
            print_fn(format_row(['', '', '', link], positions))
        print_fn(('=' if index == len(layers) - 1 else '_') * line_length)
    trainable = count_weights([w for layer in layers for w in layer.trainable_weights])
    everything = count_weights([w for layer in layers for w in layer.weights])
    print_fn('Total params: %d' % everything)
    print_fn('Trainable params: %d' % trainable)
    print_fn('Non-trainable params: %d' % (everything - trainable))
    print_fn('_' * line_length)


# Documented under this module by the pitfalls page (seed L2558); implemented beside the other
# convolution-kernel helpers.
from kcore.utils.conv_utils import convert_all_kernels_in_model  # noqa: E402,F401


def __getattr__(name):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError('module kcore.utils.layer_utils has no attribute %r' % (name,))


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
