"""ResNet50 (``keras.applications.resnet50``; He et al., 2015): 50 layers of residual
blocks for 224x224 ImageNet images; weights MIT, ported from Kaiming He's Caffe model.
The layer names are Keras 1.1.2's (conv1, bn_conv1, res2a_branch2a, ..., fc1000)."""
from kcore import backend as K  # noqa: F401 (a Keras 1 name of this module)
from kcore.engine.topology import merge
from kcore.layers import (Activation, AveragePooling2D, BatchNormalization,  # noqa: F401
                          Convolution2D, Dense, Flatten, Input, MaxPooling2D, ZeroPadding2D)
from kcore.models import Model
from kcore.utils.data_utils import get_file  # noqa: F401
from kcore.utils.layer_utils import convert_all_kernels_in_model  # noqa: F401

from kcore_apps.applications import pretrained
from kcore_apps.applications.imagenet_utils import (  # noqa: F401
    decode_predictions, preprocess_input)
from kcore_apps.applications.model_inputs import channel_axis, image_shape, model_input

RELEASE = 'https://github.com/fchollet/deep-learning-models/releases/download/v0.2/'
TH_WEIGHTS_PATH = RELEASE + 'resnet50_weights_th_dim_ordering_th_kernels.h5'
TF_WEIGHTS_PATH = RELEASE + 'resnet50_weights_tf_dim_ordering_tf_kernels.h5'
TH_WEIGHTS_PATH_NO_TOP = RELEASE + 'resnet50_weights_th_dim_ordering_th_kernels_notop.h5'
TF_WEIGHTS_PATH_NO_TOP = RELEASE + 'resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5'
WEIGHT_FILES = tuple(pretrained.file_name(url) for url in (
    TH_WEIGHTS_PATH, TF_WEIGHTS_PATH, TH_WEIGHTS_PATH_NO_TOP, TF_WEIGHTS_PATH_NO_TOP))
MD5 = {'resnet50_weights_th_dim_ordering_th_kernels.h5': '1c1f8f5b0c8ee28fe9d950625a230e1c',
       'resnet50_weights_th_dim_ordering_th_kernels_notop.h5': 'f64f049c92468c9affcd44b0976cdafe',
       'resnet50_weights_tf_dim_ordering_tf_kernels.h5': 'a7b3fe01876f51b976af0dea6bc144eb',
       'resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5': 'a268eb855778b3df3c7506639542a6af'}
MIN_SIZE = 197   # the 7x7 average pooling needs a 7x7 map after the stride-32 stages


def _branch(input_tensor, kernel_size, filters, names, strides=(1, 1)):
    """1x1 (strided), kernel_size x kernel_size, 1x1 convolutions with batch norms."""
    conv_name, bn_name = names
    x = input_tensor
    for part, nb_filter, size in zip(('2a', '2b', '2c'), filters, (1, kernel_size, 1)):
        x = Convolution2D(nb_filter, size, size, name=conv_name + part,
                          subsample=strides if part == '2a' else (1, 1),
                          border_mode='same' if part == '2b' else 'valid')(x)
        x = BatchNormalization(axis=channel_axis(), name=bn_name + part)(x)
        if part != '2c':
            x = Activation('relu')(x)
    return x


def identity_block(input_tensor, kernel_size, filters, stage, block):
    """A residual block whose shortcut is its input; ``filters`` = (1x1, kxk, 1x1) counts,
    layer names from ``stage`` (an int) and ``block`` ('a', 'b', ...)."""
    names = ('res%d%s_branch' % (stage, block), 'bn%d%s_branch' % (stage, block))
    x = _branch(input_tensor, kernel_size, filters, names)
    x = merge([x, input_tensor], mode='sum')
    return Activation('relu')(x)


def conv_block(input_tensor, kernel_size, filters, stage, block, strides=(2, 2)):
    """A residual block whose shortcut is a strided 1x1 convolution (``<branch>1``) with
    a batch norm; the main branch's first convolution has the same ``strides``."""
    names = ('res%d%s_branch' % (stage, block), 'bn%d%s_branch' % (stage, block))
    x = _branch(input_tensor, kernel_size, filters, names, strides)
    shortcut = Convolution2D(filters[2], 1, 1, subsample=strides, name=names[0] + '1')(input_tensor)
    shortcut = BatchNormalization(axis=channel_axis(), name=names[1] + '1')(shortcut)
    x = merge([x, shortcut], mode='sum')
    return Activation('relu')(x)


# (filters, identity blocks after the conv block) of stages 2 to 5
STAGES = (((64, 64, 256), 'bc'), ((128, 128, 512), 'bcd'), ((256, 256, 1024), 'bcdef'),
          ((512, 512, 2048), 'bc'))


def ResNet50(include_top=True, weights='imagenet', input_tensor=None, input_shape=None):
    """The ResNet50 ``Model`` in the configured image ordering.

    ``include_top``: end with ``fc1000`` (softmax; the input is then 224x224x3);
    without it the output is ``avg_pool``'s, for any input of at least 197x197
    (``input_shape``, or ``input_tensor``, a tensor to use as the image input).
    ``weights``: None (random) or 'imagenet' (downloaded once to ``$KCORE_HOME/models``).
    """
    pretrained.check_weights(weights)
    shape = image_shape('ResNet50', input_shape, 224, MIN_SIZE, include_top)
    img_input, inputs = model_input(shape, input_tensor)
    x = ZeroPadding2D((3, 3))(img_input)
    x = Convolution2D(64, 7, 7, subsample=(2, 2), name='conv1')(x)
    x = BatchNormalization(axis=channel_axis(), name='bn_conv1')(x)
    x = Activation('relu')(x)
    x = MaxPooling2D((3, 3), strides=(2, 2))(x)
    for stage, (filters, blocks) in enumerate(STAGES, start=2):
        x = conv_block(x, 3, filters, stage, 'a', strides=(1, 1) if stage == 2 else (2, 2))
        for block in blocks:
            x = identity_block(x, 3, filters, stage, block)
    x = AveragePooling2D((7, 7), name='avg_pool')(x)
    if include_top:
        x = Flatten()(x)
        x = Dense(1000, activation='softmax', name='fc1000')(x)
    model = Model(inputs, x)
    if weights == 'imagenet':
        pretrained.load_pretrained(model, pretrained.keras1_files(globals()), include_top, MD5)
    return model

