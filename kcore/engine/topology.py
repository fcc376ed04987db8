"""The graph engine (``keras.engine.topology``): Layer, InputSpec, Node, InputLayer,
Input, Merge, merge, Container and get_source_inputs."""
from kcore.engine.base_layer import Layer
from kcore.engine.container import Container
from kcore.engine.input_layer import Input, InputLayer
from kcore.engine.input_spec import InputSpec
from kcore.engine.layer_nodes import LayerConnectionError
from kcore.engine.merge import Merge, merge
from kcore.engine.node import Node, get_source_inputs

# Names Keras 1.1.2's module also offered (through its own imports), for scripts that use them.
from kcore import backend as K  # noqa: F401
from kcore.engine.tensors import to_list  # noqa: F401
from kcore.utils.generic_utils import func_dump, func_load  # noqa: F401
from kcore.utils.io_utils import ask_to_proceed_with_overwrite  # noqa: F401

__all__ = ['Layer', 'InputSpec', 'Node', 'InputLayer', 'Input', 'Merge', 'merge', 'Container',
           'get_source_inputs', 'LayerConnectionError']
