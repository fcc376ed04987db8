"""MusicTaggerCRNN and audio_conv_utils: Keras 1.1.2's tagger in both image orderings,
its parameter count, forward passes with and without the top, the published weight
layout loading from a local server, and the mel-spectrogram and tag helpers (with a fake
librosa: the tests never need the real one)."""
import sys
import types

import numpy as np
import pytest

import kcore.applications
from kcore.layers import Activation, Input
from kcore.models import Model
from kcore_apps.applications import audio_conv_utils, music_tagger_crnn

from apps_keras1_weights import image_ordering, keras1_weight_file, randomize_batchnorm

# bn_0_freq over 1440 padded time frames (4 weights each: gamma, beta, running mean and
# std), conv1 3x3x1x64 + 64 biases, bn1 4 x 64, conv2 3x3x64x128 + 128, conv3 and conv4
# 3x3x128x128 + 128, bn2-bn4 4 x 128, gru1 3 gates x (128 x 32 + 32 x 32 + 32), gru2
# 3 x (32 x 32 + 32 x 32 + 32), output 32 x 50 + 50:
# 5,760 + 640 + 256 + 73,856 + 2 x 147,584 + 3 x 512 + 15,456 + 6,240 + 1,650.
TAGGER_PARAMS = 400562
ORDERINGS = ['tf', 'th']
TH_FILE = '/music_tagger_crnn_weights_tf_kernels_th_dim_ordering.h5'
TF_FILE = '/music_tagger_crnn_weights_tf_kernels_tf_dim_ordering.h5'


def melgrams(ordering, seed=0):
    """Two log mel-spectrograms (around the values preprocess_input gives)."""
    shape = (2, 1, 96, 1366) if ordering == 'th' else (2, 96, 1366, 1)
    return np.random.RandomState(seed).normal(-20, 10, shape)


def to_th(x):
    return np.transpose(x, (0, 3, 1, 2))


def assert_same_predictions(got, expected):
    assert np.ptp(expected) > 0   # outputs that vary: a constant would prove nothing
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)


@pytest.fixture(scope='module')
def taggers():
    """taggers(ordering, include_top): built with weights=None on first use, once per module."""
    built = {}

    def get(ordering, include_top):
        if (ordering, include_top) not in built:
            with image_ordering(ordering):
                built[ordering, include_top] = music_tagger_crnn.MusicTaggerCRNN(
                    weights=None, include_top=include_top)
        return built[ordering, include_top]
    return get


def test_the_tagger_is_found_under_kcore_applications():
    assert kcore.applications.MusicTaggerCRNN is music_tagger_crnn.MusicTaggerCRNN
    from kcore.applications.audio_conv_utils import TAGS
    assert len(TAGS) == 50 and TAGS[:3] == ['rock', 'pop', 'alternative']


@pytest.mark.parametrize('ordering', ORDERINGS)
def test_the_parameter_count_is_keras_1_1_2s(taggers, ordering):
    assert taggers(ordering, True).count_params() == TAGGER_PARAMS
    assert taggers(ordering, False).count_params() == TAGGER_PARAMS - (32 * 50 + 50)


@pytest.mark.parametrize('ordering', ORDERINGS)
def test_two_melgrams_give_50_tag_scores_or_32_features(taggers, ordering):
    scores = taggers(ordering, True).predict(melgrams(ordering))
    assert scores.shape == (2, 50)
    assert ((scores > 0) & (scores < 1)).all()
    assert taggers(ordering, False).predict(melgrams(ordering)).shape == (2, 32)


def test_an_input_tensor_and_the_inputs_it_comes_from_become_the_model_inputs():
    with image_ordering('tf'):
        melgram = Input(shape=(96, 1366, 1))
        scaled = Activation('linear')(melgram)
        model = music_tagger_crnn.MusicTaggerCRNN(weights=None, input_tensor=scaled)
    assert len(model.inputs) == 1 and model.inputs[0] is melgram
    assert model.output_shape == (None, 50)


def test_an_unknown_weights_value_lists_the_valid_ones():
    with pytest.raises(ValueError, match="None .*'msd'"):
        music_tagger_crnn.MusicTaggerCRNN(weights='imagenet')


def test_tf_ordered_weights_load_into_a_th_model_that_predicts_the_same(
        taggers, serve, monkeypatch):
    source = taggers('tf', True)
    randomize_batchnorm(source, seed=3)
    url = serve(music_tagger_crnn, 'TF_WEIGHTS_PATH', keras1_weight_file(source), TF_FILE)
    # As if only the 'tf' file had been published: the 'th' model converts its kernels.
    monkeypatch.setattr(music_tagger_crnn, 'weight_files', lambda: {('tf', 'tf', True): url})
    with image_ordering('th'):
        loaded = music_tagger_crnn.MusicTaggerCRNN()
    x = melgrams('tf')
    assert_same_predictions(loaded.predict(to_th(x)), source.predict(x))


def test_without_the_top_the_weights_of_the_published_file_load_by_layer(taggers, serve):
    source = taggers('th', True)
    randomize_batchnorm(source, seed=4)
    serve(music_tagger_crnn, 'TH_WEIGHTS_PATH', keras1_weight_file(source), TH_FILE)
    with image_ordering('th'):
        loaded = music_tagger_crnn.MusicTaggerCRNN(include_top=False)
    assert [layer.name for layer in loaded.layers][-2:] == ['gru1', 'gru2']
    features = Model(source.input, source.get_layer('gru2').output)
    x = melgrams('th')
    assert_same_predictions(loaded.predict(x), features.predict(x))


# ------------------------------------------------------------------- audio_conv_utils
def fake_librosa(signal, melgram):
    """A librosa module whose load returns ``signal`` and whose melspectrogram returns
    ``melgram``; ``calls`` records the arguments each got."""
    calls = {}

    def load(path, sr=None):
        calls['load'] = (path, sr)
        return np.asarray(signal, dtype='float32'), sr

    def melspectrogram(**kwargs):
        calls['melspectrogram'] = kwargs
        return melgram

    module = types.ModuleType('librosa')
    module.load, module.calls = load, calls
    module.feature = types.SimpleNamespace(melspectrogram=melspectrogram)
    return module


def test_without_librosa_preprocess_input_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, 'librosa', None)   # import librosa fails
    assert not audio_conv_utils.librosa_exists()
    with pytest.raises(ImportError, match=r'pip install kcore-apps\[audio\]'):
        audio_conv_utils.preprocess_input('song.mp3')


@pytest.mark.parametrize('ordering,shape', [('th', (1, 96, 1366)), ('tf', (96, 1366, 1))])
def test_the_melgram_is_log_scaled_and_laid_out_for_the_ordering(monkeypatch, ordering, shape):
    melgram = np.ones((96, 1366))
    melgram[0, :5] = [10, 1, 0.1, 1e-4, 0]
    librosa = fake_librosa(np.arange(400000), melgram)
    monkeypatch.setitem(sys.modules, 'librosa', librosa)
    assert audio_conv_utils.librosa_exists()
    x = audio_conv_utils.preprocess_input('song.mp3', dim_ordering=ordering)
    assert x.shape == shape
    # 10 log10(melgram ** 2), floored 80 dB below the loudest value (20 dB)
    np.testing.assert_allclose(x.reshape(96, 1366)[0, :6], [20, 0, -20, -60, -60, 0], atol=1e-9)
    assert librosa.calls['load'] == ('song.mp3', 12000)
    kwargs = librosa.calls['melspectrogram']
    assert {k: kwargs[k] for k in ('sr', 'hop_length', 'n_fft', 'n_mels')} == \
        {'sr': 12000, 'hop_length': 256, 'n_fft': 512, 'n_mels': 96}
    # the middle 29.12 s (349,440 samples at 12 kHz) of the 400,000
    np.testing.assert_array_equal(kwargs['y'], np.arange(25280, 25280 + 349440))


def test_short_audio_is_padded_with_silence_and_default_follows_the_config(monkeypatch):
    librosa = fake_librosa(np.ones(1000), np.ones((96, 1366)))
    monkeypatch.setitem(sys.modules, 'librosa', librosa)
    with image_ordering('th'):
        assert audio_conv_utils.preprocess_input('short.wav').shape == (1, 96, 1366)
    y = librosa.calls['melspectrogram']['y']
    assert len(y) == 349440 and y[:1000].all() and not y[1000:].any()
    with pytest.raises(ValueError, match="'th', 'tf' or 'default'"):
        audio_conv_utils.preprocess_input('short.wav', dim_ordering='channels_last')


def test_decode_predictions_gives_the_best_tags_first():
    preds = np.zeros((2, 50))
    preds[0, [0, 9, 49]] = [0.2, 0.9, 0.5]
    preds[1, 1] = 0.7
    decoded = audio_conv_utils.decode_predictions(preds, top_n=3)
    assert decoded[0] == [('jazz', 0.9), ('happy', 0.5), ('rock', 0.2)]
    assert decoded[1][0] == ('pop', 0.7) and len(decoded[1]) == 3
    assert len(music_tagger_crnn.decode_predictions(preds)[0]) == 5
    with pytest.raises(ValueError, match=r'shape \(samples, 50\)'):
        audio_conv_utils.decode_predictions(np.zeros((2, 1000)))
