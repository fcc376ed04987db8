"""What the examples share: the command line (``--smoke``), small synthetic stand-ins for
the downloaded datasets in the same formats as their loaders, and image reshaping for the
image ordering. ``--smoke`` runs never touch the network."""
import argparse

import numpy as np

from kcore import backend as K


def parser(doc, epochs):
    """An argument parser with ``--smoke`` and ``--epochs`` (default ``epochs``)."""
    result = argparse.ArgumentParser(description=doc.strip().split('\n')[0])
    result.add_argument('--smoke', action='store_true',
                        help='a few batches on small synthetic data, offline')
    result.add_argument('--epochs', type=int, default=epochs)
    return result


def digit_images(n, rng, size=28, nb_classes=10):
    """``(X, y)`` as mnist's: X uint8 (n, size, size), a noisy bar whose place and
    direction depend on the class y (uint8)."""
    y = rng.randint(0, nb_classes, n).astype('uint8')
    x = rng.randint(0, 60, (n, size, size))
    step = max(1, size // 6)
    for i, label in enumerate(y):
        where = (int(label) % 5) * step + 1
        if label < 5:
            x[i, where:where + step, 2:-2] = 255
        else:
            x[i, 2:-2, where:where + step] = 255
    return x.astype('uint8'), y


def mnist(smoke, n_train=256, n_test=64, size=28):
    """mnist.load_data() (a download), or synthetic digits of the same format."""
    if not smoke:
        from kcore.datasets import mnist as dataset
        return dataset.load_data()
    rng = np.random.RandomState(0)
    return digit_images(n_train, rng, size), digit_images(n_test, rng, size)


def word_sequences(n, rng, nb_words, length, nb_classes=2):
    """``(X, y)`` as imdb's and reuters': X an object array of word-index lists whose
    words lean towards a band of the vocabulary that depends on the class y."""
    y = rng.randint(0, nb_classes, n)
    band = max(1, (nb_words - 3) // nb_classes)
    x = np.empty(n, dtype=object)
    for i, label in enumerate(y):
        size = rng.randint(length // 2, length + 1)
        common = rng.randint(3, nb_words, size)
        typical = rng.randint(3 + label * band, 3 + (label + 1) * band, size)
        x[i] = list(np.where(rng.rand(size) < 0.5, common, typical).astype(int))
    return x, y


def imdb(smoke, nb_words, n_train=128, n_test=64, length=40):
    """imdb.load_data(nb_words=...) (a download), or synthetic reviews of its format."""
    if not smoke:
        from kcore.datasets import imdb as dataset
        return dataset.load_data(nb_words=nb_words)
    rng = np.random.RandomState(0)
    return (word_sequences(n_train, rng, nb_words, length),
            word_sequences(n_test, rng, nb_words, length))


def reuters(smoke, nb_words, n_train=128, n_test=64, length=40, nb_classes=8):
    """reuters.load_data(nb_words=...) (a download), or synthetic newswires."""
    if not smoke:
        from kcore.datasets import reuters as dataset
        return dataset.load_data(nb_words=nb_words, test_split=0.2)
    rng = np.random.RandomState(1)
    return (word_sequences(n_train, rng, nb_words, length, nb_classes),
            word_sequences(n_test, rng, nb_words, length, nb_classes))


def cifar10(smoke, n_train=64, n_test=32):
    """cifar10.load_data() (a download), or random colour images with a class-coloured
    square, in the loader's format (uint8, the image ordering's layout; y of shape (n, 1))."""
    if not smoke:
        from kcore.datasets import cifar10 as dataset
        return dataset.load_data()
    rng = np.random.RandomState(0)

    def part(n):
        y = rng.randint(0, 10, (n, 1)).astype('uint8')
        x = rng.randint(0, 80, (n, 32, 32, 3))
        for i, label in enumerate(y[:, 0]):
            x[i, 8:24, 8:24, label % 3] = 100 + 15 * int(label)
        x = x.astype('uint8')
        return (x.transpose(0, 3, 1, 2) if K.image_dim_ordering() == 'th' else x), y
    return part(n_train), part(n_test)


def image_batch(x, channels=1):
    """Images (n, rows, cols) or (n, rows, cols, channels) as float32 in [0, 1], laid out
    for the image ordering."""
    x = x.astype('float32') / 255
    if x.ndim == 3:
        x = x[..., np.newaxis]
    return x.transpose(0, 3, 1, 2) if K.image_dim_ordering() == 'th' else x


def image_shape(rows, cols, channels):
    """The input shape of one image for the image ordering."""
    return (channels, rows, cols) if K.image_dim_ordering() == 'th' else (rows, cols, channels)


BABI_ORIGIN = 'https://s3.amazonaws.com/text-datasets/babi_tasks_1-20_v1-2.tar.gz'
PEOPLE = ('Mary', 'John', 'Sandra', 'Daniel')
PLACES = ('kitchen', 'garden', 'office', 'hallway', 'bathroom', 'bedroom')
MOVES = ('moved to', 'went to', 'travelled to', 'journeyed to')


def babi_lines(nb_stories, rng):
    """Stories in the text form of bAbI task 1: "1 Mary moved to the kitchen.", ...,
    "3 Where is Mary? \\tkitchen\\t1"."""
    lines = []
    for _ in range(nb_stories):
        where, number = {}, 0
        for _ in range(rng.randint(2, 5)):
            for _ in range(2):
                person, place = rng.choice(PEOPLE), rng.choice(PLACES)
                where[person] = (place, number + 1)
                number += 1
                lines.append('%d %s %s the %s.' % (number, person, rng.choice(MOVES), place))
            person = rng.choice(sorted(where))
            number += 1
            lines.append('%d Where is %s? \t%s\t%d' % (number, person, *where[person]))
    return lines


def babi(smoke, task):
    """(train_lines, test_lines) of a bAbI task file such as
    'tasks_1-20_v1-2/en/qa1_single-supporting-fact_{}.txt' (from BABI_ORIGIN through
    get_file), or synthetic stories of task 1's form."""
    if smoke:
        rng = np.random.RandomState(0)
        return babi_lines(60, rng), babi_lines(20, rng)
    import tarfile
    from kcore.utils.data_utils import get_file
    path = get_file('babi-tasks-v1-2.tar.gz', origin=BABI_ORIGIN)
    with tarfile.open(path) as archive:
        return tuple(archive.extractfile(task.format(part)).read().decode('utf-8').splitlines()
                     for part in ('train', 'test'))
