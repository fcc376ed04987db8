"""Recurrent networks on the bAbI question-answering tasks (Weston et al. 2015): the story
is embedded word by word, the question is encoded by an RNN and repeated along the
story, the two are summed (Merge mode 'sum') and read by a second RNN that answers
with a word.

Downloads the bAbI tasks (babi_tasks_1-20_v1-2.tar.gz) with get_file unless --smoke
(synthetic stories of task 1's form).

    python examples/babi_rnn.py [--epochs 40] [--task qa2_two-supporting-facts] [--smoke]
"""
import sys

import numpy as np

import babi_text
import smoke_data
from kcore.layers import LSTM, Dense, Dropout, Embedding, Merge, RepeatVector
from kcore.models import Sequential


def build_model(vocab_size, story_maxlen, query_maxlen, embed, sent_hidden, query_hidden):
    sentence = Sequential()
    sentence.add(Embedding(vocab_size, embed, input_length=story_maxlen))
    sentence.add(Dropout(0.3))
    question = Sequential()
    question.add(Embedding(vocab_size, embed, input_length=query_maxlen))
    question.add(Dropout(0.3))
    question.add(LSTM(embed, return_sequences=False))
    question.add(RepeatVector(story_maxlen))
    model = Sequential()
    model.add(Merge([sentence, question], mode='sum'))
    model.add(LSTM(query_hidden, return_sequences=False))
    model.add(Dropout(0.3))
    model.add(Dense(vocab_size, activation='softmax'))
    model.compile(optimizer='adam', loss='categorical_crossentropy', metrics=['accuracy'])
    return model


def main(argv=None):
    parser = smoke_data.parser(__doc__, epochs=40)
    parser.add_argument('--task', default='qa2_two-supporting-facts')
    args = parser.parse_args(argv)
    embed, hidden, epochs = (8, 8, 1) if args.smoke else (50, 100, args.epochs)
    (x, xq, y), (tx, txq, ty), sizes = babi_text.prepare(
        smoke_data.babi(args.smoke, 'tasks_1-20_v1-2/en/%s_{}.txt' % args.task))

    model = build_model(*sizes, embed=embed, sent_hidden=hidden, query_hidden=hidden)
    model.fit([x, xq], y, batch_size=32, nb_epoch=epochs, validation_split=0.05)
    loss, accuracy = model.evaluate([tx, txq], ty, batch_size=32)
    print('test loss / test accuracy = %.4f / %.4f' % (loss, accuracy))
    return 0 if np.isfinite(loss) else 1


if __name__ == '__main__':
    sys.exit(main())
