"""An end-to-end memory network (Sukhbaatar et al. 2015) on bAbI task 1: the story's
words and the question are embedded, their dot products (Merge mode 'dot') give a
softmax match, which weighs a second embedding of the story (mode 'sum', Permute); the
response joins the question (mode 'concat') and an LSTM answers with a word.

Downloads the bAbI tasks (babi_tasks_1-20_v1-2.tar.gz) with get_file unless --smoke
(synthetic stories of task 1's form).

    python examples/babi_memnn.py [--epochs 120] [--smoke]
"""
import sys

import numpy as np

import babi_text
import smoke_data
from kcore.layers import LSTM, Activation, Dense, Dropout, Embedding, Merge, Permute
from kcore.models import Sequential
from kcore.optimizers import RMSprop

TASK = 'tasks_1-20_v1-2/en-10k/qa1_single-supporting-fact_{}.txt'


def embedded(vocab_size, size, length):
    encoder = Sequential()
    encoder.add(Embedding(input_dim=vocab_size, output_dim=size, input_length=length))
    encoder.add(Dropout(0.3))
    return encoder


def build_model(vocab_size, story_maxlen, query_maxlen, embed, hidden):
    input_encoder_m = embedded(vocab_size, embed, story_maxlen)
    question_encoder = embedded(vocab_size, embed, query_maxlen)
    # (samples, story_maxlen, query_maxlen): how well each story word matches each question word
    match = Sequential()
    match.add(Merge([input_encoder_m, question_encoder], mode='dot', dot_axes=[2, 2]))
    match.add(Activation('softmax'))
    input_encoder_c = embedded(vocab_size, query_maxlen, story_maxlen)
    response = Sequential()
    response.add(Merge([match, input_encoder_c], mode='sum'))
    response.add(Permute((2, 1)))  # (samples, query_maxlen, story_maxlen)
    answer = Sequential()
    answer.add(Merge([response, question_encoder], mode='concat', concat_axis=-1))
    answer.add(LSTM(hidden))
    answer.add(Dropout(0.3))
    answer.add(Dense(vocab_size))
    answer.add(Activation('softmax'))
    answer.compile(optimizer=RMSprop(lr=0.01), loss='categorical_crossentropy',
                   metrics=['accuracy'])
    return answer


def main(argv=None):
    args = smoke_data.parser(__doc__, epochs=120).parse_args(argv)
    embed, hidden, epochs = (8, 8, 1) if args.smoke else (64, 32, args.epochs)
    (inputs_train, queries_train, answers_train), (inputs_test, queries_test, answers_test), \
        sizes = babi_text.prepare(smoke_data.babi(args.smoke, TASK))

    model = build_model(*sizes, embed=embed, hidden=hidden)
    # The story goes in twice: once for each of its two embeddings.
    model.fit([inputs_train, queries_train, inputs_train], answers_train, batch_size=32,
              nb_epoch=epochs,
              validation_data=([inputs_test, queries_test, inputs_test], answers_test))
    loss, accuracy = model.evaluate([inputs_test, queries_test, inputs_test], answers_test,
                                    verbose=0)
    print('test loss / test accuracy = %.4f / %.4f' % (loss, accuracy))
    return 0 if np.isfinite(loss) else 1


if __name__ == '__main__':
    sys.exit(main())
