"""kcore.preprocessing.image, one sample at a time: each transform on a small array whose
result is worked out by hand, the generator's normalisation numbers, ZCA, loading and
converting pictures, the optional dependencies and the errors."""
import numpy as np
import pytest

from kcore.preprocessing import image
from kcore.preprocessing.image import (ImageDataGenerator, apply_transform, array_to_img,
                                       flip_axis, img_to_array, list_pictures, load_img,
                                       random_barrel_transform, random_channel_shift,
                                       random_rotation, random_shear, random_shift,
                                       random_zoom, transform_matrix_offset_center)
from kcore_test_helpers.processes import run_python

PIL = pytest.importorskip('PIL.Image')
pytest.importorskip('scipy.ndimage')

GRID = np.arange(9, dtype='float32').reshape(3, 3)      # [[0 1 2] [3 4 5] [6 7 8]]
ROW = np.array([[1, 2, 3, 4], [1, 2, 3, 4]], dtype='float32')


class Draws:
    """A stand-in for a RandomState that returns chosen numbers, in order."""

    def __init__(self, *values):
        self.values = list(values)

    def uniform(self, low=0., high=1., size=None):
        return np.asarray(self.values.pop(0)) if size is not None else self.values.pop(0)

    def random_sample(self):
        return self.values.pop(0)


def th(plane):
    """One channel in 'th' layout, the default of the module functions: (1, rows, cols)."""
    return plane[np.newaxis]


# ------------------------------------------------------------------ transforms
def test_a_quarter_turn_moves_each_pixel_where_expected():
    turned = random_rotation(th(GRID), 90, rng=Draws(90.))
    np.testing.assert_array_equal(turned[0], [[6, 3, 0], [7, 4, 1], [8, 5, 2]])
    back = random_rotation(turned, 90, rng=Draws(-90.))
    np.testing.assert_array_equal(back[0], GRID)


@pytest.mark.parametrize('fill_mode, one, two', [
    ('constant', [2, 3, 4, -1], [3, 4, -1, -1]),
    ('nearest', [2, 3, 4, 4], [3, 4, 4, 4]),
    ('reflect', [2, 3, 4, 4], [3, 4, 4, 3]),
    ('wrap', [2, 3, 4, 1], [3, 4, 1, 2]),
])
def test_shifts_fill_the_uncovered_pixels_by_fill_mode(fill_mode, one, two):
    # uniform draws: the row shift (fraction of the height), then the column shift.
    shifted = random_shift(th(ROW), 0.5, 0.5, fill_mode=fill_mode, cval=-1, rng=Draws(0, .25))
    np.testing.assert_array_equal(shifted[0], [one, one])
    shifted = random_shift(th(ROW), 0.5, 0.5, fill_mode=fill_mode, cval=-1, rng=Draws(0, .5))
    np.testing.assert_array_equal(shifted[0], [two, two])


def test_zoom_in_and_out_about_the_centre():
    grid = np.arange(16, dtype='float32').reshape(4, 4)
    zoomed = random_zoom(th(grid), (0.5, 0.5))      # reads rows/cols 1, 1, 2, 2
    np.testing.assert_array_equal(zoomed[0], grid[[1, 1, 2, 2]][:, [1, 1, 2, 2]])
    shrunk = random_zoom(th(GRID), (2, 2), fill_mode='constant', cval=0)
    np.testing.assert_array_equal(shrunk[0], [[0, 0, 0], [0, 4, 0], [0, 0, 0]])


def test_a_shear_of_known_angle():
    # sin = 0.6, cos = 0.8: output (r, c) reads (r - 0.6 (c - 1), 1 + 0.8 (c - 1)).
    sheared = random_shear(th(GRID), 1., fill_mode='constant', cval=-1,
                           rng=Draws(np.arcsin(0.6)))
    np.testing.assert_array_equal(sheared[0], [[3, 1, -1], [6, 4, 2], [-1, 7, 5]])


def test_transforms_keep_the_channel_axis_where_it_is():
    rgb = np.stack([GRID, GRID + 10, GRID + 20], axis=-1)       # 'tf' layout
    turned = random_rotation(rgb, 90, row_index=0, col_index=1, channel_index=2,
                             rng=Draws(90.))
    assert turned.shape == (3, 3, 3)
    np.testing.assert_array_equal(turned[..., 2], np.rot90(GRID, -1) + 20)


def test_apply_transform_with_the_identity_and_a_centred_matrix():
    x = th(GRID)
    np.testing.assert_array_equal(apply_transform(x, np.eye(3)), x)
    half_turn = np.array([[-1, 0, 0], [0, -1, 0], [0, 0, 1]])
    centred = transform_matrix_offset_center(half_turn, 3, 3)
    np.testing.assert_allclose(centred, [[-1, 0, 2], [0, -1, 2], [0, 0, 1]])
    np.testing.assert_array_equal(apply_transform(x, centred)[0], GRID[::-1, ::-1])


def test_flip_axis_returns_a_reversed_copy():
    x = th(GRID)
    flipped = flip_axis(x, 2)
    np.testing.assert_array_equal(flipped[0], [[2, 1, 0], [5, 4, 3], [8, 7, 6]])
    flipped += 100
    np.testing.assert_array_equal(x[0], GRID)


def test_channel_shift_adds_one_amount_per_channel_and_clips():
    x = np.array([[[0., 10.]], [[5., 5.]]])                     # channels first
    shifted = random_channel_shift(x, 5., channel_index=0, rng=Draws([3., -4.]))
    np.testing.assert_array_equal(shifted, [[[3., 10.]], [[1., 1.]]])


def test_barrel_distortion_reads_from_further_out():
    rows, cols = np.indices((9, 9)) - 4.
    distance = np.sqrt(rows ** 2 + cols ** 2)[np.newaxis]
    np.testing.assert_array_equal(random_barrel_transform(distance, 0.), distance)
    bent = random_barrel_transform(distance, 1., rng=Draws(1.))
    # Middle row, k = 1: column 4 + d reads column 4 + d (1 + d**2 / 32), rounded, clamped.
    np.testing.assert_array_equal(bent[0, 4], [4, 4, 2, 1, 0, 1, 2, 4, 4])
    assert (bent >= distance - 1e-6).all()


def test_unknown_fill_mode_and_bad_zoom_range():
    with pytest.raises(ValueError, match="Unknown fill_mode 'edge'.*'constant', 'nearest', "
                                         "'reflect' or 'wrap'"):
        ImageDataGenerator(fill_mode='edge')
    with pytest.raises(ValueError, match=r"pair \[lower, upper\]; got \[0.5\]"):
        ImageDataGenerator(zoom_range=[0.5])
    with pytest.raises(ValueError, match=r'0 < lower <= upper; got \(-0.5, 2.5\)'):
        ImageDataGenerator(zoom_range=1.5)
    assert ImageDataGenerator(zoom_range=0.2).zoom_range == pytest.approx((0.8, 1.2))
    assert ImageDataGenerator(zoom_range=[0.5, 2]).zoom_range == (0.5, 2.)
    with pytest.raises(ValueError, match=r'rank 3.*got an array of shape \(3, 3\)'):
        random_rotation(GRID, 10)


# --------------------------------------------------------- ImageDataGenerator
def test_dim_ordering_default_is_the_config_value():
    assert ImageDataGenerator().dim_ordering == 'tf'
    gen = ImageDataGenerator(dim_ordering='th')
    assert (gen.row_index, gen.col_index, gen.channel_index) == (1, 2, 0)
    with pytest.raises(ValueError, match="dim_ordering must be 'tf', 'th' or 'default'"):
        ImageDataGenerator(dim_ordering='channels_last')


def test_random_transform_flips_and_shifts_as_drawn():
    x = GRID[:, :, np.newaxis]
    gen = ImageDataGenerator(horizontal_flip=True, vertical_flip=True)
    np.testing.assert_array_equal(gen.random_transform(x, Draws(0.2, 0.7))[..., 0],
                                  GRID[:, ::-1])
    np.testing.assert_array_equal(gen.random_transform(x, Draws(0.7, 0.2))[..., 0],
                                  GRID[::-1])
    gen = ImageDataGenerator(width_shift_range=0.5, fill_mode='wrap')
    np.testing.assert_array_equal(gen.random_transform(x, Draws(1 / 3.))[..., 0],
                                  GRID[:, [1, 2, 0]])


def test_rescale_comes_before_the_transform_and_the_normalisation():
    x = ROW[:, :, np.newaxis]
    gen = ImageDataGenerator(rescale=10., width_shift_range=0.5, fill_mode='constant',
                             cval=-1)
    out = gen.augment_and_standardize(x, Draws(0.25))[..., 0]
    np.testing.assert_array_equal(out, [[20, 30, 40, -1]] * 2)   # cval is not rescaled
    X = np.array([[1., 3.], [3., 5.]]).reshape(2, 2, 1, 1)     # two 2x1 images
    gen = ImageDataGenerator(rescale=0.5, featurewise_center=True)
    gen.fit(X)
    np.testing.assert_allclose(gen.mean.ravel(), [1., 2.])       # the mean of 0.5 * X
    np.testing.assert_allclose(gen.standardize(X[1]).ravel(), [0.5, 0.5])


def test_samplewise_normalisation():
    x = np.array([[[1.], [2.]], [[3.], [6.]]])
    gen = ImageDataGenerator(samplewise_center=True, samplewise_std_normalization=True)
    # mean 3, variance (4 + 1 + 0 + 9) / 4 = 3.5
    np.testing.assert_allclose(gen.standardize(x), (x - 3) / np.sqrt(3.5), rtol=1e-5)


def test_featurewise_normalisation_uses_the_statistics_of_fit():
    a = np.array([[0., 2.], [4., 6.]])[:, :, np.newaxis]
    b = np.array([[2., 6.], [8., 10.]])[:, :, np.newaxis]
    gen = ImageDataGenerator(featurewise_center=True, featurewise_std_normalization=True)
    gen.fit(np.stack([a, b]))
    np.testing.assert_allclose(gen.mean[..., 0], [[1, 4], [6, 8]])
    np.testing.assert_allclose(gen.std[..., 0], [[1, 2], [2, 2]])
    np.testing.assert_allclose(gen.standardize(a), -np.ones((2, 2, 1)), rtol=1e-5)
    np.testing.assert_allclose(gen.standardize(b), np.ones((2, 2, 1)), rtol=1e-5)


def test_fit_with_augmentation_rounds_and_seed():
    X = np.random.RandomState(0).rand(5, 6, 6, 1)
    means = []
    for _ in range(2):
        gen = ImageDataGenerator(featurewise_center=True, rotation_range=45)
        gen.fit(X, augment=True, rounds=3, seed=7)
        means.append(gen.mean)
    np.testing.assert_array_equal(means[0], means[1])
    spelled = ImageDataGenerator(featurewise_center=True, rotation_range=45)
    spelled.fit(X, augment=True, round=3, seed=7)        # the argument list's spelling
    np.testing.assert_array_equal(spelled.mean, means[0])
    assert not np.allclose(means[0], X.mean(axis=0))
    with pytest.raises(TypeError, match=r"unexpected keyword arguments \['epochs'\]"):
        spelled.fit(X, epochs=2)
    with pytest.raises(ValueError, match='rounds must be a positive integer; got 0'):
        spelled.fit(X, augment=True, rounds=0)


def test_zca_whitening_gives_the_identity_covariance():
    rng = np.random.RandomState(0)
    mixing = rng.rand(4, 4) + np.eye(4)
    X = (rng.randn(3000, 4) @ mixing + 5.).reshape(3000, 2, 2, 1)
    gen = ImageDataGenerator(featurewise_center=True, zca_whitening=True)
    gen.fit(X)
    white = np.stack([gen.standardize(x) for x in X]).reshape(3000, 4).astype('float64')
    np.testing.assert_allclose(white.mean(axis=0), 0, atol=1e-4)
    np.testing.assert_allclose(np.cov(white, rowvar=False, bias=True), np.eye(4), atol=1e-3)


def test_featurewise_steps_need_fit_on_samples_of_the_same_shape():
    gen = ImageDataGenerator(zca_whitening=True)
    with pytest.raises(ValueError, match=r'zca_whitening=True needs statistics of the '
                                         r'training data: call fit\(X\)'):
        gen.standardize(np.zeros((2, 2, 1)))
    gen = ImageDataGenerator(featurewise_center=True)
    gen.fit(np.zeros((3, 4, 4, 1)))
    with pytest.raises(ValueError, match=r'mean has shape \(4, 4, 1\), expected \(5, 5, 1\)'):
        gen.standardize(np.zeros((5, 5, 1)))


def test_fit_wants_rank_four_and_warns_about_odd_channel_counts():
    gen = ImageDataGenerator(featurewise_center=True)
    with pytest.raises(ValueError, match=r"\(samples,\) \+ \(rows, cols, channels\) for "
                                         r"dim_ordering='tf'; got an array of shape "
                                         r"\(10, 8, 8\).*X\[\.\.\., np\.newaxis\]"):
        gen.fit(np.zeros((10, 8, 8)))
    with pytest.warns(UserWarning, match=r"has 8 channels for dim_ordering='tf'"):
        gen.fit(np.zeros((2, 3, 8, 8)))


# ------------------------------------------------------------ pictures, arrays
def test_img_to_array_and_back_in_both_orderings(tmp_path):
    pixels = np.random.RandomState(0).randint(0, 256, (5, 7, 3)).astype('uint8')
    path = tmp_path / 'photo.png'
    PIL.fromarray(pixels).save(path)
    img = load_img(path)
    assert img.mode == 'RGB' and img.size == (7, 5)
    x = img_to_array(img)
    assert x.dtype == np.float32 and x.shape == (5, 7, 3)
    np.testing.assert_array_equal(x, pixels)
    x_th = img_to_array(img, dim_ordering='th')
    np.testing.assert_array_equal(x_th, pixels.transpose(2, 0, 1))
    np.testing.assert_array_equal(np.asarray(array_to_img(x_th, 'th', scale=False)), pixels)
    gray = load_img(path, grayscale=True, target_size=(3, 4))
    assert gray.mode == 'L' and gray.size == (4, 3)
    assert img_to_array(gray).shape == (3, 4, 1)
    assert img_to_array(gray, 'th').shape == (1, 3, 4)


def test_array_to_img_scales_to_the_full_range():
    x = np.array([[-1., 0.], [1., 3.]])[:, :, np.newaxis]
    img = array_to_img(x)
    assert img.mode == 'L'
    np.testing.assert_array_equal(np.asarray(img), [[0, 64], [128, 255]])
    assert array_to_img(np.zeros((2, 2, 4))).mode == 'RGBA'
    np.testing.assert_array_equal(x[..., 0], [[-1, 0], [1, 3]])      # input unchanged
    with pytest.raises(ValueError, match=r"1 \(grayscale\), 3 \(RGB\) or 4 \(RGBA\) channels"
                                         r".*holds 2"):
        array_to_img(np.zeros((4, 4, 2)))


def test_list_pictures_walks_the_folder(tmp_path):
    (tmp_path / 'sub').mkdir()
    for name in ('a.jpg', 'b.PNG', 'sub/c.jpeg', 'notes.txt', 'jpg'):
        (tmp_path / name).write_bytes(b'')
    found = [p[len(str(tmp_path)) + 1:] for p in list_pictures(tmp_path)]
    assert found == ['a.jpg', 'b.PNG', 'sub/c.jpeg']
    assert [p[-5:] for p in list_pictures(tmp_path, ext='png')] == ['b.PNG']
    with pytest.raises(ValueError, match='does not exist'):
        list_pictures(tmp_path / 'missing')


def test_every_keras_name_is_offered():
    names = ['DirectoryIterator', 'ImageDataGenerator', 'Iterator', 'K', 'NumpyArrayIterator',
             'apply_transform', 'array_to_img', 'flip_axis', 'img_to_array', 'list_pictures',
             'load_img', 'random_barrel_transform', 'random_channel_shift', 'random_rotation',
             'random_shear', 'random_shift', 'random_zoom', 'transform_matrix_offset_center']
    assert [name for name in names if not hasattr(image, name)] == []


def test_imports_without_pillow_scipy_or_a_backend_library():
    result = run_python("""
        import sys
        sys.modules['PIL'] = sys.modules['scipy'] = None     # as if not installed
        from kcore.preprocessing.image import ImageDataGenerator, load_img, random_rotation
        import numpy as np
        gen = ImageDataGenerator(rescale=0.5)
        batch = next(gen.flow(np.ones((2, 3, 3, 1)), batch_size=2))
        print(float(batch.sum()), 'tensorflow' in sys.modules, 'pytensor' in sys.modules)
        for call in (lambda: load_img('x.png'), lambda: random_rotation(batch[0], 10)):
            try:
                call()
            except ImportError as e:
                print(e)
    """)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == '9.0 False False'
    assert 'needs the Pillow package' in lines[1] and 'pip install kcore[image]' in lines[1]
    assert 'needs the scipy package' in lines[2] and 'pip install kcore[image]' in lines[2]
