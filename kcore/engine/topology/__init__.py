"""The graph (``keras.engine.topology``): Layer, InputSpec, Node, InputLayer, Input, Merge,
merge, Container and get_source_inputs.

Inside: ``layer`` (Layer, InputLayer, Input) with its mixins ``layer_nodes`` and
``layer_weights``; ``node`` and ``graph`` (walking the calls); ``container`` with
``container_weights`` (weights, losses, updates), ``container_config`` (its config) and
``container_io`` (summary, JSON/YAML, files); ``merge`` with ``merge_modes``.
"""
from kcore.engine.topology.container import Container
from kcore.engine.topology.input_spec import InputSpec
from kcore.engine.topology.layer import Input, InputLayer, Layer
from kcore.engine.topology.layer_nodes import LayerConnectionError
from kcore.engine.topology.merge import Merge, merge
from kcore.engine.topology.node import Node, get_source_inputs

# Names Keras 1.1.2's module also offered (through its own imports), for scripts that use them.
from kcore import backend as K  # noqa: F401
from kcore.engine.tensors import to_list  # noqa: F401
from kcore.utils.generic_utils import func_dump, func_load  # noqa: F401
from kcore.utils.io_utils import ask_to_proceed_with_overwrite  # noqa: F401

__all__ = ['Layer', 'InputSpec', 'Node', 'InputLayer', 'Input', 'Merge', 'merge', 'Container',
           'get_source_inputs', 'LayerConnectionError']
