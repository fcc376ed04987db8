"""ImageDataGenerator.flow and flow_from_directory: batches, order, labels, seeds, saving,
thread safety and joint image/mask augmentation, on arrays and on folders of PNG and
JPEG files made by each test."""
import os
import queue
import threading

import numpy as np
import pytest

from kcore.preprocessing.image import DirectoryIterator, ImageDataGenerator, Iterator

PIL = pytest.importorskip('PIL.Image')
pytest.importorskip('scipy.ndimage')

AUGMENT = dict(rotation_range=40, width_shift_range=0.2, height_shift_range=0.2,
               shear_range=0.2, zoom_range=0.2, horizontal_flip=True, fill_mode='nearest')


def numbered(n, size=2, channels=1):
    """n images; image i is filled with the value i."""
    return np.arange(n, dtype='float32').reshape(n, 1, 1, 1) * np.ones((1, size, size,
                                                                          channels))


def take(iterator, count):
    return [next(iterator) for _ in range(count)]


# ------------------------------------------------------------------------ flow
def test_flow_in_order_with_a_last_partial_batch():
    batches = take(ImageDataGenerator().flow(numbered(10), np.arange(10), batch_size=4,
                                             shuffle=False), 4)
    assert [len(x) for x, _ in batches] == [4, 4, 2, 4]
    for x, y in batches:
        np.testing.assert_array_equal(x[:, 0, 0, 0], y)
    assert list(batches[2][1]) == [8, 9] and list(batches[3][1]) == [0, 1, 2, 3]
    assert batches[0][0].dtype == np.float32 and batches[0][0].shape == (4, 2, 2, 1)


def test_flow_without_y_yields_the_images_alone():
    batch = next(ImageDataGenerator(rescale=2.).flow(numbered(3), batch_size=5,
                                                     shuffle=False))
    assert isinstance(batch, np.ndarray)
    np.testing.assert_array_equal(batch[:, 0, 0, 0], [0, 2, 4])


def test_shuffled_epochs_are_permutations_and_seeds_repeat_them():
    def labels(seed):
        flow = ImageDataGenerator().flow(numbered(12), np.arange(12), batch_size=5, seed=seed)
        return [list(y) for _, y in take(flow, 6)]        # two epochs of 5 + 5 + 2
    first = labels(3)
    assert sorted(sum(first[:3], [])) == list(range(12))
    assert sorted(sum(first[3:], [])) == list(range(12))
    assert first[:3] != first[3:]
    assert labels(3) == first and labels(4) != first
    np.random.seed(0)
    unseeded = labels(None)
    np.random.seed(0)
    assert labels(None) == unseeded           # an unseeded iterator follows np.random.seed


def test_seeded_augmentation_is_reproducible():
    X = np.random.RandomState(0).rand(6, 8, 8, 3)
    runs = [take(ImageDataGenerator(**AUGMENT).flow(X, batch_size=4, seed=11), 3)
            for _ in range(2)]
    for a, b in zip(*runs):
        np.testing.assert_array_equal(a, b)
    other = take(ImageDataGenerator(**AUGMENT).flow(X, batch_size=4, seed=12), 1)
    assert not np.array_equal(other[0], runs[0][0])


def test_flow_th_ordering_and_errors():
    X = np.random.RandomState(0).rand(4, 3, 5, 5)
    gen = ImageDataGenerator(dim_ordering='th', **AUGMENT)
    assert next(gen.flow(X, batch_size=4)).shape == (4, 3, 5, 5)
    with pytest.raises(ValueError, match=r"\(samples,\) \+ \(channels, rows, cols\) for "
                                         r"dim_ordering='th'; got an array of shape \(3, 5, 5\)"):
        gen.flow(X[0])
    with pytest.raises(ValueError, match=r'same number of samples; got X of shape '
                                         r'\(4, 3, 5, 5\) and y of shape \(3,\)'):
        gen.flow(X, np.arange(3))
    with pytest.raises(ValueError, match='batch_size must be a positive integer; got 0'):
        gen.flow(X, batch_size=0)


def test_save_to_dir_writes_pictures_pillow_opens(tmp_path):
    X = np.random.RandomState(0).randint(0, 256, (3, 6, 5, 3)).astype('float32')
    preview = tmp_path / 'preview'          # created when missing
    flow = ImageDataGenerator(**AUGMENT).flow(X, batch_size=2, save_to_dir=str(preview),
                                              save_prefix='cat', save_format='jpeg')
    take(flow, 2)
    names = sorted(os.listdir(preview))
    assert len(names) == 3 and all(n.startswith('cat_') and n.endswith('.jpeg') for n in names)
    for name in names:
        with PIL.open(preview / name) as img:
            assert img.format == 'JPEG' and img.size == (5, 6) and img.mode == 'RGB'


def test_save_to_dir_needs_a_picture_channel_count(tmp_path):
    gen = ImageDataGenerator()
    with pytest.raises(ValueError, match=r'save_to_dir: a picture needs 1 \(grayscale\), 3 '
                                         r'\(RGB\) or 4 \(RGBA\) channels.*holds 2'), \
            pytest.warns(UserWarning, match='has 2 channels') as warned:
        gen.flow(np.zeros((2, 4, 4, 2)), save_to_dir=str(tmp_path))
    assert warned[0].filename == __file__
    with pytest.raises(ValueError, match="JPEG cannot store 4 channels.*save_format='png'"):
        gen.flow(np.zeros((2, 4, 4, 4)), save_to_dir=str(tmp_path))
    with pytest.raises(ValueError, match="save_format must be 'png' or 'jpeg'; got 'gif'"):
        gen.flow(np.zeros((2, 4, 4, 3)), save_to_dir=str(tmp_path), save_format='gif')


# -------------------------------------------------------------- thread safety
def test_two_threads_draw_every_index_once_per_epoch():
    flow = ImageDataGenerator().flow(numbered(100), np.arange(100), batch_size=7, seed=0)
    tickets = queue.Queue()
    for _ in range(15):                       # the batches of one epoch: 14 x 7 + 2
        tickets.put(None)
    seen, seen_lock = [], threading.Lock()

    def pull():
        while True:
            try:
                tickets.get_nowait()
            except queue.Empty:
                return
            x, y = next(flow)
            np.testing.assert_array_equal(x[:, 0, 0, 0], y)
            with seen_lock:
                seen.extend(y)

    threads = [threading.Thread(target=pull) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(seen) == list(range(100))


def test_the_base_iterator_yields_index_batches():
    iterator = Iterator(5, 2, shuffle=False, seed=0)
    batches = [next(iterator.index_generator) for _ in range(4)]
    assert [(list(i), start, size) for i, start, size in batches] == [
        ([0, 1], 0, 2), ([2, 3], 2, 2), ([4], 4, 1), ([0, 1], 0, 2)]
    iterator.reset()
    assert list(next(iterator.index_generator)[0]) == [0, 1]
    with pytest.raises(NotImplementedError, match='must define next'):
        next(iterator)


# --------------------------------------------------------------------- folders
COLORS = {'cats': [(200, 10, 10), (180, 40, 20), (160, 70, 30)],
          'dogs': [(10, 200, 10), (20, 30, 220)]}


def make_tree(root, colors=COLORS, size=(10, 12)):
    """One folder per class: cats as PNG, dogs as JPEG, each picture one solid colour of
    ``size`` (rows, cols); plus a text file and a subfolder that must be skipped."""
    for name, class_colors in colors.items():
        folder = root / name
        folder.mkdir(parents=True)
        for index, color in enumerate(class_colors):
            pixels = np.zeros(size + (3,), 'uint8') + np.array(color, 'uint8')
            fmt = 'png' if name == 'cats' else 'jpeg'
            PIL.fromarray(pixels).save(folder / ('%s%d.%s' % (name, index, fmt)))
        (folder / 'README.txt').write_text('not a picture')
        (folder / 'more').mkdir()
    return root


@pytest.fixture
def tree(tmp_path):
    return make_tree(tmp_path / 'train')


def flow_dir(tree, **kwargs):
    kwargs.setdefault('target_size', (6, 8))
    kwargs.setdefault('shuffle', False)
    kwargs.setdefault('batch_size', 5)
    return ImageDataGenerator().flow_from_directory(str(tree), **kwargs)


def test_classes_in_alphabetical_order_and_pictures_resized(tree, capsys):
    flow = flow_dir(tree)
    assert 'Found 5 images belonging to 2 classes.' in capsys.readouterr().out
    assert flow.class_indices == {'cats': 0, 'dogs': 1}
    assert flow.filenames == [os.path.join('cats', 'cats%d.png' % i) for i in range(3)] + [
        os.path.join('dogs', 'dogs%d.jpeg' % i) for i in range(2)]
    x, y = next(flow)
    assert x.shape == (5, 6, 8, 3) and flow.image_shape == (6, 8, 3)
    colors = COLORS['cats'] + COLORS['dogs']
    np.testing.assert_array_equal(x[:3, 3, 4], colors[:3])               # PNG: exact
    np.testing.assert_allclose(x[3:, 3, 4], colors[3:], atol=4)          # JPEG: lossy
    np.testing.assert_array_equal(x[:, 0, 0], x[:, 5, 7])                # solid colours


@pytest.mark.parametrize('class_mode, expected', [
    ('categorical', [[1, 0], [1, 0], [1, 0], [0, 1], [0, 1]]),
    ('binary', [0., 0., 0., 1., 1.]),
    ('sparse', [0, 0, 0, 1, 1]),
])
def test_each_class_mode(tree, class_mode, expected):
    x, y = next(flow_dir(tree, class_mode=class_mode))
    np.testing.assert_array_equal(y, expected)
    assert y.dtype == (np.int32 if class_mode == 'sparse' else np.float32)


def test_class_mode_none_yields_images_only(tree):
    batch = next(flow_dir(tree, class_mode=None, batch_size=3))
    assert isinstance(batch, np.ndarray) and batch.shape == (3, 6, 8, 3)


def test_explicit_classes_grayscale_and_th_ordering(tree):
    flow = flow_dir(tree, classes=['dogs', 'cats'], color_mode='grayscale',
                    class_mode='sparse')
    assert flow.class_indices == {'dogs': 0, 'cats': 1}
    x, y = next(flow)
    assert x.shape == (5, 6, 8, 1) and list(y) == [0, 0, 1, 1, 1]
    red = COLORS['cats'][0]                   # ITU-R 601 luma, as Pillow's 'L'
    assert x[2, 0, 0, 0] == pytest.approx(0.299 * red[0] + 0.587 * red[1] + 0.114 * red[2],
                                          abs=1)
    th = ImageDataGenerator(dim_ordering='th').flow_from_directory(
        str(tree), target_size=(6, 8), batch_size=2)
    assert next(th)[0].shape == (2, 3, 6, 8) and th.image_shape == (3, 6, 8)


def test_flow_from_directory_saves_pictures(tree, tmp_path):
    out = tmp_path / 'augmented'
    flow = ImageDataGenerator(**AUGMENT).flow_from_directory(
        str(tree), target_size=(6, 8), batch_size=5, save_to_dir=str(out), save_prefix='aug',
        save_format='png')
    next(flow)
    names = sorted(os.listdir(out))
    assert len(names) == 5
    for name in names:
        with PIL.open(out / name) as img:
            assert img.format == 'PNG' and img.size == (8, 6)


def test_flow_from_directory_errors(tree, tmp_path):
    gen = ImageDataGenerator()
    with pytest.raises(ValueError, match=r"flow_from_directory: the folder '.*nowhere' does "
                                         r"not exist"):
        gen.flow_from_directory(str(tmp_path / 'nowhere'))
    with pytest.raises(ValueError, match=r"Unknown class_mode 'onehot': expected one of "
                                         r"'categorical', 'binary', 'sparse', None"):
        gen.flow_from_directory(str(tree), class_mode='onehot')
    with pytest.raises(ValueError, match=r"Unknown color_mode 'rgba'"):
        gen.flow_from_directory(str(tree), color_mode='rgba')
    with pytest.raises(ValueError, match=r"classes \['birds'\] have no subfolder.*cats, dogs"):
        gen.flow_from_directory(str(tree), classes=['cats', 'birds'])
    (tree / 'birds').mkdir()
    with pytest.raises(ValueError, match=r"class_mode='binary' gives labels 0 and 1, but .* "
                                         r"has 3 classes \(birds, cats, dogs\)"):
        gen.flow_from_directory(str(tree), class_mode='binary')
    with pytest.raises(ValueError, match='no pictures'):
        gen.flow_from_directory(str(tree), classes=['birds'])
    with pytest.raises(ValueError, match=r'target_size must be \(rows, cols\)'):
        gen.flow_from_directory(str(tree), target_size=(6,))


def test_directory_iterator_class_is_public(tree):
    flow = DirectoryIterator(str(tree), ImageDataGenerator(), target_size=(4, 4),
                             class_mode='sparse', batch_size=2, shuffle=False)
    assert flow.nb_sample == 5 and flow.nb_class == 2 and list(flow.classes) == [0, 0, 0, 1, 1]


# ----------------------------------------------------- joint image/mask augmentation
def test_images_and_masks_with_the_same_seed_get_the_same_transforms():
    rng = np.random.RandomState(0)
    images = rng.rand(10, 8, 8, 3)
    masks = images[..., :1].copy()
    args = dict(featurewise_center=True, featurewise_std_normalization=True,
                rotation_range=90., width_shift_range=0.1, height_shift_range=0.1,
                zoom_range=0.2)
    image_datagen, mask_datagen = ImageDataGenerator(**args), ImageDataGenerator(**args)
    image_datagen.fit(images, augment=True, seed=1)
    mask_datagen.fit(masks, augment=True, seed=1)
    pairs = zip(image_datagen.flow(images, batch_size=4, seed=1),
                mask_datagen.flow(masks, batch_size=4, seed=1))
    for _ in range(4):
        image_batch, mask_batch = next(pairs)
        np.testing.assert_allclose(image_batch[..., :1], mask_batch, rtol=1e-5, atol=1e-6)


def test_image_and_mask_folders_with_the_same_seed(tmp_path):
    rng = np.random.RandomState(0)
    for index in range(4):
        pixels = rng.randint(0, 256, (12, 12, 3)).astype('uint8')
        for folder, picture in (('images', pixels), ('masks', pixels[:, :, 0])):
            os.makedirs(tmp_path / folder / 'all', exist_ok=True)
            PIL.fromarray(picture).save(tmp_path / folder / 'all' / ('%d.png' % index))
    args = dict(rotation_range=90., width_shift_range=0.1, height_shift_range=0.1,
                zoom_range=0.2, horizontal_flip=True)
    image_generator = ImageDataGenerator(**args).flow_from_directory(
        str(tmp_path / 'images'), target_size=(12, 12), class_mode=None, batch_size=3, seed=1)
    mask_generator = ImageDataGenerator(**args).flow_from_directory(
        str(tmp_path / 'masks'), target_size=(12, 12), color_mode='grayscale',
        class_mode=None, batch_size=3, seed=1)
    for image_batch, mask_batch in take(zip(image_generator, mask_generator), 3):
        np.testing.assert_array_equal(image_batch[..., :1], mask_batch)
