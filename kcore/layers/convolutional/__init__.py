"""Convolutional layers (``kcore.layers.convolutional``), registered through the plugin
hooks: convolutions, cropping, upsampling and zero padding. The doc also places the
pooling layers here; they live in ``kcore.layers.pooling`` and are re-exported on first
use (``from kcore.layers.convolutional import MaxPooling2D``)."""
import importlib

from kcore.layers.convolutional.conv1d import AtrousConvolution1D, Convolution1D
from kcore.layers.convolutional.conv2d import AtrousConvolution2D, Convolution2D
from kcore.layers.convolutional.conv3d import Convolution3D
from kcore.layers.convolutional.cropping import Cropping1D, Cropping2D, Cropping3D
from kcore.layers.convolutional.deconv2d import Deconvolution2D
from kcore.layers.convolutional.padding import ZeroPadding1D, ZeroPadding2D, ZeroPadding3D
from kcore.layers.convolutional.separable import SeparableConvolution2D
from kcore.layers.convolutional.upsampling import UpSampling1D, UpSampling2D, UpSampling3D
from kcore.plugins import hookimpl

# Names Keras 1.1.2's module also offered (through its own imports), for scripts that use them.
from kcore import activations, constraints, initializations, regularizers  # noqa: F401
from kcore import backend as K  # noqa: F401
from kcore.engine.topology import InputSpec, Layer  # noqa: F401
from kcore.utils.conv_utils import conv_input_length, conv_output_length  # noqa: F401

# Short names (Keras 1's module aliases; the doc's blog uses Conv1D).
ALIASES = {
    'Convolution1D': ('Conv1D',), 'AtrousConvolution1D': ('AtrousConv1D',),
    'Convolution2D': ('Conv2D',), 'AtrousConvolution2D': ('AtrousConv2D',),
    'SeparableConvolution2D': ('SeparableConv2D',), 'Deconvolution2D': ('Deconv2D',),
    'Convolution3D': ('Conv3D',),
}
Conv1D, AtrousConv1D = Convolution1D, AtrousConvolution1D
Conv2D, AtrousConv2D = Convolution2D, AtrousConvolution2D
SeparableConv2D, Deconv2D, Conv3D = SeparableConvolution2D, Deconvolution2D, Convolution3D

LAYERS = (Convolution1D, AtrousConvolution1D, Convolution2D, AtrousConvolution2D,
          SeparableConvolution2D, Deconvolution2D, Convolution3D,
          Cropping1D, Cropping2D, Cropping3D, UpSampling1D, UpSampling2D, UpSampling3D,
          ZeroPadding1D, ZeroPadding2D, ZeroPadding3D)

__all__ = [layer.__name__ for layer in LAYERS] + [a for names in ALIASES.values() for a in names]

POOLING = ('MaxPooling1D', 'MaxPooling2D', 'MaxPooling3D',
           'AveragePooling1D', 'AveragePooling2D', 'AveragePooling3D')


def __getattr__(name):
    """The pooling layers, imported when first asked for (no import cycle with
    kcore.layers.pooling, which may use this package)."""
    if name in POOLING:
        return getattr(importlib.import_module('kcore.layers.pooling'), name)
    raise AttributeError('module %r has no attribute %r' % (__name__, name))


def __dir__():
    return sorted(set(globals()) | set(POOLING))


@hookimpl
def register_layers(register):
    for layer in LAYERS:
        register(layer.__name__, layer, aliases=ALIASES.get(layer.__name__, ()))
