"""Layer wrappers (``kcore.layers.wrappers``), registered through the plugin hooks."""
from kcore.layers.wrappers.base import Wrapper
from kcore.layers.wrappers.bidirectional import Bidirectional
from kcore.layers.wrappers.time_distributed import TimeDistributed
from kcore.plugins import hookimpl

# Names Keras 1.1.2's module also offered (through its own imports), for scripts that use them.
from kcore import backend as K  # noqa: F401
from kcore.engine.topology import InputSpec, Layer  # noqa: F401

LAYERS = (TimeDistributed, Bidirectional)

__all__ = ['Wrapper'] + [layer.__name__ for layer in LAYERS]


@hookimpl
def register_layers(register):
    for layer in LAYERS:
        register(layer.__name__, layer)
