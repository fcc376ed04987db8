"""Each dataset's load_data on tiny files in the real formats (Python 2 pickles, gzip,
tar.gz), served from 127.0.0.1, against hand-computed expectations."""
import gzip
import hashlib
import io
import os
import pickle
import tarfile

import numpy as np
import pytest

from kcore import config
from kcore.datasets import cifar10, cifar100, digits, imdb, mnist, reuters
from kcore_apps.datasets import safe_pickle
from py2_pickle import Str, dumps


def tar_gz(folder, files):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode='w:gz') as archive:
        for name, data in files.items():
            info = tarfile.TarInfo('%s/%s' % (folder, name))
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


# ---- mnist ----

def test_mnist_reads_a_python2_gzip_pickle(serve):
    rng = np.random.RandomState(0)
    x = rng.randint(0, 256, size=(50, 28, 28)).astype('uint8')
    y = rng.randint(0, 10, size=50).astype('uint8')
    serve(mnist, 'ORIGIN', gzip.compress(dumps(((x[:40], y[:40]), (x[40:], y[40:])))))
    (x_train, y_train), (x_test, y_test) = mnist.load_data()
    assert x_train.dtype == np.uint8 and x_train.shape == (40, 28, 28)
    np.testing.assert_array_equal(x_train, x[:40])
    np.testing.assert_array_equal(y_test, y[40:])
    assert x_test.shape == (10, 28, 28) and y_train.shape == (40,)


def test_a_pickle_that_would_run_code_is_refused(serve, tmp_path):
    marker = tmp_path / 'payload-ran'

    class Payload:
        def __reduce__(self):
            return os.system, ('touch %s' % marker,)

    serve(mnist, 'ORIGIN', gzip.compress(pickle.dumps(Payload(), protocol=2)))
    with pytest.raises(safe_pickle.UnsafePickleError) as e:
        mnist.load_data()
    assert 'mnist.pkl.gz' in str(e.value) and 'system' in str(e.value)
    assert not marker.exists()


def test_a_file_that_is_no_pickle_names_the_file(serve):
    serve(mnist, 'ORIGIN', gzip.compress(b'<html>not found</html>'))
    with pytest.raises(ValueError, match='mnist.pkl.gz is not a readable dataset pickle'):
        mnist.load_data()


# ---- cifar ----

def cifar_batch(rows, seed, label_keys):
    rng = np.random.RandomState(seed)
    data = rng.randint(0, 256, size=(rows, 3072)).astype('uint8')
    batch = {Str(b'batch_label'): Str(b'a small batch'), Str(b'data'): data}
    labels = {key: [int(v) for v in rng.randint(0, 100, size=rows)] for key in label_keys}
    batch.update({Str(key.encode()): value for key, value in labels.items()})
    return data, labels, dumps(batch)


def serve_cifar10(serve):
    files, datas, labels = {}, [], []
    for i, name in enumerate(['data_batch_%d' % i for i in range(1, 6)] + ['test_batch']):
        data, label, files[name] = cifar_batch(2 if i < 5 else 3, i, ['labels'])
        datas.append(data)
        labels.append(label['labels'])
    serve(cifar10, 'ORIGIN', tar_gz('cifar-10-batches-py', files))
    return np.concatenate(datas[:5]), sum(labels[:5], []), datas[5], labels[5]


def test_cifar10_th_and_tf_orderings(serve):
    x_train, y_train, x_test, y_test = serve_cifar10(serve)
    config.set_image_dim_ordering('th')
    (xt, yt), (xs, ys) = cifar10.load_data()
    assert xt.shape == (10, 3, 32, 32) and xt.dtype == np.uint8
    assert yt.shape == (10, 1) and ys.shape == (3, 1)
    # pixel (row 5, col 7) of channel 2 of training image 3 is byte 2*1024 + 5*32 + 7
    assert xt[3, 2, 5, 7] == x_train[3, 2 * 1024 + 5 * 32 + 7]
    assert yt[:, 0].tolist() == y_train and ys[:, 0].tolist() == y_test
    config.set_image_dim_ordering('tf')
    (xt_tf, _), (xs_tf, _) = cifar10.load_data()
    assert xt_tf.shape == (10, 32, 32, 3) and xs_tf.shape == (3, 32, 32, 3)
    assert xt_tf[3, 5, 7, 2] == x_train[3, 2 * 1024 + 5 * 32 + 7]
    np.testing.assert_array_equal(xs_tf, xs.transpose(0, 2, 3, 1))


def test_cifar100_fine_and_coarse_labels(serve):
    keys = ['fine_labels', 'coarse_labels']
    train, train_labels, train_file = cifar_batch(4, 1, keys)
    test, test_labels, test_file = cifar_batch(2, 2, keys)
    serve(cifar100, 'ORIGIN', tar_gz('cifar-100-python', {'train': train_file, 'test': test_file}))
    config.set_image_dim_ordering('th')
    (x, y), (xs, ys) = cifar100.load_data()
    assert x.shape == (4, 3, 32, 32) and y[:, 0].tolist() == train_labels['fine_labels']
    (_, y), (_, ys) = cifar100.load_data(label_mode='coarse')
    assert y[:, 0].tolist() == train_labels['coarse_labels']
    assert ys[:, 0].tolist() == test_labels['coarse_labels']
    with pytest.raises(ValueError, match="'fine' or 'coarse'"):
        cifar100.load_data(label_mode='medium')


def test_a_cifar_batch_without_labels_names_the_file(serve):
    files = {'train': dumps({Str(b'data'): np.zeros((1, 3072), 'uint8')}), 'test': b''}
    serve(cifar100, 'ORIGIN', tar_gz('cifar-100-python', files))
    with pytest.raises(ValueError, match="train should be a CIFAR batch.*'fine_labels'"):
        cifar100.load_data()


# ---- imdb and reuters ----

TRAIN = [[1, 5, 2], [3], [4, 4, 6, 7]]   # frequency ranks, as in the files
TEST = [[2, 8], [9, 1, 1, 1, 1]]


def keras_order(n, seed):
    """The order numpy's legacy shuffle gives a list of n items after np.random.seed(seed)
    (what Keras 1.1.2 ran): the reference the loaders must reproduce."""
    state = np.random.get_state()
    try:
        np.random.seed(seed)
        order = list(range(n))
        np.random.shuffle(order)
    finally:
        np.random.set_state(state)
    return order


def serve_imdb(serve, monkeypatch):
    body = dumps(((TRAIN, [1, 0, 1]), (TEST, [0, 1])))
    serve(imdb, 'ORIGIN', body)
    monkeypatch.setattr(imdb, 'MD5', hashlib.md5(body).hexdigest())


def in_order(rows, seed):
    return [rows[i] for i in keras_order(len(rows), seed)]


def test_imdb_defaults_shift_and_mark_each_sequence(serve, monkeypatch):
    serve_imdb(serve, monkeypatch)
    (x, y), (xs, ys) = imdb.load_data()
    assert x.dtype == object and x.shape == (3,)
    expected = [[1, 4, 8, 5], [1, 6], [1, 7, 7, 9, 10]]
    assert list(x) == in_order(expected, 113)
    assert y.tolist() == in_order([1, 0, 1], 113)
    assert list(xs) == in_order([[1, 5, 11], [1, 12, 4, 4, 4, 4]], 226)
    assert ys.tolist() == in_order([0, 1], 226)


@pytest.mark.parametrize('kwargs, train, test', [
    # words >= nb_words become oov_char
    (dict(nb_words=8), [[1, 4, 2, 5], [1, 6], [1, 7, 7, 2, 2]], [[1, 5, 2], [1, 2, 4, 4, 4, 4]]),
    # oov_char=None drops them
    (dict(nb_words=8, oov_char=None), [[1, 4, 5], [1, 6], [1, 7, 7]],
     [[1, 5], [1, 4, 4, 4, 4]]),
    # skip_top compares the shifted index, as Keras 1.1.2 (the start mark 1 is below 5 too)
    (dict(skip_top=5), [[2, 2, 8, 5], [2, 6], [2, 7, 7, 9, 10]], [[2, 5, 11], [2, 12, 2, 2, 2, 2]]),
    # no start mark, another shift and oov
    (dict(start_char=None, index_from=1, nb_words=5, oov_char=9),
     [[2, 9, 3], [4], [9, 9, 9, 9]], [[3, 9], [9, 2, 2, 2, 2]]),
    # start_char None and index_from 0: the file's ranks as they are
    (dict(start_char=None, index_from=0), TRAIN, TEST),
])
def test_imdb_vocabulary_arguments(serve, monkeypatch, kwargs, train, test):
    serve_imdb(serve, monkeypatch)
    (x, _), (xs, _) = imdb.load_data(**kwargs)
    assert list(x) == in_order(train, 113) and list(xs) == in_order(test, 226)


def test_imdb_maxlen_drops_long_sequences_from_each_part(serve, monkeypatch):
    serve_imdb(serve, monkeypatch)
    (x, y), (xs, ys) = imdb.load_data(maxlen=4, seed=7)
    # train keeps [1, 6] (length 2); test keeps [1, 5, 11] (length 3): lengths < maxlen
    assert list(x) == [[1, 6]] and y.tolist() == [0]
    assert list(xs) == [[1, 5, 11]] and ys.tolist() == [0]
    with pytest.raises(ValueError, match='maxlen=2'):
        imdb.load_data(maxlen=2)


def test_imdb_checks_the_md5_of_its_file(serve):
    serve(imdb, 'ORIGIN', dumps(((TRAIN, [1, 0, 1]), (TEST, [0, 1]))))
    with pytest.raises(OSError, match='md5'):
        imdb.load_data()


def test_reuters_split_after_the_shuffle(serve):
    texts = [[i + 1, i + 2] for i in range(10)]
    topics = list(range(10))
    serve(reuters, 'ORIGIN', dumps((texts, topics)))
    (x, y), (xs, ys) = reuters.load_data(test_split=0.3, seed=5)
    order = keras_order(10, 5)
    assert y.tolist() == [topics[i] for i in order[:7]] and ys.tolist() == [
        topics[i] for i in order[7:]]
    assert list(x) == [[1, texts[i][0] + 3, texts[i][1] + 3] for i in order[:7]]
    assert len(xs) == 3
    with pytest.raises(ValueError, match='test_split'):
        reuters.load_data(test_split=1.5)


def test_word_indexes(serve, monkeypatch):
    index = {Str(b'the'): 1, Str(b'caf\xe9'): 2, Str(b'giraffe'): 1234}
    body = dumps(index)
    serve(imdb, 'WORD_INDEX_ORIGIN', body, path='/imdb_word_index.pkl')
    monkeypatch.setattr(imdb, 'WORD_INDEX_MD5', hashlib.md5(body).hexdigest())
    assert imdb.get_word_index() == {'the': 1, 'café': 2, 'giraffe': 1234}
    serve(reuters, 'WORD_INDEX_ORIGIN', body, path='/reuters_word_index.pkl')
    assert reuters.get_word_index()['giraffe'] == 1234


# ---- digits ----

def test_digits_need_no_download(server):
    from sklearn.datasets import load_digits
    (x, y), (xs, ys) = digits.load_data()
    assert x.shape == (1437, 8, 8) and xs.shape == (360, 8, 8)
    assert x.dtype == np.uint8 and y.dtype == np.uint8 and x.max() == 255
    order = np.random.RandomState(113).permutation(1797)
    source = load_digits()
    np.testing.assert_array_equal(y, source.target[order[:1437]])
    np.testing.assert_array_equal(x[0], np.round(source.images[order[0]] * 255 / 16))
    (x2, _), _ = digits.load_data(test_split=0.5, seed=1)
    assert len(x2) == 898
    assert server.requests == []
