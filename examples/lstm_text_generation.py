"""Character-level text generation from Nietzsche's writings: an LSTM reads 40
characters and predicts the next one; after each iteration it writes text from a seed,
sampling the next character at several temperatures ("diversities").

Downloads nietzsche.txt with get_file unless --smoke (a small generated text).
At least 20 iterations before the text starts to sound coherent.

    python examples/lstm_text_generation.py [--epochs 60] [--smoke]
"""
import sys

import numpy as np

import smoke_data
from kcore.layers import LSTM, Activation, Dense
from kcore.models import Sequential
from kcore.optimizers import RMSprop
from kcore.utils.data_utils import get_file

ORIGIN = 'https://s3.amazonaws.com/text-datasets/nietzsche.txt'


def load_text(smoke):
    if smoke:
        rng = np.random.RandomState(0)
        words = ['the', 'will', 'to', 'power', 'is', 'truth', 'and', 'man', 'beyond']
        return ' '.join(rng.choice(words, 300)) + '.'
    with open(get_file('nietzsche.txt', origin=ORIGIN), encoding='utf-8') as f:
        return f.read().lower()


def sample(preds, temperature, rng):
    """An index drawn from the probabilities ``preds`` reshaped by ``temperature``."""
    preds = np.log(np.asarray(preds).astype('float64') + 1e-12) / temperature
    preds = np.exp(preds - preds.max())
    return int(np.argmax(rng.multinomial(1, preds / preds.sum())))


def vectorize(text, chars, maxlen, step):
    """One-hot windows of ``maxlen`` characters every ``step``, and the next character."""
    index = {c: i for i, c in enumerate(chars)}
    starts = range(0, len(text) - maxlen, step)
    x = np.zeros((len(starts), maxlen, len(chars)), dtype=bool)
    y = np.zeros((len(starts), len(chars)), dtype=bool)
    for i, start in enumerate(starts):
        for t, char in enumerate(text[start:start + maxlen]):
            x[i, t, index[char]] = 1
        y[i, index[text[start + maxlen]]] = 1
    return x, y


def generate(model, text, chars, maxlen, length, temperature, rng):
    index = {c: i for i, c in enumerate(chars)}
    start = rng.randint(0, len(text) - maxlen - 1)
    sentence = text[start:start + maxlen]
    generated = ''
    for _ in range(length):
        x = np.zeros((1, maxlen, len(chars)))
        for t, char in enumerate(sentence):
            x[0, t, index[char]] = 1.
        next_char = chars[sample(model.predict(x, verbose=0)[0], temperature, rng)]
        generated += next_char
        sentence = sentence[1:] + next_char
    return text[start:start + maxlen], generated


def main(argv=None):
    args = smoke_data.parser(__doc__, epochs=60).parse_args(argv)
    maxlen, hidden, iterations, length = (10, 16, 1, 20) if args.smoke else (40, 128,
                                                                             args.epochs, 400)
    text = load_text(args.smoke)
    chars = sorted(set(text))
    print('corpus length: %d, %d distinct characters' % (len(text), len(chars)))
    x, y = vectorize(text, chars, maxlen, 3)
    print('%d sequences' % len(x))

    model = Sequential()
    model.add(LSTM(hidden, input_shape=(maxlen, len(chars))))
    model.add(Dense(len(chars)))
    model.add(Activation('softmax'))
    model.compile(loss='categorical_crossentropy', optimizer=RMSprop(lr=0.01))
    rng = np.random.RandomState(0)
    for iteration in range(1, iterations + 1):
        print('-' * 50, '\nIteration', iteration)
        model.fit(x, y, batch_size=128, nb_epoch=1)
        for diversity in (0.2, 0.5, 1.0, 1.2):
            seed, generated = generate(model, text, chars, maxlen, length, diversity, rng)
            print('----- diversity %.1f, seed "%s"\n%s%s' % (diversity, seed, seed, generated))
    return 0 if len(generated) == length else 1


if __name__ == '__main__':
    sys.exit(main())
