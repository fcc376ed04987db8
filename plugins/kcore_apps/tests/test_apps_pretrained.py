"""The published weight files: which one is fetched for a backend and ordering, and
loading one ('th' kernels in 'th' layers) into models of either ordering, checked against
a numpy reference of the true convolution Keras 1 on Theano computed; downloads, MD5s,
caches and broken files; imagenet_utils."""
import hashlib
import json
import os

import numpy as np
import pytest
from scipy.signal import convolve2d

import kcore.applications
from kcore import backend as K
from kcore.layers import Convolution2D, Dense, Flatten, Input, MaxPooling2D
from kcore.models import Model
from kcore.utils.data_utils import DownloadError
from kcore_apps.applications import imagenet_utils, pretrained, vgg16

from apps_keras1_weights import image_ordering
from apps_published_layout import weight_file_bytes

TH_FILE = 'small_weights_th_dim_ordering_th_kernels.h5'


def small_model(ordering):
    """Convolution, pooling, Flatten and two Dense layers: every conversion a file of
    the other ordering and kernels needs."""
    with image_ordering(ordering):
        x = Input(shape=(3, 6, 6) if ordering == 'th' else (6, 6, 3))
        y = Convolution2D(4, 3, 3, activation='relu', name='conv')(x)
        y = MaxPooling2D((2, 2), name='pool')(y)
        y = Dense(5, activation='relu', name='fc1')(Flatten(name='flatten')(y))
        return Model(x, Dense(3, name='predictions')(y))


@pytest.fixture(scope='module')
def theano_weights():
    """Random weights of the small model as Keras 1 on Theano stored them."""
    rng = np.random.RandomState(0)
    return {'conv': [rng.normal(0, 0.5, (4, 3, 3, 3)), rng.normal(0, 0.1, 4)],
            'fc1': [rng.normal(0, 0.5, (16, 5)), rng.normal(0, 0.1, 5)],
            'predictions': [rng.normal(0, 0.5, (5, 3)), rng.normal(0, 0.1, 3)]}


def th_file(weights):
    names = ('input_1', 'conv', 'pool', 'flatten', 'fc1', 'predictions')
    return weight_file_bytes([(n, [('%s_%s' % (n, s), v.astype('float32'))
                                   for s, v in zip('Wb', weights.get(n, []))]) for n in names])


def reference(x, weights):
    """The small model on 'th' images (n, 3, 6, 6), in numpy: true convolutions."""
    kernel, bias = weights['conv']
    conv = np.array([[sum(convolve2d(image[c], kernel[f, c], mode='valid') for c in range(3))
                      + bias[f] for f in range(4)] for image in x])
    pooled = np.maximum(conv, 0).reshape(len(x), 4, 2, 2, 2, 2).max(axis=(3, 5))
    hidden = np.maximum(pooled.reshape(len(x), -1) @ weights['fc1'][0] + weights['fc1'][1], 0)
    return hidden @ weights['predictions'][0] + weights['predictions'][1]


def images(seed=0):
    return np.random.RandomState(seed).uniform(-1, 1, (2, 3, 6, 6)).astype('float32')


def as_ordering(x, ordering):
    return x if ordering == 'th' else np.transpose(x, (0, 2, 3, 1))


@pytest.mark.parametrize('ordering', ['th', 'tf'])
def test_theano_kernels_in_th_layers_load_into_either_ordering(ordering, theano_weights, server,
                                                                homes):
    url = server.add('/' + TH_FILE, th_file(theano_weights))
    model = small_model(ordering)
    with image_ordering(ordering):
        path = pretrained.load_pretrained(model, {('th', 'th', True): url}, include_top=True)
    assert path == os.path.join(str(homes), 'models', TH_FILE)
    preds = model.predict(as_ordering(images(), ordering))
    np.testing.assert_allclose(preds, reference(images(), theano_weights), rtol=1e-4, atol=1e-5)


def test_the_md5_is_checked_and_a_bad_download_leaves_nothing(theano_weights, server, homes):
    body = th_file(theano_weights)
    files = {('th', 'th', True): server.add('/' + TH_FILE, body)}
    with pytest.raises(DownloadError, match=TH_FILE):
        pretrained.load_pretrained(small_model('tf'), files, True, md5s={TH_FILE: '0' * 32})
    assert not os.path.exists(homes / 'models' / TH_FILE)
    pretrained.load_pretrained(small_model('tf'), files, True,
                               md5s={TH_FILE: hashlib.md5(body).hexdigest()})
    assert os.path.exists(homes / 'models' / TH_FILE)


def test_a_file_in_the_keras_1_cache_is_used_without_downloading(theano_weights, server, homes):
    keras_models = homes.parent / 'home' / '.keras' / 'models'
    keras_models.mkdir(parents=True)
    (keras_models / TH_FILE).write_bytes(th_file(theano_weights))
    model = small_model('th')
    path = pretrained.load_pretrained(model, {('th', 'th', True): server.url('/' + TH_FILE)}, True)
    assert path == str(keras_models / TH_FILE) and server.requests == []
    np.testing.assert_allclose(model.predict(images()), reference(images(), theano_weights),
                               rtol=1e-4, atol=1e-5)


def test_a_file_for_another_model_names_the_file_and_the_layer(theano_weights, server):
    wrong = dict(theano_weights, fc1=[np.zeros((20, 5)), np.zeros(5)])
    url = server.add('/' + TH_FILE, th_file(wrong))
    with pytest.raises(ValueError, match="%s.*'fc1'.*shape \\(20, 5\\)" % TH_FILE):
        pretrained.load_pretrained(small_model('tf'), {('th', 'th', True): url}, True)


def test_a_truncated_file_names_the_file(theano_weights, server):
    body = th_file(theano_weights)
    url = server.add('/' + TH_FILE, body[:len(body) // 2])
    with pytest.raises(pretrained.WeightFileError, match=TH_FILE + '.*delete it') as info:
        pretrained.load_pretrained(small_model('tf'), {('th', 'th', True): url}, True)
    assert info.value.path.endswith(TH_FILE)


KEYS = [(k, o, True) for k in ('th', 'tf') for o in ('th', 'tf')]


@pytest.mark.parametrize('backend', ['theano', 'tensorflow'])
@pytest.mark.parametrize('ordering', ['th', 'tf'])
@pytest.mark.parametrize('published', [
    KEYS, [('th', 'th', True), ('tf', 'tf', True)], [('tf', 'tf', True)],
    [('tf', 'th', True), ('tf', 'tf', True)]], ids=['all four', 'vgg', 'xception', 'music tagger'])
def test_the_file_of_the_model_ordering_is_chosen_then_the_backend_kernels(
        backend, ordering, published, monkeypatch):
    monkeypatch.setattr(K, 'backend', lambda: backend)
    files = {key: 'http://127.0.0.1/%s_%s' % key[:2] for key in published}
    kernels = 'th' if backend == 'theano' else 'tf'
    preferred = [(kernels, ordering, True), ('tf' if kernels == 'th' else 'th', ordering, True)]
    expected = next((key for key in preferred if key in files), None) or published[0]
    with image_ordering(ordering):
        assert pretrained.choose_file(files, include_top=True) == expected
        with pytest.raises(ValueError, match='include_top=False'):
            pretrained.choose_file(files, include_top=False)


def test_flattened_dense_rows_follow_the_feature_map_order():
    rng = np.random.RandomState(0)
    maps_th = rng.rand(2, 3, 4, 5)
    kernel = rng.rand(60, 7)
    moved = pretrained.permute_flattened_rows(kernel, (4, 5, 3), 'th', 'tf')
    maps_tf = np.transpose(maps_th, (0, 2, 3, 1))
    np.testing.assert_allclose(maps_tf.reshape(2, -1) @ moved, maps_th.reshape(2, -1) @ kernel)
    back = pretrained.permute_flattened_rows(moved, (3, 4, 5), 'tf', 'th')
    np.testing.assert_array_equal(back, kernel)


def test_published_names_state_their_layout():
    assert pretrained.layout_from_name('/x/vgg16_weights_th_dim_ordering_tf_kernels.h5') == \
        ('tf', 'th')
    assert pretrained.layout_from_name('music_tagger_crnn_weights_tf_kernels_th_dim_ordering.h5') \
        == ('tf', 'th')
    assert pretrained.layout_from_name('mine.h5') is None


def test_weights_other_than_none_or_imagenet_are_refused():
    with pytest.raises(ValueError, match=r"weights='vgg' is not available: use None .*'imagenet'"):
        kcore.applications.VGG16(weights='vgg')


def vgg16_notop_th_layers(rng):
    """VGG16's published no-top layout ('th' kernels and ordering), random."""
    layers, stack = [('input_1', [])], 3
    for block, (filters, depth) in enumerate(zip((64, 128, 256, 512, 512), (2, 2, 3, 3, 3)), 1):
        for i in range(1, depth + 1):
            name = 'block%d_conv%d' % (block, i)
            layers.append((name, [(name + '_W', rng.normal(0, .1, (filters, stack, 3, 3))),
                                  (name + '_b', rng.normal(0, .1, filters))]))
            stack = filters
        layers.append(('block%d_pool' % block, []))
    return [(n, [(w, v.astype('float32')) for w, v in ws]) for n, ws in layers]


def test_vgg16_imagenet_weights_are_downloaded_and_converted(serve, homes):
    layers = vgg16_notop_th_layers(np.random.RandomState(1))
    serve(vgg16, 'TH_WEIGHTS_PATH_NO_TOP', weight_file_bytes(layers),
          '/vgg16_weights_th_dim_ordering_th_kernels_notop.h5')
    serve(vgg16, 'TF_WEIGHTS_PATH_NO_TOP', b'not this one',
          '/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5')
    with image_ordering('th'):
        model = vgg16.VGG16(include_top=False, input_shape=(3, 32, 32))
    assert (homes / 'models' / 'vgg16_weights_th_dim_ordering_th_kernels_notop.h5').exists()
    stored = dict(layers)
    for layer in model.layers:
        if layer.weights:
            kernel, bias = stored[layer.name]
            np.testing.assert_array_equal(K.get_value(layer.W), kernel[1][:, :, ::-1, ::-1])
            np.testing.assert_array_equal(K.get_value(layer.b), bias[1])


# ------------------------------------------------------------------ imagenet_utils
CLASSES = {str(i): ['n%08d' % i, 'class_%d' % i] for i in range(1000)}


@pytest.fixture
def class_index(serve, monkeypatch):
    monkeypatch.setattr(imagenet_utils, 'CLASS_INDEX', None)
    return serve(imagenet_utils, 'CLASS_INDEX_PATH', json.dumps(CLASSES).encode(),
                 '/imagenet_class_index.json')


def test_decode_predictions_gives_the_top_classes_by_score(class_index, server, homes):
    preds = np.random.RandomState(0).dirichlet(np.ones(1000), size=2)
    decoded = imagenet_utils.decode_predictions(preds, top=3)
    for row, top in zip(preds, decoded):
        best = np.argsort(row)[::-1][:3]
        assert top == [('n%08d' % i, 'class_%d' % i, pytest.approx(row[i])) for i in best]
    imagenet_utils.decode_predictions(preds)
    assert server.requests == ['/imagenet_class_index.json']
    assert (homes / 'models' / 'imagenet_class_index.json').exists()


def test_decode_predictions_refuses_other_shapes():
    with pytest.raises(ValueError, match=r'\(samples, 1000\); got shape \(2, 10\)'):
        imagenet_utils.decode_predictions(np.zeros((2, 10)))


@pytest.mark.parametrize('ordering', ['th', 'tf'])
def test_preprocess_input_is_keras_1_1_2s(ordering):
    rgb = np.random.RandomState(0).uniform(0, 255, (2, 4, 5, 3)).astype('float32')
    x = rgb if ordering == 'tf' else np.transpose(rgb, (0, 3, 1, 2))
    original = x.copy()
    with image_ordering(ordering):
        out = imagenet_utils.preprocess_input(x)
    expected = (rgb - [103.939, 116.779, 123.68])[..., ::-1]
    np.testing.assert_allclose(out if ordering == 'tf' else np.transpose(out, (0, 2, 3, 1)),
                               expected, rtol=1e-5)
    np.testing.assert_array_equal(x, original)
    with pytest.raises(ValueError, match='batch of RGB images'):
        imagenet_utils.preprocess_input(x[:, :2] if ordering == 'th' else x[..., :2])


def test_kcore_apps_lists_the_weight_files_and_which_are_cached(homes, capsys):
    from kcore import cli
    cached = homes / 'models' / 'resnet50_weights_tf_dim_ordering_tf_kernels.h5'
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b'weights')
    assert cli.main(['apps']) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:3] == ['application', 'file', 'status']
    rows = {file: (app, rest.startswith('downloaded'))
            for app, file, rest in (line.split(None, 2) for line in lines[1:])}
    assert rows['resnet50_weights_tf_dim_ordering_tf_kernels.h5'] == ('resnet50', True)
    assert rows['vgg16_weights_th_dim_ordering_th_kernels_notop.h5'] == ('vgg16', False)
    assert not any(line.startswith('imagenet_utils') for line in lines)
