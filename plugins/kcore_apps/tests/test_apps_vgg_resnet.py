"""VGG16, VGG19 and ResNet50: Keras 1.1.2's architectures in both image orderings, the
published parameter counts, forward passes with and without the top, weight files in
the published layout ('th' kernels in 'th' layers) loading into either ordering, and
ResNet50(weights='imagenet') from a local server, MD5-checked, with decode_predictions."""
import contextlib
import hashlib
import json

import numpy as np
import pytest

import kcore.applications
from kcore import config
from kcore.testing.file_server import FileServer
from kcore_apps.applications import imagenet_utils, pretrained, resnet50, vgg16, vgg19

from apps_keras1_weights import (assert_same_predictions, image_ordering, image_shape,
                                 keras1_weight_file, randomize_batchnorm, to_tf)
from apps_published_layout import published_layers, tf_layout, weight_file_bytes

# constructor, published count with the top, count without, smallest input without the top
APPS = {'VGG16': (vgg16.VGG16, 138357544, 14714688, 32),
        'VGG19': (vgg19.VGG19, 143667240, 20024384, 32),
        'ResNet50': (resnet50.ResNet50, 25636712, 23587712, 197)}
FEATURES = {'VGG16': 512, 'VGG19': 512, 'ResNet50': 2048}
ORDERINGS = ['tf', 'th']


def images(ordering, size, seed=0):
    """Two images as preprocess_input leaves them (roughly zero-centred, 0-255 range)."""
    return np.random.RandomState(seed).uniform(-120, 120, (2,) + image_shape(ordering, size))


@pytest.fixture(scope='module')
def no_top():
    """no_top(name, ordering): the model without the top for the smallest input, built
    with weights=None on first use, once per module."""
    built = {}

    def get(name, ordering):
        if (name, ordering) not in built:
            constructor, _, _, size = APPS[name]
            with image_ordering(ordering):
                built[name, ordering] = constructor(include_top=False, weights=None,
                                                    input_shape=image_shape(ordering, size))
        return built[name, ordering]
    yield get
    built.clear()


def test_the_modules_have_keras_1_1_2s_names():
    assert kcore.applications.VGG16 is vgg16.VGG16
    assert kcore.applications.ResNet50 is resnet50.ResNet50
    from kcore.applications.vgg19 import VGG19
    assert VGG19 is vgg19.VGG19
    common = {'K', 'Model', 'TF_WEIGHTS_PATH', 'TF_WEIGHTS_PATH_NO_TOP', 'TH_WEIGHTS_PATH',
              'TH_WEIGHTS_PATH_NO_TOP', 'Convolution2D', 'Dense', 'Flatten', 'Input',
              'MaxPooling2D', 'convert_all_kernels_in_model', 'decode_predictions', 'get_file',
              'preprocess_input', 'WEIGHT_FILES'}
    for module in (vgg16, vgg19):
        assert common <= set(dir(module))
    assert common | {'Activation', 'AveragePooling2D', 'BatchNormalization', 'ZeroPadding2D',
                     'conv_block', 'identity_block', 'merge'} <= set(dir(resnet50))
    assert {'CLASS_INDEX', 'CLASS_INDEX_PATH', 'K', 'decode_predictions', 'get_file',
            'preprocess_input'} <= set(dir(imagenet_utils))
    assert resnet50.WEIGHT_FILES[0] == 'resnet50_weights_th_dim_ordering_th_kernels.h5'


@pytest.mark.parametrize('ordering', ORDERINGS)
@pytest.mark.parametrize('name', ['VGG16', 'VGG19'])
def test_vgg_with_the_top_has_the_published_count_and_gives_probabilities(name, ordering):
    with image_ordering(ordering):   # built here and dropped after: 550 MB of weights
        model = APPS[name][0](weights=None)
    assert model.count_params() == APPS[name][1]
    assert [layer.name for layer in model.layers[-4:]] == ['flatten', 'fc1', 'fc2',
                                                           'predictions']
    preds = model.predict(images(ordering, 224) / 100)
    assert preds.shape == (2, 1000)
    np.testing.assert_allclose(preds.sum(axis=1), 1, rtol=1e-4)


@pytest.mark.parametrize('ordering', ORDERINGS)
@pytest.mark.parametrize('name', sorted(APPS))
def test_without_the_top_small_images_give_feature_maps(no_top, name, ordering):
    _, _, count, size = APPS[name]
    model = no_top(name, ordering)
    assert model.count_params() == count
    features = model.predict(images(ordering, size))
    grid = (FEATURES[name], 1, 1) if ordering == 'th' else (1, 1, FEATURES[name])
    assert features.shape == (2,) + grid


@pytest.mark.parametrize('name', sorted(APPS))
def test_a_th_weight_file_loads_into_both_orderings(no_top, name, tmp_path):
    source = no_top(name, 'th')
    randomize_batchnorm(source, seed=1)
    path = tmp_path / 'weights_th_dim_ordering_th_kernels.h5'
    path.write_bytes(keras1_weight_file(source, theano_kernels=True))
    size = APPS[name][3]
    x = images('th', size, seed=2)
    expected = source.predict(x)
    for ordering in ORDERINGS:
        model = no_top(name, ordering)
        pretrained.load_weight_file(model, str(path), 'th', 'th')
        got = model.predict(x if ordering == 'th' else to_tf(x))
        assert_same_predictions(got if ordering == 'tf' else to_tf(got), to_tf(expected))


def test_with_the_top_the_input_must_be_224_and_without_it_large_enough():
    with pytest.raises(ValueError, match=r'include_top=True takes input_shape=\(224, 224, 3\)'):
        vgg16.VGG16(weights=None, input_shape=(32, 32, 3))
    with pytest.raises(ValueError, match='at least 197'):
        resnet50.ResNet50(include_top=False, weights=None, input_shape=(96, 96, 3))


# -------------------------------------------------------------- weights='imagenet'
@contextlib.contextmanager
def isolated_home(folder):
    """An empty KCORE_HOME and HOME for a module-scoped fixture."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv('KCORE_HOME', str(folder / 'kcore_home'))
        mp.setenv('HOME', str(folder / 'home'))
        mp.delenv('KERAS_HOME', raising=False)
        config.reset()
        yield mp
    config.reset()


@pytest.fixture(scope='module')
def resnet_imagenet(no_top, tmp_path_factory):
    """ResNet50(weights='imagenet') with the top in both orderings, from a local server:
    the 'th' file holds the th no-top model's weights and a random fc1000; the 'tf' file
    the same weights converted in numpy. Also the MD5 each download was checked with."""
    rng = np.random.RandomState(4)
    checked = []

    def get_file(fname, origin, md5_hash=None, **kwargs):
        checked.append((fname, md5_hash))
        return download(fname, origin, md5_hash=md5_hash, **kwargs)

    download = pretrained.get_file
    with FileServer() as server, isolated_home(tmp_path_factory.mktemp('resnet')) as mp:
        source = no_top('ResNet50', 'th')
        randomize_batchnorm(source, seed=3)
        top = [('flatten_1', []), ('fc1000', [('fc1000_W', rng.normal(0, .02, (2048, 1000))),
                                              ('fc1000_b', rng.normal(0, .1, 1000))])]
        th_layers = published_layers(source, theano_kernels=True) + top
        bodies = {'TH_WEIGHTS_PATH': weight_file_bytes(th_layers),
                  'TF_WEIGHTS_PATH': weight_file_bytes(tf_layout(th_layers))}
        for constant, body in bodies.items():
            fname = pretrained.file_name(getattr(resnet50, constant))
            mp.setattr(resnet50, constant, server.add('/' + fname, body))
            mp.setitem(resnet50.MD5, fname, hashlib.md5(body).hexdigest())
        mp.setattr(pretrained, 'get_file', get_file)
        built = {}
        for ordering in ORDERINGS:
            with image_ordering(ordering):
                built[ordering] = resnet50.ResNet50()
        yield built, checked, dict(resnet50.MD5)


def test_resnet50_imagenet_weights_are_md5_checked(resnet_imagenet):
    _, checked, md5s = resnet_imagenet
    assert sorted(checked) == sorted((f, md5s[f]) for f in (
        'resnet50_weights_th_dim_ordering_th_kernels.h5',
        'resnet50_weights_tf_dim_ordering_tf_kernels.h5'))


def test_resnet50_with_the_top_predicts_alike_in_both_orderings(resnet_imagenet):
    built, _, _ = resnet_imagenet
    assert built['tf'].count_params() == built['th'].count_params() == APPS['ResNet50'][1]
    x = images('th', 224, seed=5)
    preds = built['th'].predict(x)
    assert preds.shape == (2, 1000)
    assert_same_predictions(built['tf'].predict(to_tf(x)), preds)


def test_resnet50_predictions_decode_to_imagenet_labels(resnet_imagenet, serve, monkeypatch):
    classes = {str(i): ['n%08d' % i, 'label_%d' % i] for i in range(1000)}
    monkeypatch.setattr(imagenet_utils, 'CLASS_INDEX', None)
    serve(imagenet_utils, 'CLASS_INDEX_PATH', json.dumps(classes).encode(),
          '/imagenet_class_index.json')
    model = resnet_imagenet[0]['tf']
    preds = model.predict(resnet50.preprocess_input(images('tf', 224, seed=6) + 128))
    decoded = resnet50.decode_predictions(preds)
    for row, top in zip(preds, decoded):
        assert [t[0] for t in top] == ['n%08d' % i for i in np.argsort(row)[::-1][:5]]
        assert [t[1] for t in top] == ['label_%d' % int(t[0][1:]) for t in top]
        scores = [t[2] for t in top]
        assert scores == sorted(scores, reverse=True)
