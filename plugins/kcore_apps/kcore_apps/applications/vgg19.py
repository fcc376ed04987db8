"""VGG19 (``keras.applications.vgg19``): 16 convolutions and 3 fully connected
layers, for 224x224 ImageNet images; weights CC-BY 4.0, from the Oxford Visual Geometry
Group."""
from kcore import backend as K  # noqa: F401 (a Keras 1 name of this module)
from kcore.layers import Convolution2D, Dense, Flatten, Input, MaxPooling2D  # noqa: F401
from kcore.models import Model  # noqa: F401
from kcore.utils.data_utils import get_file  # noqa: F401
from kcore.utils.layer_utils import convert_all_kernels_in_model  # noqa: F401

from kcore_apps.applications import pretrained, vgg
from kcore_apps.applications.imagenet_utils import (  # noqa: F401
    decode_predictions, preprocess_input)

(TH_WEIGHTS_PATH, TF_WEIGHTS_PATH,
 TH_WEIGHTS_PATH_NO_TOP, TF_WEIGHTS_PATH_NO_TOP) = vgg.weight_paths('vgg19')
WEIGHT_FILES = tuple(pretrained.file_name(url) for url in vgg.weight_paths('vgg19'))


def VGG19(include_top=True, weights='imagenet', input_tensor=None, input_shape=None):
    """The VGG19 ``Model`` in the configured image ordering.

    ``include_top``: keep the classifier (fc1, fc2, predictions; the input is then
    224x224x3); without it any input of at least 32x32 (``input_shape``, or
    ``input_tensor``, a tensor to use as the image input). ``weights``: None (random)
    or 'imagenet' (downloaded once to ``$KCORE_HOME/models``).
    """
    return vgg.build('VGG19', (2, 2, 4, 4, 4), include_top, weights, input_tensor, input_shape,
                     pretrained.keras1_files(globals()))
