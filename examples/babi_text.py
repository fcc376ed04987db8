"""Parsing and vectorising bAbI stories, shared by babi_rnn.py and babi_memnn.py."""
import re

import numpy as np

from kcore.preprocessing.sequence import pad_sequences


def tokenize(sentence):
    """Words and punctuation: 'Bob dropped the apple. Where is the apple?' ->
    ['Bob', 'dropped', 'the', 'apple', '.', 'Where', 'is', 'the', 'apple', '?']."""
    return re.findall(r"\w+|[^\w\s]", sentence)


def parse_stories(lines, only_supporting=False):
    """(story, question, answer) triples; a story is its list of tokenised sentences up to
    the question (only the supporting ones with ``only_supporting``)."""
    data, story = [], []
    for line in lines:
        number, line = line.strip().split(' ', 1)
        if int(number) == 1:
            story = []
        if '\t' in line:
            question, answer, supporting = line.split('\t')
            if only_supporting:
                facts = [story[int(i) - 1] for i in supporting.split()]
            else:
                facts = [s for s in story if s]
            data.append((facts, tokenize(question), answer))
            story.append('')
        else:
            story.append(tokenize(line))
    return data


def flatten_stories(data, max_length=None):
    """Each story as one token list; stories longer than ``max_length`` tokens are dropped."""
    out = [([w for s in story for w in s], q, a) for story, q, a in data]
    return [d for d in out if not max_length or len(d[0]) <= max_length]


def vocabulary(*datasets):
    """The sorted words of flattened stories, questions and answers."""
    return sorted(set(w for data in datasets for story, q, a in data for w in story + q + [a]))


def vectorize(data, word_idx, story_maxlen, query_maxlen):
    """(stories, queries, answers): padded index arrays and one-hot answers."""
    xs = [[word_idx[w] for w in story] for story, _, _ in data]
    xqs = [[word_idx[w] for w in query] for _, query, _ in data]
    ys = np.zeros((len(data), len(word_idx) + 1))
    for i, (_, _, answer) in enumerate(data):
        ys[i, word_idx[answer]] = 1
    return (pad_sequences(xs, maxlen=story_maxlen), pad_sequences(xqs, maxlen=query_maxlen), ys)


def prepare(lines):
    """(train, test, (vocab_size, story_maxlen, query_maxlen)) from the (train, test)
    lines of a task: each part (stories, queries, answers) as ``vectorize`` gives it."""
    train, test = (flatten_stories(parse_stories(part)) for part in lines)
    vocab = vocabulary(train, test)
    word_idx = {w: i + 1 for i, w in enumerate(vocab)}
    story_maxlen = max(len(s) for s, _, _ in train + test)
    query_maxlen = max(len(q) for _, q, _ in train + test)
    print('vocabulary: %d words; stories up to %d words, questions up to %d'
          % (len(vocab) + 1, story_maxlen, query_maxlen))
    return (vectorize(train, word_idx, story_maxlen, query_maxlen),
            vectorize(test, word_idx, story_maxlen, query_maxlen),
            (len(vocab) + 1, story_maxlen, query_maxlen))
