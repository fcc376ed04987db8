"""The functional quick start's convolutional examples (seed L1950-2099): the inception
module, the residual connection, the shared vision model and the visual question answering
model. Each is built at the documented sizes and its shapes checked; then the same
structure at a small image size trains one step (the documented sizes would make the
suite slow)."""
import numpy as np
import pytest

from kcore import backend as K
from kcore.layers import (LSTM, Convolution2D, Dense, Embedding, Flatten, Input,
                          MaxPooling2D, merge)
from kcore.models import Model, Sequential


@pytest.fixture(autouse=True)
def th_ordering():
    """The examples are written for 'th' images (channels first)."""
    K.clear_session()
    previous = K.image_dim_ordering()
    K.set_image_dim_ordering('th')
    yield
    K.set_image_dim_ordering(previous)


def train_one_step(model, loss='mse'):
    """Compile, take one step on random data, and check that the weights moved."""
    model.compile(optimizer='sgd', loss=loss)
    inputs = [np.random.rand(2, *shape[1:]).astype('float32') for shape in model.input_shape] \
        if isinstance(model.input_shape, list) else np.random.rand(2, *model.input_shape[1:])
    target = np.random.rand(2, *model.output_shape[1:])
    before = model.get_weights()
    model.train_on_batch(inputs, target)
    assert any(not np.allclose(b, a) for b, a in zip(before, model.get_weights()))


def inception(size):
    input_img = Input(shape=(3, size, size))
    tower_1 = Convolution2D(64, 1, 1, border_mode='same', activation='relu')(input_img)
    tower_1 = Convolution2D(64, 3, 3, border_mode='same', activation='relu')(tower_1)
    tower_2 = Convolution2D(64, 1, 1, border_mode='same', activation='relu')(input_img)
    tower_2 = Convolution2D(64, 5, 5, border_mode='same', activation='relu')(tower_2)
    tower_3 = MaxPooling2D((3, 3), strides=(1, 1), border_mode='same')(input_img)
    tower_3 = Convolution2D(64, 1, 1, border_mode='same', activation='relu')(tower_3)
    output = merge([tower_1, tower_2, tower_3], mode='concat', concat_axis=1)
    return Model(input_img, output)


def test_inception_module():
    assert inception(256).output_shape == (None, 192, 256, 256)
    train_one_step(inception(8))


def residual(size):
    x = Input(shape=(3, size, size))
    y = Convolution2D(3, 3, 3, border_mode='same')(x)
    z = merge([x, y], mode='sum')
    return Model(x, z)


def test_residual_connection():
    model = residual(256)
    assert model.output_shape == (None, 3, 256, 256)
    data = np.random.rand(1, 3, 256, 256).astype('float32')
    conv = model.layers[1]
    W, b = conv.get_weights()
    conv.set_weights([np.zeros_like(W), np.zeros_like(b)])
    np.testing.assert_allclose(model.predict(data), data, rtol=1e-6)   # x + y with y = 0
    train_one_step(residual(8))


def test_shared_vision_model():
    digit_input = Input(shape=(1, 27, 27))
    x = Convolution2D(64, 3, 3)(digit_input)
    x = Convolution2D(64, 3, 3)(x)
    x = MaxPooling2D((2, 2))(x)
    out = Flatten()(x)
    vision_model = Model(digit_input, out)
    digit_a = Input(shape=(1, 27, 27))
    digit_b = Input(shape=(1, 27, 27))
    out_a = vision_model(digit_a)
    out_b = vision_model(digit_b)
    concatenated = merge([out_a, out_b], mode='concat')
    out = Dense(1, activation='sigmoid')(concatenated)
    classification_model = Model([digit_a, digit_b], out)

    assert vision_model.output_shape == (None, 64 * 11 * 11)
    assert classification_model.output_shape == (None, 1)
    # The weights are shared: one set for both digits.
    assert len(classification_model.trainable_weights) == 4 + 2
    same = np.random.rand(2, 1, 27, 27).astype('float32')
    encoded = Model([digit_a, digit_b], [out_a, out_b]).predict([same, same])
    np.testing.assert_allclose(encoded[0], encoded[1], rtol=1e-6)
    train_one_step(classification_model, loss='binary_crossentropy')


def test_visual_question_answering_model_shapes():
    vision_model = Sequential()
    vision_model.add(Convolution2D(64, 3, 3, activation='relu', border_mode='same',
                                   input_shape=(3, 224, 224)))
    vision_model.add(Convolution2D(64, 3, 3, activation='relu'))
    vision_model.add(MaxPooling2D((2, 2)))
    vision_model.add(Convolution2D(128, 3, 3, activation='relu', border_mode='same'))
    vision_model.add(Convolution2D(128, 3, 3, activation='relu'))
    vision_model.add(MaxPooling2D((2, 2)))
    vision_model.add(Convolution2D(256, 3, 3, activation='relu', border_mode='same'))
    vision_model.add(Convolution2D(256, 3, 3, activation='relu'))
    vision_model.add(Convolution2D(256, 3, 3, activation='relu'))
    vision_model.add(MaxPooling2D((2, 2)))
    vision_model.add(Flatten())
    image_input = Input(shape=(3, 224, 224))
    encoded_image = vision_model(image_input)
    question_input = Input(shape=(100,), dtype='int32')
    embedded_question = Embedding(input_dim=10000, output_dim=256,
                                  input_length=100)(question_input)
    encoded_question = LSTM(256)(embedded_question)
    merged = merge([encoded_question, encoded_image], mode='concat')
    output = Dense(1000, activation='softmax')(merged)
    vqa_model = Model(input=[image_input, question_input], output=output)

    assert vision_model.output_shape == (None, 256 * 25 * 25)
    assert encoded_question._keras_shape == (None, 256)
    assert merged._keras_shape == (None, 256 + 256 * 25 * 25)
    assert vqa_model.output_shape == (None, 1000)
