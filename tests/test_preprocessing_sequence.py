"""kcore.preprocessing.sequence: padding, skip-grams and the sampling table, against
hand-computed expectations."""
import math

import numpy as np
import pytest

from kcore.preprocessing.sequence import make_sampling_table, pad_sequences, skipgrams


# -------------------------------------------------------------------- padding
def test_defaults_pad_and_truncate_at_the_start_as_keras_1_1_2_code_does():
    # SEED_API §20 item 21: the doc's prose says "padded at the end"; the 1.1.2 code pads
    # and truncates at the start ('pre'), and so does kcore.
    x = pad_sequences([[1, 2, 3], [4, 5], [6]])
    np.testing.assert_array_equal(x, [[1, 2, 3], [0, 4, 5], [0, 0, 6]])
    assert x.dtype == np.int32
    np.testing.assert_array_equal(pad_sequences([[1, 2, 3], [4]], maxlen=2), [[2, 3], [0, 4]])


@pytest.mark.parametrize('padding, truncating, expected', [
    ('pre', 'pre', [[2, 3], [0, 4]]),
    ('post', 'pre', [[2, 3], [4, 0]]),
    ('pre', 'post', [[1, 2], [0, 4]]),
    ('post', 'post', [[1, 2], [4, 0]]),
])
def test_padding_and_truncating_sides(padding, truncating, expected):
    x = pad_sequences([[1, 2, 3], [4]], maxlen=2, padding=padding, truncating=truncating)
    np.testing.assert_array_equal(x, expected)


def test_maxlen_longer_than_every_sequence_pads_them_all():
    x = pad_sequences([[1, 2, 3], [4]], maxlen=4, padding='post')
    np.testing.assert_array_equal(x, [[1, 2, 3, 0], [4, 0, 0, 0]])


def test_value_and_float_dtype():
    x = pad_sequences([[0.5, 1.5], [2.25]], maxlen=3, dtype='float32', value=-1.)
    assert x.dtype == np.float32
    np.testing.assert_array_equal(x, [[-1., 0.5, 1.5], [-1., -1., 2.25]])


def test_elements_may_be_equal_shaped_arrays():
    x = pad_sequences([[[1, 1], [2, 2]], [[3, 3]]], padding='post', value=9)
    assert x.shape == (2, 2, 2)
    np.testing.assert_array_equal(x, [[[1, 1], [2, 2]], [[3, 3], [9, 9]]])
    frames = [np.ones((3, 2, 2)), np.zeros((1, 2, 2))]
    assert pad_sequences(frames, maxlen=2, dtype='float64').shape == (2, 2, 2, 2)


def test_empty_sequences_and_empty_input():
    np.testing.assert_array_equal(pad_sequences([[], [1]]), [[0], [1]])
    np.testing.assert_array_equal(pad_sequences([[], [[1, 2]]]), [[[0, 0]], [[1, 2]]])
    assert pad_sequences([], maxlen=3).shape == (0, 3)
    assert pad_sequences([]).shape == (0, 0)
    assert pad_sequences([[], []]).shape == (2, 0)
    assert pad_sequences([[1, 2], [3]], maxlen=0).shape == (2, 0)   # Keras 1 kept everything


def test_accepts_a_2d_array_and_generators():
    np.testing.assert_array_equal(pad_sequences(np.arange(6).reshape(2, 3), maxlen=2),
                                  [[1, 2], [4, 5]])
    np.testing.assert_array_equal(pad_sequences(iter([[1], [2, 3]])), [[0, 1], [2, 3]])


def test_errors_say_what_was_wrong():
    with pytest.raises(ValueError, match="padding must be 'pre' or 'post'; got 'middle'"):
        pad_sequences([[1]], padding='middle')
    with pytest.raises(ValueError, match="truncating must be 'pre' or 'post'; got 'end'"):
        pad_sequences([[1]], truncating='end')
    with pytest.raises(ValueError, match=r'sequence 1 have shape \(3,\).*sequence 0 have '
                                         r'shape \(2,\)'):
        pad_sequences([[[1, 2]], [[1, 2, 3]]])
    with pytest.raises(ValueError, match='sequence 0 is ragged'):
        pad_sequences([[[1, 2], [3]]])
    with pytest.raises(TypeError, match='sequence 1 is 5, not a sequence'):
        pad_sequences([[1], 5])
    with pytest.raises(TypeError, match="sequence 0 is 'abc', not a sequence"):
        pad_sequences(['abc'])
    with pytest.raises(TypeError, match='expects a list of sequences; got 7'):
        pad_sequences(7)
    with pytest.raises(ValueError, match='maxlen must be None or an integer >= 0; got -1'):
        pad_sequences([[1]], maxlen=-1)


# ------------------------------------------------------------- sampling table
def test_make_sampling_table_follows_keras_1_zipf_formula():
    table = make_sampling_table(4)
    rank_1 = 1 * (0 + 0.577) + 0.5 - 1 / 12.          # index 0 is given rank 1, like index 1
    rank_3 = 3 * (math.log(3) + 0.577) + 0.5 - 1 / 36.
    np.testing.assert_allclose(table[[0, 1, 3]], [math.sqrt(1e-5 * rank_1),
                                                  math.sqrt(1e-5 * rank_1),
                                                  math.sqrt(1e-5 * rank_3)])
    assert np.all(np.diff(table[1:]) > 0)               # rarer words are kept more often


def test_sampling_factor_1_keeps_nearly_every_word_and_never_exceeds_1():
    table = make_sampling_table(100, sampling_factor=1.)
    assert table[0] == pytest.approx(math.sqrt(0.577 + 0.5 - 1 / 12.))
    np.testing.assert_array_equal(table[2:], 1.)
    with pytest.raises(ValueError, match='size must be an integer >= 1'):
        make_sampling_table(0)


# ----------------------------------------------------------------- skip-grams
def test_positive_couples_are_exactly_the_window_neighbours_in_order():
    couples, labels = skipgrams([1, 2, 3, 4, 5], 6, window_size=1, negative_samples=0,
                                shuffle=False)
    assert couples == [[1, 2], [2, 1], [2, 3], [3, 2], [3, 4], [4, 3], [4, 5], [5, 4]]
    assert labels == [1] * 8


def test_index_0_is_never_a_word():
    couples, _ = skipgrams([1, 0, 2], 3, window_size=2, negative_samples=0, shuffle=False)
    assert couples == [[1, 2], [2, 1]]


def _window_set(sequence, window):
    return {(a, b) for i, a in enumerate(sequence) for j, b in enumerate(sequence)
            if i != j and abs(i - j) <= window}


def test_shuffled_couples_with_negatives_under_a_fixed_seed():
    sequence = [1, 2, 3, 4, 5, 6]   # word w stands at position w - 1
    couples, labels = skipgrams(sequence, 10, window_size=2, negative_samples=2., seed=3)
    positives = [tuple(c) for c, l in zip(couples, labels) if l == 1]
    negatives = [c for c, l in zip(couples, labels) if l == 0]
    assert all(abs(a - b) <= 2 for a, b in positives)
    assert sorted(positives) == sorted(_window_set(sequence, 2)) and len(positives) == 18
    assert len(negatives) == 2 * 18
    assert all(1 <= other <= 9 for _, other in negatives)
    assert all(pivot in sequence for pivot, _ in negatives)
    assert labels != sorted(labels, reverse=True)       # shuffled: not positives first
    again = skipgrams(sequence, 10, window_size=2, negative_samples=2., seed=3)
    assert again == (couples, labels)


def test_fractional_negative_samples_round_down():
    couples, labels = skipgrams([1, 2, 3], 4, window_size=1, negative_samples=0.5, seed=0)
    assert labels.count(1) == 4 and labels.count(0) == 2


def test_categorical_labels_are_one_hot_pairs():
    plain = skipgrams([1, 2, 3, 4], 5, window_size=1, seed=7)
    couples, labels = skipgrams([1, 2, 3, 4], 5, window_size=1, categorical=True, seed=7)
    assert couples == plain[0]
    assert labels == [[0, 1] if l == 1 else [1, 0] for l in plain[1]]


def test_sampling_table_decides_which_pivots_are_used():
    table = np.zeros(5)
    table[2] = 1.
    couples, _ = skipgrams([1, 2, 3], 5, window_size=1, negative_samples=0, shuffle=False,
                           sampling_table=table)
    assert couples == [[2, 1], [2, 3]]


def test_skipgram_errors():
    with pytest.raises(ValueError, match=r'0\.\.4 \(vocabulary_size=5\); got values from 1 to 5'):
        skipgrams([1, 5], 5)
    with pytest.raises(ValueError, match=r'sampling_table.*shape \(5,\); got shape \(3,\)'):
        skipgrams([1, 2], 5, sampling_table=np.ones(3))
    with pytest.raises(ValueError, match='flat sequence of integer word indices'):
        skipgrams([1.5, 2.5], 5)
    with pytest.raises(ValueError, match='window_size must be an integer >= 0'):
        skipgrams([1, 2], 5, window_size=-1)
    with pytest.raises(ValueError, match='negative_samples must be a number >= 0.*got None'):
        skipgrams([1, 2], 5, negative_samples=None)


def test_empty_sequence_gives_no_couples():
    assert skipgrams([], 5) == ([], [])
