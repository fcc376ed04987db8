"""The VGG architecture shared by ``vgg16`` and ``vgg19`` (Simonyan and Zisserman,
2014), with Keras 1.1.2's layer names: blocks of 3x3 convolutions (``block<b>_conv<i>``)
each closed by a 2x2 max pooling (``block<b>_pool``), then ``flatten``, ``fc1``,
``fc2`` and ``predictions``."""
from kcore.layers import Convolution2D, Dense, Flatten, MaxPooling2D
from kcore.models import Model

from kcore_apps.applications import pretrained
from kcore_apps.applications.model_inputs import image_shape, model_input

FILTERS = (64, 128, 256, 512, 512)
RELEASE = 'https://github.com/fchollet/deep-learning-models/releases/download/v0.1/'
MIN_SIZE = 32   # five 2x2 poolings leave a 1x1 map


def weight_paths(name):
    """The URLs of a VGG's published files, in Keras 1.1.2's order: TH_WEIGHTS_PATH,
    TF_WEIGHTS_PATH, TH_WEIGHTS_PATH_NO_TOP, TF_WEIGHTS_PATH_NO_TOP."""
    return tuple(RELEASE + '%s_weights_%s_dim_ordering_%s_kernels%s.h5' % (name, o, o, top)
                 for top in ('', '_notop') for o in ('th', 'tf'))


def build(name, depths, include_top, weights, input_tensor, input_shape, files):
    """A VGG model with ``depths[b]`` convolutions in block b+1; ``weights='imagenet'``
    loads the file of ``files`` that fits."""
    pretrained.check_weights(weights)
    shape = image_shape(name, input_shape, 224, MIN_SIZE, include_top)
    x, inputs = model_input(shape, input_tensor)
    for block, (filters, depth) in enumerate(zip(FILTERS, depths), start=1):
        for i in range(1, depth + 1):
            x = Convolution2D(filters, 3, 3, activation='relu', border_mode='same',
                              name='block%d_conv%d' % (block, i))(x)
        x = MaxPooling2D((2, 2), strides=(2, 2), name='block%d_pool' % block)(x)
    if include_top:
        x = Flatten(name='flatten')(x)
        x = Dense(4096, activation='relu', name='fc1')(x)
        x = Dense(4096, activation='relu', name='fc2')(x)
        x = Dense(1000, activation='softmax', name='predictions')(x)
    model = Model(inputs, x)
    if weights == 'imagenet':
        pretrained.load_pretrained(model, files, include_top)
    return model
