"""Core layers (``kcore.layers.core``), registered through the plugin hooks."""
from kcore.layers.core.dense import Dense, TimeDistributedDense
from kcore.layers.core.dense_variants import Highway, MaxoutDense
from kcore.layers.core.dropout import Dropout, SpatialDropout1D, SpatialDropout2D, SpatialDropout3D
from kcore.layers.core.elementwise import Activation, ActivityRegularization, Masking
from kcore.layers.core.lambda_layer import Lambda
from kcore.layers.core.reshaping import Flatten, Permute, RepeatVector, Reshape
from kcore.plugins import hookimpl

# Names Keras 1.1.2's module also offered (through its own imports), for scripts that use them.
from kcore import activations, constraints, initializations, regularizers  # noqa: F401
from kcore import backend as K  # noqa: F401
from kcore.engine.topology import InputSpec, Layer, Merge  # noqa: F401
from kcore.regularizers import ActivityRegularizer  # noqa: F401
from kcore.utils.generic_utils import func_dump, func_load  # noqa: F401

LAYERS = (Dense, Activation, Dropout, SpatialDropout1D, SpatialDropout2D, SpatialDropout3D,
          Flatten, Reshape, Permute, RepeatVector, Lambda, ActivityRegularization, Masking,
          Highway, MaxoutDense, TimeDistributedDense)

__all__ = [layer.__name__ for layer in LAYERS]


@hookimpl
def register_layers(register):
    for layer in LAYERS:
        register(layer.__name__, layer)
