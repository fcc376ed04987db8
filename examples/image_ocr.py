"""Optical character recognition with a convolutional-recurrent network and the CTC loss:
convolutions and pooling read an image of a digit string, the columns of their output
become time steps for two layers of forward and backward GRUs, a softmax gives each
step's character probabilities, and K.ctc_batch_cost (in a Lambda layer; the model's
loss is that output) trains it without knowing where the characters are. The generator
is also a callback that lengthens the strings as training goes on (a curriculum); a
second callback decodes a batch after each epoch, with K.ctc_decode and with best-path
decoding in numpy, and reports the edit distance to the truth.

No download: the images are digit strings drawn with numpy from a 3x5 pixel font (Keras
1's script renders dictionary words with cairo), with random placement and noise.

    python examples/image_ocr.py [--epochs 20] [--smoke]
"""
import itertools
import sys

import numpy as np

import smoke_data
from kcore import backend as K
from kcore.callbacks import Callback
from kcore.layers import (GRU, Activation, Convolution2D, Dense, Input, Lambda, MaxPooling2D,
                          Permute, Reshape, merge)
from kcore.models import Model
from kcore.optimizers import SGD

ALPHABET = '0123456789'
FONT = ('111101101101111', '010110010010111', '111001111100111', '111001111001111',
        '101101111001001', '111100111001111', '111100111101111', '111001001001001',
        '111101111101111', '111101111001111')
GLYPHS = [np.array([int(b) for b in rows], dtype='float32').reshape(5, 3) for rows in FONT]
SKIPPED_STEPS = 2  # the first outputs of the RNNs have seen too little: CTC ignores them


def paint(text, rows, cols, scale, rng):
    """A (rows, cols) float image of ``text`` in the pixel font, scaled, at a random
    place, with noise."""
    image = rng.uniform(0, 0.2, (rows, cols)).astype('float32')
    x = rng.randint(0, max(1, cols - len(text) * 4 * scale))
    y = rng.randint(0, rows - 5 * scale + 1)
    for char in text:
        glyph = np.kron(GLYPHS[ALPHABET.index(char)], np.ones((scale, scale)))
        image[y:y + 5 * scale, x:x + 3 * scale] = np.maximum(
            image[y:y + 5 * scale, x:x + 3 * scale], glyph)
        x += 3 * scale + rng.randint(scale, 2 * scale + 1)
    return image


class TextImageGenerator(Callback):
    """Batches of painted strings for fit_generator; as a callback it allows longer
    strings as the epochs go by, up to ``max_length``."""

    def __init__(self, batch_size, rows, cols, scale, max_length, seed=0):
        super(TextImageGenerator, self).__init__()
        self.batch_size, self.rows, self.cols, self.scale = batch_size, rows, cols, scale
        self.max_length, self.current_length = max_length, 1 if max_length > 2 else max_length
        self.rng = np.random.RandomState(seed)

    def batch(self, size=None):
        """(inputs, outputs) dicts for one batch; the images transposed so that their
        columns come first (time), laid out for the image ordering."""
        size = size or self.batch_size
        texts = [''.join(self.rng.choice(list(ALPHABET),
                                         self.rng.randint(1, self.current_length + 1)))
                 for _ in range(size)]
        images = np.array([paint(t, self.rows, self.cols, self.scale, self.rng).T
                           for t in texts]) * 255
        labels = -np.ones((size, self.max_length), dtype='float32')
        for i, text in enumerate(texts):
            labels[i, :len(text)] = [ALPHABET.index(c) for c in text]
        steps = self.cols // 4 - SKIPPED_STEPS
        inputs = {'the_input': smoke_data.image_batch(images.astype('uint8')),
                  'the_labels': labels,
                  'input_length': np.full((size, 1), steps, dtype='int64'),
                  'label_length': np.array([[len(t)] for t in texts], dtype='int64'),
                  'source_str': texts}
        return inputs, {'ctc': np.zeros(size)}

    def flow(self):
        while True:
            inputs, outputs = self.batch()
            yield {k: v for k, v in inputs.items() if k != 'source_str'}, outputs

    def on_epoch_begin(self, epoch, logs=None):
        self.current_length = min(self.max_length, self.current_length + (epoch > 0))


def ctc_lambda_func(args):
    y_pred, labels, input_length, label_length = args
    return K.ctc_batch_cost(labels, y_pred[:, SKIPPED_STEPS:, :], input_length, label_length)


def build(rows, cols, filters, time_dense, rnn_size, max_length, rnn_layers):
    """(model, input_data, y_pred): the trainable model and the tensors to decode with."""
    input_data = Input(name='the_input', shape=smoke_data.image_shape(cols, rows, 1))
    inner = Convolution2D(filters, 3, 3, border_mode='same', activation='relu')(input_data)
    inner = MaxPooling2D(pool_size=(2, 2))(inner)
    inner = Convolution2D(filters, 3, 3, border_mode='same', activation='relu')(inner)
    inner = MaxPooling2D(pool_size=(2, 2))(inner)
    if K.image_dim_ordering() == 'th':
        inner = Permute((2, 3, 1))(inner)  # (columns, rows, filters)
    inner = Reshape(target_shape=(cols // 4, (rows // 4) * filters))(inner)
    inner = Dense(time_dense, activation='relu')(inner)
    reverse = Lambda(lambda x: x[:, ::-1, :], output_shape=lambda shape: shape)
    for depth in range(rnn_layers):
        forward = GRU(rnn_size, return_sequences=True, init='he_normal')(inner)
        backward = reverse(GRU(rnn_size, return_sequences=True, go_backwards=True,
                               init='he_normal')(inner))
        inner = merge([forward, backward], mode='sum' if depth < rnn_layers - 1 else 'concat')
    inner = Dense(len(ALPHABET) + 1, init='he_normal')(inner)
    y_pred = Activation('softmax', name='softmax')(inner)

    labels = Input(name='the_labels', shape=[max_length], dtype='float32')
    input_length = Input(name='input_length', shape=[1], dtype='int64')
    label_length = Input(name='label_length', shape=[1], dtype='int64')
    loss_out = Lambda(ctc_lambda_func, output_shape=(1,), name='ctc')(
        [y_pred, labels, input_length, label_length])
    model = Model(input=[input_data, labels, input_length, label_length], output=[loss_out])
    # The Lambda layer computes the loss: the compiled loss just passes it on.
    model.compile(loss={'ctc': lambda y_true, y_pred: y_pred},
                  optimizer=SGD(lr=0.02, decay=1e-6, momentum=0.9, nesterov=True, clipnorm=5))
    return model, input_data, y_pred


def best_path(probabilities):
    """Greedy CTC decoding in numpy: the best class per step, repeats merged, blanks dropped."""
    best = probabilities[SKIPPED_STEPS:].argmax(axis=-1)
    return ''.join(ALPHABET[k] for k, _ in itertools.groupby(best) if k < len(ALPHABET))


def edit_distance(a, b):
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        previous, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (ca != cb))
    return row[-1]


class DecodeCallback(Callback):
    """After each epoch: decode a batch both ways, print a few, record the mean edit
    distance and whether K.ctc_decode agreed with the numpy decoding."""

    def __init__(self, predict, ctc_greedy, generator, size):
        super(DecodeCallback, self).__init__()
        self.predict, self.ctc_greedy, self.generator, self.size = (
            predict, ctc_greedy, generator, size)
        self.distances, self.agreements = [], []

    def on_epoch_end(self, epoch, logs=None):
        inputs, _ = self.generator.batch(self.size)
        probabilities = self.predict([inputs['the_input']])[0]
        numpy_texts = [best_path(p) for p in probabilities]
        decoded = self.ctc_greedy([probabilities[:, SKIPPED_STEPS:],
                                   inputs['input_length'][:, 0]])[0]
        backend_texts = [''.join(ALPHABET[k] for k in row if k >= 0) for row in decoded]
        truth = inputs['source_str']
        distance = np.mean([edit_distance(a, b) for a, b in zip(numpy_texts, truth)])
        self.distances.append(distance)
        self.agreements.append(numpy_texts == backend_texts)
        for i in range(min(4, self.size)):
            print('truth %-10r decoded %-10r (K.ctc_decode: %r)'
                  % (truth[i], numpy_texts[i], backend_texts[i]))
        print('epoch %d: mean edit distance %.3f; K.ctc_decode agrees: %s'
              % (epoch + 1, distance, self.agreements[-1]))


def main(argv=None):
    args = smoke_data.parser(__doc__, epochs=20).parse_args(argv)
    if args.smoke:
        rows, cols, scale, batch, per_epoch, epochs, max_length = 16, 64, 2, 8, 16, 1, 3
        filters, time_dense, rnn_size, rnn_layers = 4, 8, 8, 1
    else:
        rows, cols, scale, batch, per_epoch, epochs, max_length = 32, 128, 3, 32, 16000, \
            args.epochs, 8
        filters, time_dense, rnn_size, rnn_layers = 16, 32, 512, 2
    generator = TextImageGenerator(batch, rows, cols, scale, max_length)
    model, input_data, y_pred = build(rows, cols, filters, time_dense, rnn_size, max_length,
                                      rnn_layers)
    model.summary()

    predict = K.function([input_data], [y_pred])
    probabilities = K.placeholder(ndim=3)
    lengths = K.placeholder(ndim=1, dtype='int32')
    ctc_greedy = K.function([probabilities, lengths],
                            [K.ctc_decode(probabilities, lengths, greedy=True)[0][0]])
    decoder = DecodeCallback(predict, ctc_greedy, TextImageGenerator(
        batch, rows, cols, scale, max_length, seed=1), batch)
    model.fit_generator(generator.flow(), samples_per_epoch=per_epoch, nb_epoch=epochs,
                        callbacks=[generator, decoder], validation_data=generator.flow(),
                        nb_val_samples=batch)
    return 0 if all(decoder.agreements) and np.isfinite(decoder.distances).all() else 1


if __name__ == '__main__':
    sys.exit(main())
