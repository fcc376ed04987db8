"""MusicTaggerCRNN (``keras.applications.music_tagger_crnn``), the architecture of
Keras 1.1.2: four convolution blocks and two GRUs over a mel-spectrogram of
(1, 96, 1366) ('th') or (96, 1366, 1) ('tf'), 50 tags with the top, 32 features
without it. ``audio_conv_utils.preprocess_input`` computes the input from an audio file.
"""
from kcore import backend as K
from kcore.engine.topology import Input  # noqa: F401
from kcore.layers import (GRU, BatchNormalization, Convolution2D, Dense, Dropout,  # noqa: F401
                          MaxPooling2D, Permute, Reshape, ZeroPadding2D)
from kcore.layers.advanced_activations import ELU
from kcore.models import Model
from kcore.utils.data_utils import get_file  # noqa: F401
from kcore.utils.layer_utils import convert_all_kernels_in_model  # noqa: F401

from kcore_apps.applications import pretrained
from kcore_apps.applications.audio_conv_utils import (decode_predictions,  # noqa: F401
                                                      preprocess_input)
from kcore_apps.applications.model_inputs import channel_axis, model_input

_RELEASE = 'https://github.com/fchollet/deep-learning-models/releases/download/v0.3/'
TH_WEIGHTS_PATH = _RELEASE + 'music_tagger_crnn_weights_tf_kernels_th_dim_ordering.h5'
TF_WEIGHTS_PATH = _RELEASE + 'music_tagger_crnn_weights_tf_kernels_tf_dim_ordering.h5'
WEIGHT_FILES = ('music_tagger_crnn_weights_tf_kernels_th_dim_ordering.h5',
                'music_tagger_crnn_weights_tf_kernels_tf_dim_ordering.h5')

# (filters, pooling) of the convolution blocks conv1..conv4
_BLOCKS = ((64, 2), (128, 3), (128, 4), (128, 4))


def weight_files():
    """{(kernels, ordering, include_top): URL} of the published weight files: 'tf'
    kernels, one file per ordering, with the top."""
    return {('tf', 'th', True): TH_WEIGHTS_PATH, ('tf', 'tf', True): TF_WEIGHTS_PATH}


def MusicTaggerCRNN(weights='msd', input_tensor=None, include_top=True):
    """The convolutional recurrent music tagger (a kcore Model), with the weights
    trained on the Million Song Dataset when ``weights='msd'`` (downloaded to
    ``$KCORE_HOME/models``); ``weights=None`` leaves it randomly initialized."""
    pretrained.check_weights(weights, allowed=('msd',))
    th = K.image_dim_ordering() == 'th'
    melgram_input, inputs = model_input((1, 96, 1366) if th else (96, 1366, 1), input_tensor)
    features = _features(melgram_input, th)
    if not include_top and weights is None:
        return Model(inputs, features)
    # The published files have the top: without it, the weights are loaded into a model
    # with the top, whose layers the returned model shares.
    model = Model(inputs, Dense(50, activation='sigmoid', name='output')(features))
    if weights == 'msd':
        pretrained.load_pretrained(model, weight_files(), True)
    return model if include_top else Model(inputs, features)


def _features(x, th):
    """The 32 features of the mel-spectrogram ``x``: convolution blocks, then two GRUs
    over the 15 time steps left."""
    x = ZeroPadding2D(padding=(0, 37))(x)
    x = BatchNormalization(axis=3 if th else 2, name='bn_0_freq')(x)   # over time frames
    for i, (nb_filter, pool) in enumerate(_BLOCKS, 1):
        x = Convolution2D(nb_filter, 3, 3, border_mode='same', name='conv%d' % i)(x)
        x = BatchNormalization(axis=channel_axis(), mode=0, name='bn%d' % i)(x)
        x = ELU()(x)
        x = MaxPooling2D(pool_size=(pool, pool), strides=(pool, pool), name='pool%d' % i)(x)
    if th:
        x = Permute((3, 1, 2))(x)   # (time, frequency, channels), as in 'tf'
    x = Reshape((15, 128))(x)
    x = GRU(32, return_sequences=True, name='gru1')(x)
    return GRU(32, return_sequences=False, name='gru2')(x)
