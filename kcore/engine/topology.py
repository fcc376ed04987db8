"""The graph engine (``keras.engine.topology``): Layer, InputSpec, Node, InputLayer,
Input, Merge, merge, Container and get_source_inputs."""
from kcore.engine.base_layer import Layer
from kcore.engine.container import Container
from kcore.engine.input_layer import Input, InputLayer
from kcore.engine.input_spec import InputSpec
from kcore.engine.layer_nodes import LayerConnectionError
from kcore.engine.merge import Merge, merge
from kcore.engine.node import Node, get_source_inputs

__all__ = ['Layer', 'InputSpec', 'Node', 'InputLayer', 'Input', 'Merge', 'merge', 'Container',
           'get_source_inputs', 'LayerConnectionError']
