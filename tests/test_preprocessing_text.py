"""kcore.preprocessing.text: word splitting, the hashing trick and the Tokenizer, with
matrices computed by hand."""
import math
import os

import numpy as np
import pytest

from kcore.preprocessing.text import Tokenizer, base_filter, one_hot, text_to_word_sequence
from kcore_test_helpers.processes import run_python

CORPUS = ['The cat sat.', 'The cat ate the fish!', 'A dog']
# word counts: the 3, cat 2, sat 1, ate 1, fish 1, a 1, dog 1 (ties keep first appearance)
INDEX = {'the': 1, 'cat': 2, 'sat': 3, 'ate': 4, 'fish': 5, 'a': 6, 'dog': 7}


def fitted(**kwargs):
    tokenizer = Tokenizer(**kwargs)
    tokenizer.fit_on_texts(CORPUS)
    return tokenizer


# -------------------------------------------------------------- word splitting
def test_base_filter_is_punctuation_but_the_apostrophe_plus_tab_and_newline():
    f = base_filter()
    assert all(c in f for c in '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n')
    assert "'" not in f and ' ' not in f


def test_text_to_word_sequence():
    assert text_to_word_sequence("Hello, World!  It's\tfine.") == ['hello', 'world', "it's",
                                                                  'fine']
    assert text_to_word_sequence('Hello World', lower=False) == ['Hello', 'World']
    assert text_to_word_sequence('a-b c', filters='') == ['a-b', 'c']
    assert text_to_word_sequence('a/b,c d', split='/') == ['a', 'b', 'c d']


def test_chinese_words_separated_by_the_split_character():
    assert text_to_word_sequence('我 爱 北京 天安门。') == ['我', '爱', '北京', '天安门。']
    assert text_to_word_sequence('我，爱，北京', split='，') == ['我', '爱', '北京']
    assert text_to_word_sequence('ÉCOLE Ärger') == ['école', 'ärger']


def test_text_to_word_sequence_errors():
    with pytest.raises(ValueError, match="split must be a non-empty string.*got ''"):
        text_to_word_sequence('a b', split='')
    with pytest.raises(TypeError, match='expects a string; got 3'):
        text_to_word_sequence(3)


# ---------------------------------------------------------------- hashing trick
def test_one_hot_hashes_words_into_1_to_n_minus_1():
    indices = one_hot('the cat sat on the mat', 5)
    assert len(indices) == 6 and all(1 <= i <= 4 for i in indices)
    assert indices[0] == indices[4]                      # 'the' twice
    assert one_hot('Any words at all', 2) == [1, 1, 1, 1]
    with pytest.raises(ValueError, match='n must be an integer >= 2'):
        one_hot('a', 1)


def test_one_hot_is_the_same_in_every_process():
    code = ("from kcore.preprocessing.text import one_hot\n"
            "print(one_hot('the cat sat on the mat 北京', 1000))")
    outputs = {run_python(code, env=dict(os.environ, PYTHONHASHSEED=seed)).stdout
               for seed in ('1', '2')}
    assert outputs == {'%s\n' % one_hot('the cat sat on the mat 北京', 1000)}


# -------------------------------------------------------------------- fitting
def test_fit_on_texts_builds_the_frequency_index_and_counts():
    tokenizer = fitted()
    assert tokenizer.word_index == INDEX
    assert tokenizer.word_counts == {'the': 3, 'cat': 2, 'sat': 1, 'ate': 1, 'fish': 1,
                                     'a': 1, 'dog': 1}
    assert tokenizer.word_docs == {'the': 2, 'cat': 2, 'sat': 1, 'ate': 1, 'fish': 1, 'a': 1,
                                   'dog': 1}
    assert tokenizer.document_count == 3
    assert tokenizer.index_docs == {1: 2, 2: 2, 3: 1, 4: 1, 5: 1, 6: 1, 7: 1}


def test_later_fits_add_to_the_counts_and_rerank():
    tokenizer = fitted()
    tokenizer.fit_on_texts(['dog dog dog dog'])
    assert tokenizer.document_count == 4
    assert tokenizer.word_counts['dog'] == 5
    assert tokenizer.word_index['dog'] == 1 and tokenizer.word_index['the'] == 2
    assert tokenizer.index_docs[1] == 2                   # 'dog' is in two texts


def test_texts_to_sequences_and_the_generator():
    tokenizer = fitted()
    assert tokenizer.texts_to_sequences(['the cat sat on the mat', 'unknown']) == [
        [1, 2, 3, 1], []]
    generator = tokenizer.texts_to_sequences_generator(['dog', 'fish cat'])
    assert next(generator) == [7]
    assert next(generator) == [5, 2]


def test_nb_words_keeps_only_indices_below_it():
    tokenizer = fitted(nb_words=3)
    assert tokenizer.word_index == INDEX                  # the index itself is complete
    assert tokenizer.texts_to_sequences(['the cat sat on the mat']) == [[1, 2, 1]]
    matrix = tokenizer.texts_to_matrix(['the cat sat', 'dog'], mode='count')
    np.testing.assert_array_equal(matrix, [[0, 1, 1], [0, 0, 0]])


def test_chinese_corpus():
    tokenizer = Tokenizer()
    tokenizer.fit_on_texts(['我 爱 北京', '北京 天安门', '天安门 上 太阳 升'])
    assert tokenizer.word_index == {'北京': 1, '天安门': 2, '我': 3, '爱': 4, '上': 5, '太阳': 6,
                                    '升': 7}
    assert tokenizer.texts_to_sequences(['我 爱 天安门']) == [[3, 4, 2]]
    by_character = Tokenizer(char_level=True)
    by_character.fit_on_texts(['北京北京天'])
    assert by_character.word_index == {'北': 1, '京': 2, '天': 3}
    slashed = Tokenizer(split='/')
    slashed.fit_on_texts(['我/爱/北京', '北京'])
    assert slashed.word_index == {'北京': 1, '我': 2, '爱': 3}


# ------------------------------------------------------------------- matrices
def test_texts_to_matrix_modes_by_hand():
    tokenizer = fitted()
    text = ['the cat the dog']                            # the x2, cat x1, dog x1
    binary = tokenizer.texts_to_matrix(text)
    np.testing.assert_array_equal(binary, [[0, 1, 1, 0, 0, 0, 0, 1]])
    count = tokenizer.texts_to_matrix(text, mode='count')
    np.testing.assert_array_equal(count, [[0, 2, 1, 0, 0, 0, 0, 1]])
    freq = tokenizer.texts_to_matrix(text, mode='freq')
    np.testing.assert_allclose(freq, [[0, .5, .25, 0, 0, 0, 0, .25]])


def test_tfidf_as_keras_1_1_2_computes_it():
    tokenizer = fitted()
    tfidf = tokenizer.texts_to_matrix(['the cat the dog'], mode='tfidf')
    # tf = 1 + log(count); idf = log(1 + 3 documents / (1 + documents with the word))
    expected = np.zeros((1, 8))
    expected[0, 1] = (1 + math.log(2)) * math.log(1 + 3 / 3.)   # 'the': 2 times, in 2 texts
    expected[0, 2] = 1 * math.log(1 + 3 / 3.)                   # 'cat': once, in 2 texts
    expected[0, 7] = 1 * math.log(1 + 3 / 2.)                   # 'dog': once, in 1 text
    np.testing.assert_allclose(tfidf, expected)


def test_sequences_to_matrix_after_fit_on_sequences():
    tokenizer = Tokenizer()
    tokenizer.fit_on_sequences([[1, 2, 2], [2, 3]])
    assert tokenizer.document_count == 2 and tokenizer.index_docs == {1: 1, 2: 2, 3: 1}
    tfidf = tokenizer.sequences_to_matrix([[2, 2, 3]], mode='tfidf')   # width: index 3 + 1
    np.testing.assert_allclose(tfidf, [[0, 0, (1 + math.log(2)) * math.log(1 + 2 / 3.),
                                        math.log(1 + 2 / 2.)]])


def test_sequences_to_matrix_with_nb_words_needs_no_fit():
    tokenizer = Tokenizer(nb_words=4)
    np.testing.assert_array_equal(tokenizer.sequences_to_matrix([[1, 3, 3, 9], []]),
                                  [[0, 1, 0, 1], [0, 0, 0, 0]])
    np.testing.assert_allclose(tokenizer.sequences_to_matrix([[1, 3, 3, 9]], mode='freq'),
                               [[0, .25, 0, .5]])   # Keras 1 divides by the whole length


def test_matrix_errors():
    with pytest.raises(ValueError, match='width is unknown.*nb_words=.*fit_on_texts'):
        Tokenizer().sequences_to_matrix([[1, 2]])
    with pytest.raises(ValueError, match="'tfidf' needs document frequencies.*fit_on_texts"):
        Tokenizer(nb_words=5).sequences_to_matrix([[1, 2]], mode='tfidf')
    with pytest.raises(ValueError, match="Unknown vectorization mode 'bag'.*'binary'"):
        fitted().texts_to_matrix(['the'], mode='bag')
    with pytest.raises(ValueError, match='word indices'):
        Tokenizer(nb_words=5).sequences_to_matrix([[1, -2]])


def test_tokenizer_input_errors():
    with pytest.raises(TypeError, match=r'single string.*\[text\]'):
        Tokenizer().fit_on_texts('the cat')
    with pytest.raises(TypeError, match='texts that are strings; got 5'):
        Tokenizer().fit_on_texts([5])
    with pytest.raises(ValueError, match='nb_words must be None or an integer >= 1'):
        Tokenizer(nb_words=0)
