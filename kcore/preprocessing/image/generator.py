"""``ImageDataGenerator``: batches of images with real-time augmentation and normalisation.

Each sample goes through, in this order: ``rescale``; the random transform (rotation,
shift, shear and zoom in one affine map, then channel shift and flips); the sample-wise
steps; the feature-wise steps (statistics from ``fit``); ZCA whitening."""
import numpy as np

from kcore import config
from kcore.preprocessing.image import transforms
from kcore.preprocessing.image.files import SAMPLE_AXES, check_images, resolve_ordering
from kcore.preprocessing.image.iterators import DirectoryIterator, NumpyArrayIterator

ZCA_EPSILON = 1e-6   # added to the covariance's eigenvalues before taking 1 / sqrt


class ImageDataGenerator:
    """Real-time data augmentation: ``flow`` and ``flow_from_directory`` make iterators that
    yield transformed and normalised batches forever. ``dim_ordering='default'`` means the
    config's ``image_dim_ordering``; ``shear_range`` is in radians, ``rotation_range`` in
    degrees, the shift ranges are fractions of the image's height and width."""

    def __init__(self, featurewise_center=False, samplewise_center=False,
                 featurewise_std_normalization=False, samplewise_std_normalization=False,
                 zca_whitening=False, rotation_range=0., width_shift_range=0.,
                 height_shift_range=0., shear_range=0., zoom_range=0.,
                 channel_shift_range=0., fill_mode='nearest', cval=0.,
                 horizontal_flip=False, vertical_flip=False, rescale=None,
                 dim_ordering='default'):
        transforms.check_fill_mode(fill_mode)
        self.featurewise_center = featurewise_center
        self.samplewise_center = samplewise_center
        self.featurewise_std_normalization = featurewise_std_normalization
        self.samplewise_std_normalization = samplewise_std_normalization
        self.zca_whitening = zca_whitening
        self.rotation_range = rotation_range
        self.width_shift_range = width_shift_range
        self.height_shift_range = height_shift_range
        self.shear_range = shear_range
        self.zoom_range = transforms.zoom_pair(zoom_range)
        self.channel_shift_range = channel_shift_range
        self.fill_mode = fill_mode
        self.cval = cval
        self.horizontal_flip = horizontal_flip
        self.vertical_flip = vertical_flip
        self.rescale = rescale
        self.dim_ordering = resolve_ordering(dim_ordering)
        self.row_index, self.col_index, self.channel_index = SAMPLE_AXES[self.dim_ordering]
        self.mean = self.std = self.principal_components = None

    # ------------------------------------------------------------ iterators
    def flow(self, X, y=None, batch_size=32, shuffle=True, seed=None, save_to_dir=None,
             save_prefix='', save_format='jpeg'):
        """An iterator over batches of ``X`` (and ``y``): yields ``(x, y)``, or ``x`` alone
        when ``y`` is None."""
        return NumpyArrayIterator(X, y, self, batch_size=batch_size, shuffle=shuffle,
                                  seed=seed, dim_ordering=self.dim_ordering,
                                  save_to_dir=save_to_dir, save_prefix=save_prefix,
                                  save_format=save_format)

    def flow_from_directory(self, directory, target_size=(256, 256), color_mode='rgb',
                            classes=None, class_mode='categorical', batch_size=32,
                            shuffle=True, seed=None, save_to_dir=None, save_prefix='',
                            save_format='jpeg'):
        """An iterator over batches of the pictures in ``directory``'s class subfolders."""
        return DirectoryIterator(directory, self, target_size=target_size,
                                 color_mode=color_mode, dim_ordering=self.dim_ordering,
                                 classes=classes, class_mode=class_mode,
                                 batch_size=batch_size, shuffle=shuffle, seed=seed,
                                 save_to_dir=save_to_dir, save_prefix=save_prefix,
                                 save_format=save_format)

    # ----------------------------------------------------- one sample at a time
    def augment_and_standardize(self, x, rng=None):
        """One sample as the iterators yield it: rescaled, randomly transformed (drawing
        from ``rng``), then normalised."""
        return self._normalize(self.random_transform(self._rescale(x), rng))

    def standardize(self, x):
        """One sample rescaled and normalised (sample-wise, feature-wise, ZCA)."""
        return self._normalize(self._rescale(x))

    def _rescale(self, x):
        x = np.array(x, dtype=config.floatx())
        if self.rescale:
            x *= self.rescale
        return x

    def _normalize(self, x):
        return self._featurewise(self._samplewise(x))

    def _samplewise(self, x):
        if self.samplewise_center:
            x -= np.mean(x)
        if self.samplewise_std_normalization:
            x /= np.std(x) + config.epsilon()
        return x

    def _featurewise(self, x):
        if self.featurewise_center:
            x -= self._statistic('mean', 'featurewise_center', x.shape)
        if self.featurewise_std_normalization:
            x /= self._statistic('std', 'featurewise_std_normalization', x.shape) \
                + config.epsilon()
        if self.zca_whitening:
            components = self._statistic('principal_components', 'zca_whitening',
                                         (x.size, x.size))
            x = (x.reshape(-1) @ components).reshape(x.shape)
        return x

    def _statistic(self, name, option, shape):
        value = getattr(self, name)
        if value is None:
            raise ValueError('%s=True needs statistics of the training data: call fit(X) on '
                             'this ImageDataGenerator first.' % option)
        if value.shape != tuple(shape):
            raise ValueError('%s: fit() computed %s for samples of another shape (%s has shape '
                             '%s, expected %s); fit on images of the size you flow.'
                             % (option, name, name, value.shape, tuple(shape)))
        return value

    def random_transform(self, x, rng=None):
        """One sample with a random transform drawn from ``rng`` (a RandomState; numpy's
        global generator when None): rotation, shift, shear and zoom about the centre,
        then channel shift and flips."""
        rng = np.random if rng is None else rng
        x = np.asarray(x)
        if self._geometric():
            x = transforms.apply_centered(x, self._random_matrix(x, rng), self.row_index,
                                          self.col_index, self.channel_index, self.fill_mode,
                                          self.cval)
        if self.channel_shift_range:
            x = transforms.random_channel_shift(x, self.channel_shift_range,
                                                self.channel_index, rng)
        if self.horizontal_flip and rng.random_sample() < 0.5:
            x = transforms.flip_axis(x, self.col_index)
        if self.vertical_flip and rng.random_sample() < 0.5:
            x = transforms.flip_axis(x, self.row_index)
        return x

    def _geometric(self):
        """Whether a rotation, shift, shear or zoom is asked for (each needs scipy)."""
        return bool(self.rotation_range or self.width_shift_range or self.height_shift_range
                    or self.shear_range or self.zoom_range != (1., 1.))

    def _random_matrix(self, x, rng):
        """Rotation, shift, shear and zoom drawn (in that order) and composed."""
        def draw(bound):
            return rng.uniform(-bound, bound) if bound else 0.
        theta = np.deg2rad(draw(self.rotation_range))
        tx = draw(self.height_shift_range) * x.shape[self.row_index]
        ty = draw(self.width_shift_range) * x.shape[self.col_index]
        shear = draw(self.shear_range)
        zx, zy = (1., 1.) if self.zoom_range == (1., 1.) else rng.uniform(*self.zoom_range, 2)
        return (transforms.rotation_matrix(theta) @ transforms.shift_matrix(tx, ty)
                @ transforms.shear_matrix(shear) @ transforms.zoom_matrix(zx, zy))

    # ------------------------------------------------------------------- fit
    def fit(self, X, augment=False, rounds=1, seed=None, **kwargs):
        """Compute the statistics that featurewise_center, featurewise_std_normalization
        and zca_whitening need from the sample array ``X``, after ``rescale`` and the
        sample-wise steps (as ``standardize`` applies them). With ``augment``, from
        ``rounds`` randomly transformed copies of X, drawn with ``seed``. ``round`` is
        accepted for ``rounds`` (the documentation's argument list spells it so)."""
        rounds = _rounds(rounds, kwargs)
        X = check_images(X, self.dim_ordering, 'ImageDataGenerator.fit')
        rng = np.random if seed is None else np.random.RandomState(seed)
        X = np.stack([self._rescale(x) for x in X])
        if augment:
            X = np.stack([self.random_transform(x, rng) for _ in range(rounds) for x in X])
        X = np.stack([self._samplewise(x) for x in X])
        if self.featurewise_center:
            self.mean = np.mean(X, axis=0)
            X -= self.mean
        if self.featurewise_std_normalization:
            self.std = np.std(X, axis=0)
            X /= self.std + config.epsilon()
        if self.zca_whitening:
            self.principal_components = zca_matrix(X.reshape(len(X), -1))


def _rounds(rounds, kwargs):
    if 'round' in kwargs:
        rounds = kwargs.pop('round')
    if kwargs:
        raise TypeError('ImageDataGenerator.fit got unexpected keyword arguments %s; it takes '
                        'X, augment, rounds (or round) and seed.' % sorted(kwargs))
    if int(rounds) != rounds or rounds < 1:
        raise ValueError('rounds must be a positive integer; got %r.' % (rounds,))
    return int(rounds)


def zca_matrix(flat):
    """The ZCA whitening matrix of the rows of ``flat`` (samples, features): multiplying
    centred samples by it gives them the identity covariance."""
    flat = flat.astype('float64')
    flat = flat - flat.mean(axis=0)
    sigma = flat.T @ flat / len(flat)
    u, s, _ = np.linalg.svd(sigma)
    return ((u / np.sqrt(s + ZCA_EPSILON)) @ u.T).astype(config.floatx())
