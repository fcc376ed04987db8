"""kcore's engine (``keras.engine``): layers, nodes, containers and models.

Three packages, each importing only those before it: ``saving`` (HDF5 files and
JSON/YAML configs; it finds model classes by name in the registries), ``topology`` (Layer,
Node, InputSpec, Container, Merge: the graph) and ``training`` (Model, CompiledState, the
loops). Beside them: ``tensors`` (Keras-tensor helpers), ``serialization`` (looking names
up, custom objects, safe mode) and ``registration`` (the engine's classes as a plugin).
"""
from kcore.engine.topology import (Container, Input, InputLayer, InputSpec, Layer, Merge, Node,
                                   get_source_inputs, merge)
from kcore.engine.training import Model

__all__ = ['Layer', 'InputSpec', 'Node', 'InputLayer', 'Input', 'Merge', 'merge', 'Container',
           'get_source_inputs', 'Model']
