"""InceptionV3 and Xception: Keras 1.1.2's architectures in both image orderings, their
parameter counts, forward passes with and without the top, and weight files in the
published Keras 1 layout loading from a local server, converted where they differ."""
import hashlib

import numpy as np
import pytest

import kcore.applications
from kcore import backend as K
from kcore_apps.applications import inception_v3, xception

from apps_keras1_weights import (assert_same_predictions, image_ordering, image_shape,
                                 keras1_weight_file, randomize_batchnorm, to_tf)

XCEPTION_PARAMS = 22910480   # the published count
# Keras 1.1.2's InceptionV3: 94 convolutions with a bias (17,120 filters in all, 21,526,368
# kernel weights), each followed by a BatchNormalization of 4 weights per channel, and the
# 2048 x 1000 Dense top: 21,526,368 + 5 x 17,120 + 2,049,000. Cross-check with the
# published 23,851,784 of Keras 2's version (no bias, 3 weights per BatchNormalization
# channel, 17,216 filters): Keras 1.1.2 has 32 filters instead of 64 in the pooling
# branches of mixed1 and mixed2 and 160 instead of 192 in the first 1x1 of mixed7's
# double 7x7 branch, 224,768 kernel weights fewer, and 5 x 17,120 - 3 x 17,216 = 33,952
# more per-channel weights: 23,851,784 - 224,768 + 33,952.
INCEPTION_V3_PARAMS = 23660968

# constructor, published count, smallest input without the top, feature grid there
APPS = {'InceptionV3': (inception_v3.InceptionV3, INCEPTION_V3_PARAMS, 75, (1, 1)),
        'Xception': (xception.Xception, XCEPTION_PARAMS, 71, (3, 3))}
ORDERINGS = ['tf', 'th']
# PyTensor takes one to two minutes to compile each of these models: there, each
# application runs with the top in one ordering and without it in the other (Xception's
# 'th' model without the top is the one of the weight loading test).
ON_TENSORFLOW_ONLY = pytest.mark.skipif(K.backend() == 'theano',
                                        reason='covered by another ordering on PyTensor')
WITH_TOP = [('InceptionV3', 'th'), ('Xception', 'tf'),
            pytest.param('InceptionV3', 'tf', marks=ON_TENSORFLOW_ONLY),
            pytest.param('Xception', 'th', marks=ON_TENSORFLOW_ONLY)]
WITHOUT_TOP = [('InceptionV3', 'tf'), ('Xception', 'tf'),
               pytest.param('InceptionV3', 'th', marks=ON_TENSORFLOW_ONLY),
               pytest.param('Xception', 'th', marks=ON_TENSORFLOW_ONLY)]


def images(ordering, size, seed=0):
    """A batch of two images scaled as preprocess_input scales them."""
    return np.random.RandomState(seed).uniform(-1, 1, (2,) + image_shape(ordering, size))


@pytest.fixture(scope='module')
def models():
    """models(name, ordering, include_top): built with weights=None on first use, once
    per module (small inputs without the top)."""
    built = {}

    def get(name, ordering, include_top):
        key = (name, ordering, include_top)
        if key not in built:
            constructor, _, size, _ = APPS[name]
            shape = None if include_top else image_shape(ordering, size)
            with image_ordering(ordering):
                built[key] = constructor(include_top=include_top, weights=None,
                                         input_shape=shape)
        return built[key]
    return get


def test_the_applications_are_found_under_kcore_applications():
    assert kcore.applications.InceptionV3 is inception_v3.InceptionV3
    assert kcore.applications.Xception is xception.Xception
    from kcore.applications.xception import preprocess_input
    scaled = preprocess_input(np.array([[0, 127.5, 255]]))
    np.testing.assert_allclose(scaled, [[-1, 0, 1]])


@pytest.mark.parametrize('ordering', ORDERINGS)
@pytest.mark.parametrize('name', sorted(APPS))
def test_with_the_top_the_parameter_count_is_keras_1_1_2s(models, name, ordering):
    model = models(name, ordering, True)
    assert model.count_params() == APPS[name][1]
    assert model.layers[-1].name == 'predictions'


@pytest.mark.parametrize('name,ordering', WITH_TOP)
def test_two_images_give_two_rows_of_1000_probabilities(models, name, ordering):
    preds = models(name, ordering, True).predict(images(ordering, 299))
    assert preds.shape == (2, 1000)
    np.testing.assert_allclose(preds.sum(axis=1), 1, rtol=1e-4)


@pytest.mark.parametrize('name,ordering', WITHOUT_TOP)
def test_without_the_top_small_images_give_2048_feature_maps(models, name, ordering):
    _, _, size, grid = APPS[name]
    features = models(name, ordering, False).predict(images(ordering, size))
    assert features.shape == ((2, 2048) + grid if ordering == 'th' else (2,) + grid + (2048,))


def test_with_the_top_another_input_shape_is_refused():
    with pytest.raises(ValueError, match=r'include_top=True takes input_shape=\(299, 299, 3\)'):
        xception.Xception(weights=None, input_shape=(224, 224, 3))
    with pytest.raises(ValueError, match='at least 75'):
        inception_v3.InceptionV3(include_top=False, weights=None, input_shape=(74, 74, 3))


def test_an_unknown_weights_value_lists_the_valid_ones():
    with pytest.raises(ValueError, match="None .*'imagenet'"):
        inception_v3.InceptionV3(weights='msd')


def test_xception_tf_weights_load_into_a_th_model_that_predicts_the_same(models, serve):
    source = models('Xception', 'tf', False)
    randomize_batchnorm(source, seed=1)
    serve(xception, 'TF_WEIGHTS_PATH_NO_TOP', keras1_weight_file(source),
          '/xception_weights_tf_dim_ordering_tf_kernels_notop.h5')
    with image_ordering('th'):
        loaded = xception.Xception(include_top=False, input_shape=(3, 71, 71))
    x = images('th', 71)
    features = loaded.predict(x)
    assert features.shape == (2, 2048, 3, 3)
    assert_same_predictions(to_tf(features), source.predict(to_tf(x)))


def test_inception_v3_theano_kernels_are_checked_and_flipped_back_on_load(
        models, serve, monkeypatch):
    source = models('InceptionV3', 'th', False)
    randomize_batchnorm(source, seed=2)
    body = keras1_weight_file(source, theano_kernels=True)
    fname = 'inception_v3_weights_th_dim_ordering_th_kernels_notop.h5'
    serve(inception_v3, 'TH_WEIGHTS_PATH_NO_TOP', body, '/' + fname)
    monkeypatch.setitem(inception_v3.MD5S, fname, hashlib.md5(body).hexdigest())
    with image_ordering('th'):
        loaded = inception_v3.InceptionV3(include_top=False, input_shape=(3, 75, 75))
    for got, expected in zip(loaded.get_weights(), source.get_weights()):
        np.testing.assert_array_equal(got, expected)
