"""kcore's engine: layers, nodes, containers and models (``keras.engine``)."""
from kcore.engine.topology import (Container, Input, InputLayer, InputSpec, Layer, Merge, Node,
                                   get_source_inputs, merge)
from kcore.engine.training import Model

__all__ = ['Layer', 'InputSpec', 'Node', 'InputLayer', 'Input', 'Merge', 'merge', 'Container',
           'get_source_inputs', 'Model']
