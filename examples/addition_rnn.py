"""Sequence-to-sequence learning of addition: an LSTM encoder reads "535+61 " one
character at a time, RepeatVector feeds its summary to an LSTM decoder, and a
TimeDistributed(Dense) softmax writes the sum "596 " character by character.

No download: the questions are generated. About 99% accuracy on 3-digit numbers after
some 50 epochs of 50,000 questions.

    python examples/addition_rnn.py [--epochs 200] [--digits 3] [--smoke]
"""
import sys

import numpy as np

import smoke_data
from kcore.layers import LSTM, Activation, Dense, RepeatVector, TimeDistributed
from kcore.models import Sequential

CHARS = '0123456789+ '


class CharacterTable(object):
    """One-hot encoding of strings over ``chars``, and decoding of probabilities back."""

    def __init__(self, chars, length):
        self.chars = sorted(set(chars))
        self.index = {c: i for i, c in enumerate(self.chars)}
        self.length = length

    def encode(self, text):
        x = np.zeros((self.length, len(self.chars)), dtype=bool)
        for i, c in enumerate(text):
            x[i, self.index[c]] = 1
        return x

    def decode(self, x, calc_argmax=True):
        if calc_argmax:
            x = x.argmax(axis=-1)
        return ''.join(self.chars[i] for i in x)


def questions(count, digits, rng):
    """``count`` distinct "a+b" questions (padded, reversed as the paper's trick) and answers."""
    seen, out = set(), []
    while len(out) < count:
        a, b = (int(''.join(rng.choice(list('0123456789'), rng.randint(1, digits + 1))))
                for _ in range(2))
        if (min(a, b), max(a, b)) in seen:
            continue
        seen.add((min(a, b), max(a, b)))
        query = ('%d+%d' % (a, b)).ljust(2 * digits + 1)[::-1]
        out.append((query, str(a + b).ljust(digits + 1)))
    return out


def build_model(chars, digits, hidden, layers):
    model = Sequential()
    model.add(LSTM(hidden, input_shape=(2 * digits + 1, chars)))
    model.add(RepeatVector(digits + 1))
    for _ in range(layers):
        model.add(LSTM(hidden, return_sequences=True))
    model.add(TimeDistributed(Dense(chars)))
    model.add(Activation('softmax'))
    model.compile(loss='categorical_crossentropy', optimizer='adam', metrics=['accuracy'])
    return model


def main(argv=None):
    parser = smoke_data.parser(__doc__, epochs=200)
    parser.add_argument('--digits', type=int, default=3)
    args = parser.parse_args(argv)
    digits = 2 if args.smoke else args.digits
    count, epochs, hidden = (256, 2, 16) if args.smoke else (50000, args.epochs, 128)
    rng = np.random.RandomState(0)
    data = questions(min(count, 10 ** (2 * digits) // 3), digits, rng)
    ctable_in = CharacterTable(CHARS, 2 * digits + 1)
    ctable_out = CharacterTable(CHARS, digits + 1)
    x = np.array([ctable_in.encode(q) for q, _ in data])
    y = np.array([ctable_out.encode(a) for _, a in data])
    split = len(x) - len(x) // 10
    (x_train, x_val), (y_train, y_val) = (x[:split], x[split:]), (y[:split], y[split:])

    model = build_model(len(CHARS), digits, hidden, 1)
    model.summary()
    for iteration in range(1, epochs + 1):
        print('-' * 50, '\nIteration', iteration)
        model.fit(x_train, y_train, batch_size=128, nb_epoch=1, validation_data=(x_val, y_val))
        for i in rng.randint(0, len(x_val), 3):
            guess = ctable_out.decode(model.predict_classes(x_val[i:i + 1], verbose=0)[0],
                                      calc_argmax=False)
            correct = ctable_out.decode(y_val[i])
            print('Q', ctable_in.decode(x_val[i])[::-1], 'T', correct,
                  'ok' if guess == correct else 'wrong', guess)
    loss, accuracy = model.evaluate(x_val, y_val, verbose=0)
    print('validation loss: %.4f - per-character accuracy: %.4f' % (loss, accuracy))
    return 0 if np.isfinite(loss) else 1


if __name__ == '__main__':
    sys.exit(main())
