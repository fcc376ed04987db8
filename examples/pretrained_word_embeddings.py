"""Text classification with pre-trained word embeddings: the 20 Newsgroups messages are
tokenised (Tokenizer, pad_sequences), the GloVe vectors of their words fill a frozen
Embedding (``weights=[matrix], trainable=False``), and a 1D convnet classifies them.

Downloads GloVe (glove.6B.zip, 822 MB) and 20 Newsgroups (news20.tar.gz) with get_file
unless --smoke (synthetic messages and random "GloVe" vectors written in GloVe's text
format and read by the same code).

    python examples/pretrained_word_embeddings.py [--epochs 10] [--smoke]
"""
import os
import sys
import tempfile

import numpy as np

import smoke_data
from kcore import backend as K
from kcore.layers import Conv1D, Dense, Embedding, Flatten, Input, MaxPooling1D
from kcore.models import Model
from kcore.preprocessing.sequence import pad_sequences
from kcore.preprocessing.text import Tokenizer
from kcore.utils.data_utils import get_file
from kcore.utils.np_utils import to_categorical

GLOVE_ORIGIN = 'http://nlp.stanford.edu/data/glove.6B.zip'
NEWS_ORIGIN = 'http://www.cs.cmu.edu/afs/cs.cmu.edu/project/theo-20/www/data/news20.tar.gz'


def read_glove(path):
    """{word: vector} from a GloVe text file ("word v1 v2 ..." per line)."""
    index = {}
    with open(path, encoding='utf-8') as f:
        for line in f:
            values = line.rstrip().split(' ')
            index[values[0]] = np.asarray(values[1:], dtype='float32')
    return index


def read_newsgroups(folder):
    """(texts, labels, label names) of a folder with one sub-folder of messages per group."""
    texts, labels, names = [], [], sorted(os.listdir(folder))
    for label, name in enumerate(names):
        group = os.path.join(folder, name)
        for fname in sorted(os.listdir(group)):
            if fname.isdigit():
                with open(os.path.join(group, fname), encoding='latin-1') as f:
                    texts.append(f.read())
                labels.append(label)
    return texts, labels, names


def synthetic(folder, dim, rng):
    """A GloVe file and three newsgroups of 40 messages written under ``folder``: each
    group's messages lean on words of its own."""
    vocab = ['w%d' % i for i in range(60)]
    with open(os.path.join(folder, 'glove.txt'), 'w', encoding='utf-8') as f:
        for word in vocab:
            f.write(word + ' ' + ' '.join('%.4f' % v for v in rng.normal(size=dim)) + '\n')
    for group in range(3):
        os.makedirs(os.path.join(folder, 'news', 'group%d' % group))
        for message in range(40):
            words = [vocab[(20 * group + rng.randint(25)) % 60]
                     for _ in range(rng.randint(20, 40))]
            with open(os.path.join(folder, 'news', 'group%d' % group, str(message)), 'w') as f:
                f.write(' '.join(words))
    return os.path.join(folder, 'glove.txt'), os.path.join(folder, 'news')


def build_model(embedding_layer, maxlen, filters, pools, nb_classes):
    """Conv1D/MaxPooling1D blocks with ``pools`` as pool lengths; the last pools what is left."""
    sequence_input = Input(shape=(maxlen,), dtype='int32')
    x = embedding_layer(sequence_input)
    for pool in pools:
        x = Conv1D(filters, 5, activation='relu')(x)
        x = MaxPooling1D(pool or K.int_shape(x)[1])(x)
    x = Flatten()(x)
    x = Dense(filters, activation='relu')(x)
    preds = Dense(nb_classes, activation='softmax')(x)
    model = Model(sequence_input, preds)
    model.compile(loss='categorical_crossentropy', optimizer='rmsprop', metrics=['acc'])
    return model


def main(argv=None):
    args = smoke_data.parser(__doc__, epochs=10).parse_args(argv)
    scratch = tempfile.TemporaryDirectory()
    if args.smoke:
        dim, maxlen, max_words, filters, pools, epochs = 8, 40, 100, 8, (5, None), 1
        glove_path, news_folder = synthetic(scratch.name, dim, np.random.RandomState(0))
    else:
        dim, maxlen, max_words, filters, pools, epochs = 100, 1000, 20000, 128, (5, 5, None), \
            args.epochs
        glove_zip = get_file('glove.6B.zip', origin=GLOVE_ORIGIN, extract=True)
        glove_path = os.path.join(os.path.dirname(glove_zip), 'glove.6B.%dd.txt' % dim)
        news_archive = get_file('news20.tar.gz', origin=NEWS_ORIGIN, extract=True)
        news_folder = os.path.join(os.path.dirname(news_archive), '20_newsgroup')
    embeddings_index = read_glove(glove_path)
    texts, labels, names = read_newsgroups(news_folder)
    print('%d word vectors, %d texts in %d groups'
          % (len(embeddings_index), len(texts), len(names)))

    tokenizer = Tokenizer(nb_words=max_words)
    tokenizer.fit_on_texts(texts)
    word_index = tokenizer.word_index
    data = pad_sequences(tokenizer.texts_to_sequences(texts), maxlen=maxlen)
    labels = to_categorical(np.asarray(labels))
    order = np.random.RandomState(0).permutation(len(data))
    data, labels = data[order], labels[order]
    split = len(data) - int(0.2 * len(data))

    nb_words = min(max_words, len(word_index))
    embedding_matrix = np.zeros((nb_words + 1, dim))
    for word, i in word_index.items():
        if i <= nb_words and word in embeddings_index:
            embedding_matrix[i] = embeddings_index[word]
    embedding_layer = Embedding(nb_words + 1, dim, weights=[embedding_matrix],
                                input_length=maxlen, trainable=False)
    model = build_model(embedding_layer, maxlen, filters, pools, len(names))
    model.fit(data[:split], labels[:split], validation_data=(data[split:], labels[split:]),
              nb_epoch=epochs, batch_size=128)
    frozen = np.array_equal(embedding_layer.get_weights()[0], embedding_matrix)
    print('the embedding stayed frozen: %s' % frozen)
    scratch.cleanup()
    return 0 if frozen else 1


if __name__ == '__main__':
    sys.exit(main())
