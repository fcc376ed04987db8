"""Iterators that yield batches forever: ``Iterator`` (batches of indices, thread-safe,
reshuffled each epoch), ``NumpyArrayIterator`` (over arrays, from
``ImageDataGenerator.flow``) and ``DirectoryIterator`` (over a folder of class
subfolders, from ``ImageDataGenerator.flow_from_directory``).

Each iterator draws from its own ``np.random.RandomState``: under the lock, the epoch's
permutation and one seed per sample of the batch; each sample is then transformed with
a generator seeded by its seed. So identical arguments and seeds give identical streams,
whatever the image's channel count and however many threads pull from the iterator."""
import os
import threading

import numpy as np

from kcore import config
from kcore.preprocessing.image.files import (SAMPLE_AXES, array_to_img, check_channels,
                                             check_directory, check_images, img_to_array,
                                             load_img, resolve_ordering)

MAX_SEED = 2 ** 31 - 1
IMAGE_EXTENSIONS = ('png', 'jpg', 'jpeg', 'bmp')
SAVE_FORMATS = ('png', 'jpeg')
CLASS_MODES = ('categorical', 'binary', 'sparse', None)
COLOR_MODES = {'rgb': 3, 'grayscale': 1}


class Iterator:
    """Batches of indices into ``N`` samples, forever: each epoch visits every index once
    (in a new random order when ``shuffle``); its last batch holds what is left. A
    ``seed`` of None draws one from numpy's global generator (so ``np.random.seed``
    still makes runs repeatable)."""

    def __init__(self, N, batch_size, shuffle, seed):
        if int(N) < 1:
            raise ValueError('An iterator needs at least one sample; got N=%r.' % (N,))
        if int(batch_size) != batch_size or batch_size < 1:
            raise ValueError('batch_size must be a positive integer; got %r.' % (batch_size,))
        self.N, self.batch_size, self.shuffle = int(N), int(batch_size), bool(shuffle)
        self.seed = np.random.randint(MAX_SEED) if seed is None else seed
        self.rng = np.random.RandomState(self.seed)
        self.batch_index = 0
        self.total_batches_seen = 0
        self.index_array = None
        self.lock = threading.Lock()
        self.index_generator = self._flow_index()

    def reset(self):
        """Start a new epoch at the next batch."""
        self.batch_index = 0

    def _flow_index(self):
        """Yields ``(indices, position of the first in the epoch, batch size)`` forever."""
        while True:
            if self.batch_index == 0:
                self.index_array = (self.rng.permutation(self.N) if self.shuffle
                                    else np.arange(self.N))
            start = self.batch_index * self.batch_size
            size = min(self.batch_size, self.N - start)
            self.batch_index = 0 if start + size >= self.N else self.batch_index + 1
            self.total_batches_seen += 1
            yield self.index_array[start:start + size], start, size

    def next_indices(self):
        """The next batch's indices, its position in the epoch and one seed per sample,
        taken under the lock."""
        with self.lock:
            index_array, current_index, size = next(self.index_generator)
            seeds = self.rng.randint(MAX_SEED, size=size)
        return index_array, current_index, seeds

    def __iter__(self):
        return self

    def __next__(self):
        return self.next()

    def next(self):
        """The next batch; defined by each kind of iterator."""
        raise NotImplementedError('%s must define next(), which builds a batch from '
                                  'next_indices().' % type(self).__name__)


class _ImageBatches(Iterator):
    """What the two image iterators share: transforming a batch and saving it."""

    def __init__(self, N, image_data_generator, dim_ordering, batch_size, shuffle, seed,
                 save_to_dir, save_prefix, save_format):
        super().__init__(N, batch_size, shuffle, seed)
        self.image_data_generator = image_data_generator
        self.dim_ordering = resolve_ordering(dim_ordering)
        self.save_to_dir, self.save_prefix = save_to_dir, save_prefix
        self.save_format = save_format

    def _check_saving(self, image_shape):
        if self.save_to_dir is None:
            return
        if self.save_format not in SAVE_FORMATS:
            raise ValueError("save_format must be 'png' or 'jpeg'; got %r."
                             % (self.save_format,))
        channels = image_shape[SAMPLE_AXES[self.dim_ordering][2]]
        check_channels(channels, image_shape, self.dim_ordering, 'save_to_dir')
        if channels == 4 and self.save_format == 'jpeg':
            raise ValueError("save_to_dir: JPEG cannot store 4 channels (RGBA); pass "
                             "save_format='png'.")
        os.makedirs(self.save_to_dir, exist_ok=True)

    def _transform(self, samples, seeds):
        generator = self.image_data_generator
        return np.stack([generator.augment_and_standardize(x, np.random.RandomState(seed))
                         for x, seed in zip(samples, seeds)])

    def _save(self, batch_x, current_index, seeds):
        for offset, (x, seed) in enumerate(zip(batch_x, seeds)):
            name = '%s_%d_%d.%s' % (self.save_prefix, current_index + offset, seed % 10 ** 4,
                                    self.save_format)
            img = array_to_img(x, self.dim_ordering, scale=True)
            img.save(os.path.join(self.save_to_dir, name), format=self.save_format)

    def _batch(self, load):
        """The next batch of transformed samples, ``load(index)`` giving each raw one;
        returns the batch and its indices."""
        index_array, current_index, seeds = self.next_indices()
        batch_x = self._transform((load(j) for j in index_array), seeds)
        if self.save_to_dir is not None:
            self._save(batch_x, current_index, seeds)
        return batch_x, index_array


class NumpyArrayIterator(_ImageBatches):
    """Batches of the images ``X`` (rank 4) and labels ``y`` (the same length, or None),
    transformed by ``image_data_generator``; yields ``(x, y)``, or ``x`` without ``y``."""

    def __init__(self, X, y, image_data_generator, batch_size=32, shuffle=False, seed=None,
                 dim_ordering='default', save_to_dir=None, save_prefix='',
                 save_format='jpeg'):
        ordering = resolve_ordering(dim_ordering)
        X = check_images(X, ordering, 'ImageDataGenerator.flow', stacklevel=4)
        if y is not None:
            y = np.asarray(y)
            if len(y) != len(X):
                raise ValueError('X and y must hold the same number of samples; got X of '
                                 'shape %s and y of shape %s.' % (X.shape, y.shape))
        super().__init__(len(X), image_data_generator, ordering, batch_size, shuffle, seed,
                         save_to_dir, save_prefix, save_format)
        self.X, self.y = X, y
        self._check_saving(X.shape[1:])

    def next(self):
        batch_x, index_array = self._batch(self.X.__getitem__)
        if self.y is None:
            return batch_x
        return batch_x, self.y[index_array]


class DirectoryIterator(_ImageBatches):
    """Batches of the pictures (png, jpg, jpeg, bmp) in the class subfolders of
    ``directory``, loaded at ``target_size`` = (rows, cols), with labels by ``class_mode``:
    'categorical' (one-hot), 'binary' (0./1.), 'sparse' (class indices) or None (images
    only). Classes are the subfolders in alphabetical order unless ``classes`` lists
    them; other files are skipped."""

    def __init__(self, directory, image_data_generator, target_size=(256, 256),
                 color_mode='rgb', dim_ordering='default', classes=None,
                 class_mode='categorical', batch_size=32, shuffle=True, seed=None,
                 save_to_dir=None, save_prefix='', save_format='jpeg'):
        _check_choice('color_mode', color_mode, tuple(COLOR_MODES))
        _check_choice('class_mode', class_mode, CLASS_MODES)
        check_directory(directory, 'flow_from_directory')
        self.directory, self.color_mode, self.class_mode = directory, color_mode, class_mode
        self.target_size = _target_size(target_size)
        class_names = _class_names(directory, classes)
        if class_mode == 'binary' and len(class_names) > 2:
            raise ValueError("class_mode='binary' gives labels 0 and 1, but %r has %d classes "
                             "(%s); use 'categorical' or 'sparse'."
                             % (directory, len(class_names), ', '.join(class_names)))
        self.nb_class = len(class_names)
        self.class_indices = {name: index for index, name in enumerate(class_names)}
        self.filenames, labels = _pictures(directory, class_names)
        self.classes = np.array(labels, dtype='int32')
        self.nb_sample = len(self.filenames)
        print('Found %d images belonging to %d classes.' % (self.nb_sample, self.nb_class))
        if not self.nb_sample:
            raise ValueError('flow_from_directory: no pictures (%s) in the class folders of '
                             '%r.' % (', '.join(IMAGE_EXTENSIONS), directory))
        ordering = resolve_ordering(dim_ordering)
        channels = (COLOR_MODES[color_mode],)
        self.image_shape = (self.target_size + channels if ordering == 'tf'
                            else channels + self.target_size)
        super().__init__(self.nb_sample, image_data_generator, ordering, batch_size, shuffle,
                         seed, save_to_dir, save_prefix, save_format)
        self._check_saving(self.image_shape)

    def _load(self, index):
        img = load_img(os.path.join(self.directory, self.filenames[index]),
                       grayscale=self.color_mode == 'grayscale', target_size=self.target_size)
        return img_to_array(img, self.dim_ordering)

    def next(self):
        batch_x, index_array = self._batch(self._load)
        labels = self.classes[index_array]
        if self.class_mode == 'sparse':
            return batch_x, labels
        if self.class_mode == 'binary':
            return batch_x, labels.astype(config.floatx())
        if self.class_mode == 'categorical':
            return batch_x, np.eye(self.nb_class, dtype=config.floatx())[labels]
        return batch_x


def _check_choice(name, value, allowed):
    if value not in allowed:
        raise ValueError('Unknown %s %r: expected one of %s.'
                         % (name, value, ', '.join(repr(a) for a in allowed)))


def _target_size(target_size):
    size = tuple(int(n) for n in target_size)
    if len(size) != 2 or min(size) < 1:
        raise ValueError('target_size must be (rows, cols), two positive integers; got %r.'
                         % (target_size,))
    return size


def _class_names(directory, classes):
    """The class subfolders: ``classes`` as given (each must exist), else all, sorted."""
    found = sorted(name for name in os.listdir(directory)
                   if os.path.isdir(os.path.join(directory, name)))
    if classes is None:
        return found
    missing = [name for name in classes if name not in found]
    if missing:
        raise ValueError('flow_from_directory: classes %s have no subfolder in %r (its '
                         'subfolders: %s).' % (missing, directory, ', '.join(found) or 'none'))
    return list(classes)


def _pictures(directory, class_names):
    """The picture files of each class folder, sorted: (paths relative to ``directory``,
    class index of each)."""
    filenames, labels = [], []
    for label, name in enumerate(class_names):
        folder = os.path.join(directory, name)
        for fname in sorted(os.listdir(folder)):
            extension = os.path.splitext(fname)[1][1:].lower()
            if extension in IMAGE_EXTENSIONS and os.path.isfile(os.path.join(folder, fname)):
                filenames.append(os.path.join(name, fname))
                labels.append(label)
    return filenames, labels
