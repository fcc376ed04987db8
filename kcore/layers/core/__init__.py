"""Core layers (``kcore.layers.core``), registered through the plugin hooks."""
from kcore.layers.core.dense import Dense, TimeDistributedDense
from kcore.layers.core.dense_variants import Highway, MaxoutDense
from kcore.layers.core.dropout import Dropout, SpatialDropout1D, SpatialDropout2D, SpatialDropout3D
from kcore.layers.core.elementwise import Activation, ActivityRegularization, Masking
from kcore.layers.core.lambda_layer import Lambda
from kcore.layers.core.reshaping import Flatten, Permute, RepeatVector, Reshape
from kcore.plugins import hookimpl

LAYERS = (Dense, Activation, Dropout, SpatialDropout1D, SpatialDropout2D, SpatialDropout3D,
          Flatten, Reshape, Permute, RepeatVector, Lambda, ActivityRegularization, Masking,
          Highway, MaxoutDense, TimeDistributedDense)

__all__ = [layer.__name__ for layer in LAYERS]


@hookimpl
def register_layers(register):
    for layer in LAYERS:
        register(layer.__name__, layer)
