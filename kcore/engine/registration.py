"""Built-in plugin: registers the engine's layer classes, so configs naming them load."""
from kcore.plugins import hookimpl


@hookimpl
def register_layers(register):
    from kcore import models
    from kcore.engine import topology, training
    for cls in (topology.InputLayer, topology.Merge, topology.Container, training.Model,
                models.Sequential):
        register(cls.__name__, cls)
