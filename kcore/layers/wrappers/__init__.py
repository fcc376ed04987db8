"""Layer wrappers (``kcore.layers.wrappers``), registered through the plugin hooks."""
from kcore.layers.wrappers.base import Wrapper
from kcore.layers.wrappers.bidirectional import Bidirectional
from kcore.layers.wrappers.time_distributed import TimeDistributed
from kcore.plugins import hookimpl

LAYERS = (TimeDistributed, Bidirectional)

__all__ = ['Wrapper'] + [layer.__name__ for layer in LAYERS]


@hookimpl
def register_layers(register):
    for layer in LAYERS:
        register(layer.__name__, layer)
