"""Bad data for fit, evaluate and friends: each error names the input or output, the shape
received and the shape expected (or the number of arrays), and says what to do."""
import numpy as np
import pytest

from kcore.layers import Dense, Input, TimeDistributed
from kcore.models import Model, Sequential
from kcore_test_helpers.training import fresh_graph, two_output_model  # noqa: F401

X = np.ones((4, 3), dtype='float32')


def _compiled(loss='mse', **kwargs):
    model = two_output_model()
    model.compile('sgd', loss, **kwargs)
    return model


def test_wrong_number_of_arrays():
    model = _compiled()
    with pytest.raises(ValueError, match=r"model_1 expects 2 target array\(s\) \(for out_a, "
                                         r"out_b\), but got 1"):
        model.fit(X, np.ones((4, 2)), verbose=0)
    with pytest.raises(ValueError, match=r"expects 1 input array\(s\) \(for in\), but got 2"):
        model.train_on_batch([X, X], [np.ones((4, 2)), np.ones((4, 1))])


def test_wrong_rank_or_shape_names_the_array_and_both_shapes():
    model = _compiled()
    with pytest.raises(ValueError, match=r"model_1, input 'in': expected arrays of shape "
                                         r"\(None, 3\), got an array of shape \(4, 3, 1\)"):
        model.evaluate(np.ones((4, 3, 1)), [np.ones((4, 2)), np.ones((4, 1))], verbose=0)
    with pytest.raises(ValueError, match=r"target 'out_a': expected arrays of shape \(None, 2\), "
                                         r"got an array of shape \(4, 5\)"):
        model.fit(X, [np.ones((4, 5)), np.ones((4, 1))], verbose=0)


def test_dict_without_an_entry_for_an_output():
    model = _compiled()
    with pytest.raises(ValueError, match=r"no data for target\(s\) \['out_b'\]; the dict must "
                                         r"have a key for each target: \['out_a', 'out_b'\] "
                                         r"\(got keys \['out_a', 'outb'\]\)"):
        model.fit({'in': X}, {'out_a': np.ones((4, 2)), 'outb': np.ones((4, 1))}, verbose=0)


def test_different_sample_counts_across_arrays():
    model = _compiled()
    with pytest.raises(ValueError, match=r"same number of samples; got \[4, 4, 3\] \(for input "
                                         r"'in', target 'out_a', target 'out_b'\)"):
        model.fit(X, [np.ones((4, 2)), np.ones((3, 1))], verbose=0)


def test_integer_labels_with_categorical_crossentropy_suggest_to_categorical():
    model = Sequential([Dense(10, input_dim=3, activation='softmax')])
    model.compile('sgd', 'categorical_crossentropy')
    with pytest.raises(ValueError, match=r"target 'dense_1': expected arrays of shape "
                                         r"\(None, 10\), got an array of shape \(4, 1\)\. "
                                         r"categorical_crossentropy expects one-hot targets.*"
                                         r"to_categorical\(y, 10\).*"
                                         'sparse_categorical_crossentropy'):
        model.fit(X, np.array([1, 5, 9, 0]), verbose=0)


def test_sparse_labels_need_the_output_rank():
    model = Sequential([TimeDistributed(Dense(4, activation='softmax'), input_shape=(5, 3))])
    model.compile('sgd', 'sparse_categorical_crossentropy')
    labels = np.zeros((2, 5))
    with pytest.raises(ValueError, match=r"expected arrays of shape \(None, 5, 1\), got an array "
                                         r"of shape \(2, 5\)\..*np\.expand_dims\(y, -1\)"):
        model.train_on_batch(np.ones((2, 5, 3)), labels)
    assert np.isfinite(model.train_on_batch(np.ones((2, 5, 3)), np.expand_dims(labels, -1)))


def test_sample_and_class_weight_errors():
    model = _compiled()
    targets = [np.ones((4, 2)), np.ones((4, 1))]
    with pytest.raises(ValueError, match=r"output 'out_a': sample_weight has shape \(3,\), "
                                         r"expected shape \(4,\)"):
        model.fit(X, targets, sample_weight=[np.ones(3), None], verbose=0)
    with pytest.raises(ValueError, match=r"output 'out_b': sample_weight has shape \(4, 2\).*"
                                         'sample_weight_mode="temporal"'):
        model.fit(X, targets, sample_weight={'out_b': np.ones((4, 2))}, verbose=0)
    with pytest.raises(ValueError, match=r'has 2 outputs \(out_a, out_b\): class_weight must be '
                                         'a list or a dict keyed by output name'):
        model.fit(X, targets, class_weight={0: 1., 1: 2.}, verbose=0)


def test_validation_arguments():
    model = _compiled()
    targets = [np.ones((4, 2)), np.ones((4, 1))]
    with pytest.raises(ValueError, match=r'validation_data must be a tuple \(x, y\) or \(x, y, '
                                         r'sample_weight\); got a tuple of 1 items'):
        model.fit(X, targets, validation_data=(X,), verbose=0)
    with pytest.raises(ValueError, match=r'validation_split must be a number in \[0, 1\); got 1\.5'):
        model.fit(X, targets, validation_split=1.5, verbose=0)
    with pytest.raises(ValueError, match='model_1: evaluate got arrays with no samples'):
        model.evaluate(X[:0], [t[:0] for t in targets], verbose=0)


def test_a_fixed_batch_size_is_enforced():
    x = Input(batch_shape=(2, 3))
    model = Model(x, Dense(1)(x))
    model.compile('sgd', 'mse')
    with pytest.raises(ValueError, match=r'has a fixed batch size of 2 .*every batch of fit must '
                                         r'have 2 samples; 4 samples with batch_size=3 make '
                                         r'batches of 1, 3\. Pass batch_size=2'):
        model.fit(X, np.ones((4, 1)), batch_size=3, verbose=0)
    with pytest.raises(ValueError, match=r"expected arrays of shape \(2, 3\), got an array of "
                                         r"shape \(4, 3\)"):
        model.train_on_batch(X, np.ones((4, 1)))
    model.fit(X, np.ones((4, 1)), batch_size=2, nb_epoch=1, verbose=0)
