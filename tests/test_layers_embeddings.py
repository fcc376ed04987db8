"""Embedding: lookups against numpy, mask_zero, row dropout, input_length with Flatten and
Dense, pre-trained frozen weights (the blog's usage), configs and training."""
import numpy as np
import pytest

from kcore import backend as K
from kcore import constraints, plugins, regularizers
from kcore.layers import Dense, Dropout, Embedding, Flatten, Input
from kcore.models import Sequential
from kcore_test_helpers.layers import fresh_graph  # noqa: F401 (autouse fixture)
from kcore_test_helpers.layers import model_json_roundtrip, roundtrip, run

RNG = np.random.RandomState(5)
X = np.array([[4, 0, 2, 9], [1, 1, 0, 3]])


def _built(layer, length=4):
    inp = Input(shape=(length,), dtype='int32')
    return inp, layer(inp)


def test_lookup_against_numpy():
    layer = Embedding(10, 3)
    out = run(layer, X)
    W, = layer.get_weights()
    assert W.shape == (10, 3)
    np.testing.assert_allclose(out, W[X])
    np.testing.assert_allclose(run(Embedding(10, 3, weights=[W]), X.astype('float32')), W[X])
    assert layer.input_dtype == 'int32'


def test_doc_example_shapes():
    """[[4], [20]] -> [[0.25, 0.1], [0.6, -0.2]]: each index becomes its row of W."""
    W = np.zeros((21, 2), dtype='float32')
    W[4], W[20] = [0.25, 0.1], [0.6, -0.2]
    out = run(Embedding(21, 2, weights=[W], input_length=1), np.array([[4], [20]]))
    np.testing.assert_allclose(out, [[[0.25, 0.1]], [[0.6, -0.2]]])


def test_mask_zero():
    layer = Embedding(10, 3, mask_zero=True)
    inp, y = _built(layer)
    mask = K.function([inp], [layer.get_output_mask_at(0)])([X])[0]
    np.testing.assert_array_equal(mask, X != 0)
    assert Embedding(10, 3).compute_mask(inp) is None
    with pytest.raises(TypeError, match='does not support masking'):   # the doc's exception
        Flatten()(y)
    assert Dropout(0.5)(y) is not None                    # a masking-aware layer is fine


def test_dropout_drops_whole_rows_in_training_only():
    """Keras 1 semantics: each row of W (a word) is dropped for the whole batch, the kept
    rows scaled by 1 / (1 - dropout)."""
    W = RNG.rand(50, 6).astype('float32') + 1.
    x = np.tile(np.arange(50), (3, 1))                   # every word, three times
    layer = Embedding(50, 6, weights=[W], dropout=0.5)
    assert layer.uses_learning_phase
    inp, y = _built(layer, 50)
    f = K.function([inp, K.learning_phase()], [y])
    np.testing.assert_allclose(f([x, 0])[0], W[x])
    out = f([x, 1])[0]
    dropped = (out == 0).all(axis=-1)
    np.testing.assert_allclose(out[~dropped], 2. * W[x][~dropped], rtol=1e-6)
    assert (dropped == dropped[0]).all()                  # same rows in each sample
    assert 0.2 < dropped[0].mean() < 0.8
    assert not Embedding(5, 2).uses_learning_phase


def test_input_length_for_flatten_then_dense():
    model = Sequential()
    model.add(Embedding(20, 4, input_length=6))
    assert model.output_shape == (None, 6, 4)
    model.add(Flatten())
    model.add(Dense(2))
    assert model.output_shape == (None, 2)
    assert model.predict(RNG.randint(0, 20, (3, 6))).shape == (3, 2)


def test_pretrained_frozen_embedding():
    """The blog: Embedding(len(word_index) + 1, dim, weights=[matrix], input_length=n,
    trainable=False)."""
    matrix = RNG.rand(8, 3).astype('float32')
    layer = Embedding(8, 3, weights=[matrix], input_length=4, trainable=False)
    run(layer, X % 8)
    assert layer.trainable_weights == [] and len(layer.non_trainable_weights) == 1
    np.testing.assert_allclose(layer.get_weights()[0], matrix)


def test_sgd_step_changes_the_rows_used():
    """An optimizer step moves the rows of the indices in the batch, and only those (the
    backend's gradient of a lookup may be sparse; the optimizers take it)."""
    from kcore.optimizers import SGD
    layer = Embedding(10, 3)
    inp, y = _built(layer)
    loss = K.mean(K.square(y - 1.))
    step = K.function([inp], [loss], updates=SGD(lr=0.5).get_updates(
        layer.trainable_weights, layer.constraints, loss))
    before = layer.get_weights()[0]
    first = step([X])[0]
    after = layer.get_weights()[0]
    used = np.isin(np.arange(10), X)
    assert (np.abs(after - before).max(axis=1) > 0).tolist() == used.tolist()
    assert step([X])[0] < first


def test_regularizers_and_constraints():
    layer = Embedding(10, 3, W_regularizer=regularizers.l2(0.1),
                      activity_regularizer=regularizers.activity_l1(0.1),
                      W_constraint=constraints.unitnorm())
    _built(layer)
    assert len(layer.losses) == 2 and list(layer.constraints) == [layer.W]


def test_config_round_trip():
    layer = Embedding(10, 3, init='normal', input_length=4, mask_zero=True, dropout=0.25,
                      W_regularizer=regularizers.l1(0.01), name='emb')
    config = layer.get_config()
    assert {k: config[k] for k in ('input_dim', 'output_dim', 'init', 'input_length',
                                   'mask_zero', 'dropout', 'batch_input_shape',
                                   'input_dtype')} == {
        'input_dim': 10, 'output_dim': 3, 'init': 'normal', 'input_length': 4,
        'mask_zero': True, 'dropout': 0.25, 'batch_input_shape': (None, 4),
        'input_dtype': 'int32'}
    roundtrip(layer)
    model_json_roundtrip(Embedding(10, 3, input_length=4), X)
    assert plugins.get('layers', 'Embedding') is Embedding


def test_arguments_and_shapes_checked():
    """Decision: input_dim is a vocabulary size, so it must be >= 1."""
    for bad in (0, -1, 2.5):
        with pytest.raises(ValueError,
                           match=r'Embedding embedding_\d+: input_dim must be an integer > 0'):
            Embedding(bad, 3)
    with pytest.raises(ValueError, match=r'Embedding: dropout .* \[0, 1\)'):
        Embedding(5, 3, dropout=1.)
    with pytest.raises(ValueError, match=r'embedding_\d+ expects input of shape \(samples, '
                                         r'sequence_length\)'):
        Embedding(5, 3).get_output_shape_for((None, 4, 2))
    layer = Embedding(5, 3, input_length=4)
    with pytest.raises(ValueError, match=r'built for input_length=4 but got input of shape '
                                         r'\(None, 6\)'):
        layer.get_output_shape_for((None, 6))
    assert Embedding(5, 3).get_output_shape_for((2, None)) == (2, None, 3)
