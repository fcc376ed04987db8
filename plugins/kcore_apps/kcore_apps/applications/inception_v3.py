"""InceptionV3 (``keras.applications.inception_v3``), the architecture of Keras 1.1.2:
every convolution has a bias and a ReLU, followed by a BatchNormalization, so the
published Keras 1 weight files load. Images are 299x299 with the top; without it any
size from 75x75 up. ``preprocess_input`` scales pixels to [-1, 1].
"""
import numpy as np

from kcore import backend as K
from kcore.engine.topology import Input, merge  # noqa: F401
from kcore.layers import (AveragePooling2D, BatchNormalization, Convolution2D, Dense,
                          Flatten, MaxPooling2D)
from kcore.models import Model
from kcore.utils.data_utils import get_file  # noqa: F401
from kcore.utils.layer_utils import convert_all_kernels_in_model  # noqa: F401

from kcore_apps.applications import pretrained
from kcore_apps.applications.imagenet_utils import decode_predictions  # noqa: F401
from kcore_apps.applications.model_inputs import channel_axis, image_shape, model_input

_RELEASE = 'https://github.com/fchollet/deep-learning-models/releases/download/v0.2/'
TH_WEIGHTS_PATH = _RELEASE + 'inception_v3_weights_th_dim_ordering_th_kernels.h5'
TF_WEIGHTS_PATH = _RELEASE + 'inception_v3_weights_tf_dim_ordering_tf_kernels.h5'
TH_WEIGHTS_PATH_NO_TOP = _RELEASE + 'inception_v3_weights_th_dim_ordering_th_kernels_notop.h5'
TF_WEIGHTS_PATH_NO_TOP = _RELEASE + 'inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5'
MD5S = {
    'inception_v3_weights_th_dim_ordering_th_kernels.h5': 'b3baf3070cc4bf476d43a2ea61b0ca5f',
    'inception_v3_weights_th_dim_ordering_th_kernels_notop.h5': '79aaa90ab4372b4593ba3df64e142f05',
    'inception_v3_weights_tf_dim_ordering_tf_kernels.h5': 'fe114b3ff2ea4bf891e9353d1bbfb32f',
    'inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5': '2f3609166de1d967d1a481094754f691',
}
WEIGHT_FILES = tuple(sorted(MD5S))


def conv2d_bn(x, nb_filter, nb_row, nb_col, border_mode='same', subsample=(1, 1), name=None):
    """A convolution with bias and ReLU, then a BatchNormalization over the channels;
    ``name`` names them ``<name>_conv`` and ``<name>_bn``."""
    conv_name, bn_name = (name + '_conv', name + '_bn') if name else (None, None)
    x = Convolution2D(nb_filter, nb_row, nb_col, subsample=subsample, activation='relu',
                      border_mode=border_mode, name=conv_name)(x)
    return BatchNormalization(axis=channel_axis(), name=bn_name)(x)


def InceptionV3(include_top=True, weights='imagenet', input_tensor=None, input_shape=None):
    """The Inception v3 model (a kcore Model), with ImageNet weights when
    ``weights='imagenet'`` (downloaded to ``$KCORE_HOME/models``); ``weights=None``
    leaves it randomly initialized. The image ordering is the config's."""
    pretrained.check_weights(weights)
    shape = image_shape('InceptionV3', input_shape, 299, 75, include_top)
    img_input, inputs = model_input(shape, input_tensor)
    x = _mixed_9_10(_mixed_8(_mixed_4_7(_mixed_3(_mixed_0_2(_stem(img_input))))))
    if include_top:
        x = AveragePooling2D((8, 8), strides=(8, 8), name='avg_pool')(x)
        x = Flatten(name='flatten')(x)
        x = Dense(1000, activation='softmax', name='predictions')(x)
    model = Model(inputs, x)
    if weights == 'imagenet':
        pretrained.load_pretrained(model, pretrained.keras1_files(globals()), include_top,
                                   md5s=MD5S)
    return model


def preprocess_input(x):
    """A batch of images (0-255) scaled to [-1, 1], as the Inception and Xception weights
    expect; returns a new float array."""
    return (np.array(x, dtype=K.floatx()) / 255. - 0.5) * 2.


def _concat(branches, name=None):
    return merge(branches, mode='concat', concat_axis=channel_axis(), name=name)


def _convs(x, specs):
    """conv2d_bn applied in turn for each (nb_filter, nb_row, nb_col) of ``specs``."""
    for nb_filter, nb_row, nb_col in specs:
        x = conv2d_bn(x, nb_filter, nb_row, nb_col)
    return x


def _pool_branch(x, nb_filter):
    x = AveragePooling2D((3, 3), strides=(1, 1), border_mode='same')(x)
    return conv2d_bn(x, nb_filter, 1, 1)


def _stem(x):
    x = conv2d_bn(x, 32, 3, 3, subsample=(2, 2), border_mode='valid')
    x = conv2d_bn(x, 32, 3, 3, border_mode='valid')
    x = conv2d_bn(x, 64, 3, 3)
    x = MaxPooling2D((3, 3), strides=(2, 2))(x)
    x = conv2d_bn(x, 80, 1, 1, border_mode='valid')
    x = conv2d_bn(x, 192, 3, 3, border_mode='valid')
    return MaxPooling2D((3, 3), strides=(2, 2))(x)


def _mixed_0_2(x):
    """mixed0, mixed1, mixed2: 35 x 35 x 256 (at 299 x 299)."""
    for i in range(3):
        branch1x1 = conv2d_bn(x, 64, 1, 1)
        branch5x5 = _convs(x, [(48, 1, 1), (64, 5, 5)])
        branch3x3dbl = _convs(x, [(64, 1, 1), (96, 3, 3), (96, 3, 3)])
        branch_pool = _pool_branch(x, 32)
        x = _concat([branch1x1, branch5x5, branch3x3dbl, branch_pool], 'mixed%d' % i)
    return x


def _mixed_3(x):
    """mixed3: 17 x 17 x 768."""
    branch3x3 = conv2d_bn(x, 384, 3, 3, subsample=(2, 2), border_mode='valid')
    branch3x3dbl = _convs(x, [(64, 1, 1), (96, 3, 3)])
    branch3x3dbl = conv2d_bn(branch3x3dbl, 96, 3, 3, subsample=(2, 2), border_mode='valid')
    branch_pool = MaxPooling2D((3, 3), strides=(2, 2))(x)
    return _concat([branch3x3, branch3x3dbl, branch_pool], 'mixed3')


def _mixed_4_7(x):
    """mixed4 to mixed7: 17 x 17 x 768, with 7x7 convolutions factored into 1x7 and 7x1."""
    # (width of the 7x7 branches, width of the first 1x1 of the double 7x7 branch)
    for i, (width, first) in enumerate(((128, 128), (160, 160), (160, 160), (192, 160))):
        branch1x1 = conv2d_bn(x, 192, 1, 1)
        branch7x7 = _convs(x, [(width, 1, 1), (width, 1, 7), (192, 7, 1)])
        branch7x7dbl = _convs(x, [(first, 1, 1), (width, 7, 1), (width, 1, 7), (width, 7, 1),
                                  (192, 1, 7)])
        branch_pool = _pool_branch(x, 192)
        x = _concat([branch1x1, branch7x7, branch7x7dbl, branch_pool], 'mixed%d' % (4 + i))
    return x


def _mixed_8(x):
    """mixed8: 8 x 8 x 1280."""
    branch3x3 = conv2d_bn(x, 192, 1, 1)
    branch3x3 = conv2d_bn(branch3x3, 320, 3, 3, subsample=(2, 2), border_mode='valid')
    branch7x7x3 = _convs(x, [(192, 1, 1), (192, 1, 7), (192, 7, 1)])
    branch7x7x3 = conv2d_bn(branch7x7x3, 192, 3, 3, subsample=(2, 2), border_mode='valid')
    branch_pool = AveragePooling2D((3, 3), strides=(2, 2))(x)
    return _concat([branch3x3, branch7x7x3, branch_pool], 'mixed8')


def _mixed_9_10(x):
    """mixed9 and mixed10: 8 x 8 x 2048."""
    for i in range(2):
        branch1x1 = conv2d_bn(x, 320, 1, 1)
        branch3x3 = conv2d_bn(x, 384, 1, 1)
        branch3x3 = _concat([conv2d_bn(branch3x3, 384, 1, 3), conv2d_bn(branch3x3, 384, 3, 1)],
                            'mixed9_%d' % i)
        branch3x3dbl = _convs(x, [(448, 1, 1), (384, 3, 3)])
        branch3x3dbl = _concat([conv2d_bn(branch3x3dbl, 384, 1, 3),
                                conv2d_bn(branch3x3dbl, 384, 3, 1)])
        branch_pool = _pool_branch(x, 192)
        x = _concat([branch1x1, branch3x3, branch3x3dbl, branch_pool], 'mixed%d' % (9 + i))
    return x
