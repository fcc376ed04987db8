"""Xception (``keras.applications.xception``), the architecture of Keras 1.1.2, layer
for layer and name for name. Keras 1.1.2 ran it on TensorFlow in 'tf' ordering only;
kcore runs it on every backend and in both orderings (the published 'tf' weights are
converted on load). Images are 299x299 with the top; without it any size from 71x71 up.
``preprocess_input`` scales pixels to [-1, 1].
"""
from kcore import backend as K  # noqa: F401 (a Keras 1 name of this module)
from kcore.engine.topology import Input, merge  # noqa: F401
from kcore.layers import (Activation, BatchNormalization, Conv2D, Dense,
                          GlobalAveragePooling2D, MaxPooling2D, SeparableConv2D)
from kcore.models import Model
from kcore.utils.data_utils import get_file  # noqa: F401

from kcore_apps.applications import pretrained
from kcore_apps.applications.imagenet_utils import decode_predictions  # noqa: F401
from kcore_apps.applications.inception_v3 import preprocess_input  # noqa: F401
from kcore_apps.applications.model_inputs import channel_axis, image_shape, model_input

_RELEASE = 'https://github.com/fchollet/deep-learning-models/releases/download/v0.4/'
TF_WEIGHTS_PATH = _RELEASE + 'xception_weights_tf_dim_ordering_tf_kernels.h5'
TF_WEIGHTS_PATH_NO_TOP = _RELEASE + 'xception_weights_tf_dim_ordering_tf_kernels_notop.h5'
WEIGHT_FILES = ('xception_weights_tf_dim_ordering_tf_kernels.h5',
                'xception_weights_tf_dim_ordering_tf_kernels_notop.h5')


def weight_files():
    """{(kernels, ordering, include_top): URL} of the published weight files."""
    return {('tf', 'tf', True): TF_WEIGHTS_PATH, ('tf', 'tf', False): TF_WEIGHTS_PATH_NO_TOP}


def Xception(include_top=True, weights='imagenet', input_tensor=None, input_shape=None):
    """The Xception model (a kcore Model), with ImageNet weights when
    ``weights='imagenet'`` (downloaded to ``$KCORE_HOME/models``); ``weights=None``
    leaves it randomly initialized. The image ordering is the config's."""
    pretrained.check_weights(weights)
    shape = image_shape('Xception', input_shape, 299, 71, include_top)
    img_input, inputs = model_input(shape, input_tensor)
    x = _exit_flow(_middle_flow(_entry_flow(img_input)))
    if include_top:
        x = GlobalAveragePooling2D(name='avg_pool')(x)
        x = Dense(1000, activation='softmax', name='predictions')(x)
    model = Model(inputs, x)
    if weights == 'imagenet':
        pretrained.load_pretrained(model, weight_files(), include_top)
    return model


def _bn(name=None):
    return BatchNormalization(axis=channel_axis(), name=name)


def _sepconv(x, nb_filter, name, relu_first=True):
    """[ReLU ``<name>_act``,] a 3x3 separable convolution ``name`` without bias, and its
    BatchNormalization ``<name>_bn``."""
    if relu_first:
        x = Activation('relu', name=name + '_act')(x)
    x = SeparableConv2D(nb_filter, 3, 3, border_mode='same', bias=False, name=name)(x)
    return _bn(name + '_bn')(x)


def _downsampling_block(x, block, widths, relu_first=True):
    """Two separable convolutions and a stride-2 max pooling, added to a strided 1x1
    convolution of the block's input."""
    residual = Conv2D(widths[1], 1, 1, subsample=(2, 2), border_mode='same', bias=False)(x)
    residual = _bn()(residual)
    prefix = 'block%d' % block
    x = _sepconv(x, widths[0], prefix + '_sepconv1', relu_first)
    x = _sepconv(x, widths[1], prefix + '_sepconv2')
    x = MaxPooling2D((3, 3), strides=(2, 2), border_mode='same', name=prefix + '_pool')(x)
    return merge([x, residual], mode='sum')


def _entry_flow(x):
    x = Conv2D(32, 3, 3, subsample=(2, 2), bias=False, name='block1_conv1')(x)
    x = _bn('block1_conv1_bn')(x)
    x = Activation('relu', name='block1_conv1_act')(x)
    x = Conv2D(64, 3, 3, bias=False, name='block1_conv2')(x)
    x = _bn('block1_conv2_bn')(x)
    x = Activation('relu', name='block1_conv2_act')(x)
    x = _downsampling_block(x, 2, (128, 128), relu_first=False)
    x = _downsampling_block(x, 3, (256, 256))
    return _downsampling_block(x, 4, (728, 728))


def _middle_flow(x):
    for block in range(5, 13):
        residual = x
        for i in range(1, 4):
            x = _sepconv(x, 728, 'block%d_sepconv%d' % (block, i))
        x = merge([x, residual], mode='sum')
    return x


def _exit_flow(x):
    x = _downsampling_block(x, 13, (728, 1024))
    for i, nb_filter in ((1, 1536), (2, 2048)):
        name = 'block14_sepconv%d' % i
        x = _sepconv(x, nb_filter, name, relu_first=False)
        x = Activation('relu', name=name + '_act')(x)
    return x
