"""The "very little data" blog chapter end to end on a tiny folder of generated 16x16
pictures: flow_from_directory -> a small convnet -> fit_generator with validation ->
save_weights, then predict_generator over the pictures in file order."""
import os

import numpy as np
import pytest

from kcore.layers import Activation, Convolution2D, Dense, Dropout, Flatten, MaxPooling2D
from kcore.models import Sequential
from kcore.preprocessing.image import ImageDataGenerator, img_to_array, load_img
from kcore_test_helpers.training import fresh_graph  # noqa: F401

PIL = pytest.importorskip('PIL.Image')
pytest.importorskip('scipy.ndimage')
h5py = pytest.importorskip('h5py')


def make_data(root):
    """data/{train,validation}/{cats,dogs}: cats dark, dogs bright, with noise."""
    rng = np.random.RandomState(0)
    for split, count in (('train', 4), ('validation', 2)):
        for name, level in (('cats', 60), ('dogs', 190)):
            folder = root / split / name
            folder.mkdir(parents=True)
            for index in range(count):
                pixels = np.clip(level + rng.randint(-40, 40, (16, 16, 3)), 0, 255)
                PIL.fromarray(pixels.astype('uint8')).save(
                    folder / ('%s%03d.jpg' % (name[:-1], index)))
    return root


def small_convnet():
    model = Sequential()
    model.add(Convolution2D(4, 3, 3, input_shape=(16, 16, 3)))
    model.add(Activation('relu'))
    model.add(MaxPooling2D(pool_size=(2, 2)))
    model.add(Flatten())
    model.add(Dense(8))
    model.add(Activation('relu'))
    model.add(Dropout(0.5))
    model.add(Dense(1))
    model.add(Activation('sigmoid'))
    model.compile(loss='binary_crossentropy', optimizer='rmsprop', metrics=['accuracy'])
    return model


def test_little_data_pipeline(tmp_path):
    data = make_data(tmp_path / 'data')
    model = small_convnet()
    train_datagen = ImageDataGenerator(rescale=1. / 255, shear_range=0.2, zoom_range=0.2,
                                       horizontal_flip=True)
    test_datagen = ImageDataGenerator(rescale=1. / 255)
    train_generator = train_datagen.flow_from_directory(
        str(data / 'train'), target_size=(16, 16), batch_size=4, class_mode='binary')
    validation_generator = test_datagen.flow_from_directory(
        str(data / 'validation'), target_size=(16, 16), batch_size=4, class_mode='binary')
    history = model.fit_generator(train_generator, samples_per_epoch=8, nb_epoch=1,
                                  validation_data=validation_generator, nb_val_samples=4,
                                  nb_worker=2, verbose=0)
    assert set(history.history) == {'loss', 'acc', 'val_loss', 'val_acc'}
    assert np.isfinite(history.history['loss'][0])
    model.save_weights(str(tmp_path / 'first_try.h5'))
    with h5py.File(str(tmp_path / 'first_try.h5'), 'r') as f:
        assert len(f.attrs['layer_names']) == len(model.layers)

    generator = test_datagen.flow_from_directory(
        str(data / 'train'), target_size=(16, 16), batch_size=3, class_mode=None,
        shuffle=False)
    features = model.predict_generator(generator, 8)
    assert features.shape == (8, 1)
    pictures = np.stack([img_to_array(load_img(os.path.join(str(data / 'train'), name),
                                               target_size=(16, 16)))
                         for name in generator.filenames]) / 255.
    np.testing.assert_allclose(features, model.predict(pictures), rtol=1e-4, atol=1e-6)
