"""Audio helpers of MusicTaggerCRNN (``keras.applications.audio_conv_utils``): the
mel-spectrogram of an audio file (with librosa, ``pip install kcore-apps[audio]``) and
the names of the 50 tags."""
import importlib

import numpy as np

from kcore import backend as K

TAGS = ['rock', 'pop', 'alternative', 'indie', 'electronic', 'female vocalists', 'dance',
        '00s', 'alternative rock', 'jazz', 'beautiful', 'metal', 'chillout', 'male vocalists',
        'classic rock', 'soul', 'indie rock', 'Mellow', 'electronica', '80s', 'folk', '90s',
        'chill', 'instrumental', 'punk', 'oldies', 'blues', 'hard rock', 'ambient', 'acoustic',
        'experimental', 'female vocalist', 'guitar', 'Hip-Hop', '70s', 'party', 'country',
        'easy listening', 'sexy', 'catchy', 'funk', 'electro', 'heavy metal',
        'Progressive rock', '60s', 'rnb', 'indie pop', 'sad', 'House', 'happy']

# The mel-spectrogram the tagger was trained on: 29.12 s at 12 kHz, 96 mel bands.
SAMPLE_RATE = 12000
N_FFT = 512
N_MELS = 96
HOP_LENGTH = 256
DURATION = 29.12
# Keras 1.1.2 took librosa.logamplitude(melgram ** 2, ref_power=1.0): 10 log10 of the
# squared power, floored at AMIN and at TOP_DB below the loudest value.
AMIN = 1e-10
TOP_DB = 80.0


def librosa_exists():
    """True when librosa can be imported."""
    try:
        importlib.import_module('librosa')
    except ImportError:
        return False
    return True


def preprocess_input(audio_path, dim_ordering='default'):
    """The log-scaled mel-spectrogram of the audio file ``audio_path``, the input of
    MusicTaggerCRNN for one sample: (1, 96, 1366) in 'th' ordering, (96, 1366, 1) in
    'tf' (``'default'``: the config's image ordering). The middle 29.12 s are used;
    shorter audio is padded with silence."""
    if dim_ordering == 'default':
        dim_ordering = K.image_dim_ordering()
    if dim_ordering not in ('th', 'tf'):
        raise ValueError("dim_ordering must be 'th', 'tf' or 'default'; got %r." % (dim_ordering,))
    librosa = _librosa()
    signal, _ = librosa.load(audio_path, sr=SAMPLE_RATE)
    melgram = librosa.feature.melspectrogram(y=_middle(np.asarray(signal)), sr=SAMPLE_RATE,
                                             hop_length=HOP_LENGTH, n_fft=N_FFT, n_mels=N_MELS)
    x = _log_amplitude(np.asarray(melgram) ** 2)
    return x[np.newaxis] if dim_ordering == 'th' else x[..., np.newaxis]


def decode_predictions(preds, top_n=5):
    """For each sample of ``preds`` (shape (samples, 50), MusicTaggerCRNN's output), the
    ``top_n`` (tag, score) pairs with the highest scores, highest first."""
    preds = np.asarray(preds)
    if preds.ndim != 2 or preds.shape[1] != len(TAGS):
        raise ValueError('decode_predictions expects MusicTaggerCRNN predictions, an array of '
                         'shape (samples, %d); got shape %s.' % (len(TAGS), preds.shape))
    results = []
    for pred in preds:
        order = np.argsort(-pred, kind='stable')[:top_n]
        results.append([(TAGS[i], float(pred[i])) for i in order])
    return results


def _librosa():
    try:
        return importlib.import_module('librosa')
    except ImportError:
        raise ImportError('Computing mel-spectrograms needs librosa, which is not installed: '
                          'pip install kcore-apps[audio]') from None


def _middle(signal):
    """The middle DURATION seconds of ``signal``, zero-padded at the end when shorter."""
    wanted = int(DURATION * SAMPLE_RATE)
    if len(signal) < wanted:
        return np.concatenate([signal, np.zeros(wanted - len(signal), dtype=signal.dtype)])
    start = (len(signal) - wanted) // 2
    return signal[start:start + wanted]


def _log_amplitude(power):
    x = 10.0 * np.log10(np.maximum(AMIN, power))
    return np.maximum(x, x.max() - TOP_DB)
