"""Pooling layers (``kcore.layers.pooling``); kcore.layers.convolutional re-exports the
Max/AveragePooling layers, where the doc also lists them."""
from kcore.layers.pooling.global_pooling import (GlobalAveragePooling1D, GlobalAveragePooling2D,
                                                 GlobalAveragePooling3D, GlobalMaxPooling1D,
                                                 GlobalMaxPooling2D, GlobalMaxPooling3D)
from kcore.layers.pooling.pooling import (AveragePooling1D, AveragePooling2D, AveragePooling3D,
                                          MaxPooling1D, MaxPooling2D, MaxPooling3D)
from kcore.plugins import hookimpl

# Names Keras 1.1.2's module also offered (through its own imports), for scripts that use them.
from kcore import backend as K  # noqa: F401
from kcore.engine.topology import InputSpec, Layer  # noqa: F401
from kcore.utils.conv_utils import conv_output_length  # noqa: F401

# The shorter names of later Keras versions, as aliases.
MaxPool1D, MaxPool2D, MaxPool3D = MaxPooling1D, MaxPooling2D, MaxPooling3D
AvgPool1D, AvgPool2D, AvgPool3D = AveragePooling1D, AveragePooling2D, AveragePooling3D

LAYERS = (MaxPooling1D, MaxPooling2D, MaxPooling3D, AveragePooling1D, AveragePooling2D,
          AveragePooling3D, GlobalMaxPooling1D, GlobalAveragePooling1D, GlobalMaxPooling2D,
          GlobalAveragePooling2D, GlobalMaxPooling3D, GlobalAveragePooling3D)
ALIASES = {'MaxPooling1D': ('MaxPool1D',), 'MaxPooling2D': ('MaxPool2D',),
           'MaxPooling3D': ('MaxPool3D',), 'AveragePooling1D': ('AvgPool1D',),
           'AveragePooling2D': ('AvgPool2D',), 'AveragePooling3D': ('AvgPool3D',)}

__all__ = [layer.__name__ for layer in LAYERS] + [a for names in ALIASES.values() for a in names]


@hookimpl
def register_layers(register):
    for layer in LAYERS:
        register(layer.__name__, layer, aliases=ALIASES.get(layer.__name__, ()))
