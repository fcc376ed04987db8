"""The loops' input arrays cast into 64-byte aligned memory (``data.to_dtypes``): the same
values as ``astype``, the same predictions and evaluations, and batches fed in place."""
import numpy as np
import pytest

from kcore.engine.training import array_loops, data
from kcore.engine.training.functions import BatchFunction
from kcore.layers import Dense, Input, SimpleRNN
from kcore.models import Model, Sequential


def misaligned(shape, dtype='float64', seed=0):
    """Random values in an array that starts 16 bytes past a 64-byte boundary."""
    dtype = np.dtype(dtype)
    nbytes = int(np.prod(shape)) * dtype.itemsize
    raw = np.empty(nbytes + 128, dtype=np.uint8)
    start = -raw.ctypes.data % 64 + 16
    array = raw[start:start + nbytes].view(dtype).reshape(shape)
    array[...] = np.random.RandomState(seed).uniform(-2, 2, size=shape).astype(dtype)
    assert array.ctypes.data % 64 == 16
    return array


def astype(arrays, dtypes):
    """``to_dtypes`` as it was: numpy's own copy, wherever malloc puts it."""
    return [a.astype(d) if isinstance(a, np.ndarray) and a.dtype != d else a
            for a, d in zip(arrays, dtypes)]


def both_ways(monkeypatch, call):
    """``call()`` with kcore's aligned cast, then with plain ``astype``."""
    aligned = call()
    with monkeypatch.context() as patch:
        patch.setattr(data, 'to_dtypes', astype)
        plain = call()
    return aligned, plain


def test_aligned_empty_starts_at_the_boundary():
    for shape, dtype in [((3, 5), 'float32'), ((7,), 'float64'), ((2, 3, 4), 'uint8'),
                         ((), 'int32')]:
        array = data.aligned_empty(shape, dtype)
        assert array.shape == shape and array.dtype == np.dtype(dtype)
        assert array.flags.c_contiguous and array.ctypes.data % 64 == 0
    assert data.aligned_empty((0, 4), 'int32').shape == (0, 4)


@pytest.mark.parametrize('source', [misaligned((9, 5)), np.arange(12).reshape(4, 3),
                                    np.asfortranarray(misaligned((6, 7))),
                                    misaligned((8, 3))[::2], np.array([[True, False]]),
                                    np.array([['1.5', '2']])])
def test_to_dtypes_casts_like_astype_into_aligned_memory(source):
    got, = data.to_dtypes([source], ['float32'])
    expected = source.astype('float32')
    assert got.dtype == np.float32 and got.shape == expected.shape
    np.testing.assert_array_equal(got, expected)
    assert got.ctypes.data % 64 == 0 and got.flags.c_contiguous


def test_to_dtypes_leaves_the_rest_alone():
    same = misaligned((3, 2), 'float32')
    listed = [1, 2]
    cast = data.to_dtypes([same, listed, None], ['float32', 'float32', 'float32'])
    assert cast[0] is same and cast[1] is listed and cast[2] is None


def test_predict_and_evaluate_equal_the_astype_copy(monkeypatch):
    model = Sequential([Dense(7, activation='relu', input_dim=6),
                        Dense(3, activation='softmax')])
    model.compile('sgd', 'categorical_crossentropy', metrics=['accuracy'])
    x = misaligned((23, 6))
    y = np.eye(3)[np.arange(23) % 3]
    ints = (np.arange(23 * 6).reshape(23, 6) % 5).astype('int64')
    for batch_size in (5, 8, 23, 50):
        aligned, plain = both_ways(monkeypatch, lambda: (
            model.predict(x, batch_size=batch_size),
            model.evaluate(x, y, batch_size=batch_size, verbose=0),
            model.predict(ints, batch_size=batch_size)))
        for got, want in zip(aligned, plain):
            np.testing.assert_array_equal(got, want)


def test_several_inputs_and_outputs_as_lists_and_dicts(monkeypatch):
    a, b = Input((4,), name='a'), Input((3,), name='b')
    first = Dense(2, name='first')(Dense(5)(a))
    second = Dense(1, name='second')(Dense(5)(b))
    model = Model([a, b], [first, second])
    model.compile('sgd', 'mse')
    xa, xb = misaligned((17, 4)), misaligned((17, 3), seed=2)
    aligned, plain = both_ways(monkeypatch, lambda: (
        model.predict([xa, xb], batch_size=6), model.predict({'a': xa, 'b': xb}, batch_size=6),
        model.predict_on_batch([xa, xb])))
    for got, want in zip(sum(aligned, []), sum(plain, [])):
        np.testing.assert_array_equal(got, want)
    assert [v.shape for v in aligned[0]] == [(17, 2), (17, 1)]


def test_a_stateful_model_sees_the_same_batches(monkeypatch):
    model = Sequential([SimpleRNN(4, stateful=True, batch_input_shape=(3, 5, 2)), Dense(1)])
    model.compile('sgd', 'mse')
    x = misaligned((12, 5, 2))

    def predict():
        model.reset_states()
        return model.predict(x, batch_size=3)
    aligned, plain = both_ways(monkeypatch, predict)
    np.testing.assert_array_equal(aligned, plain)


def test_the_backend_function_gets_batches_in_place(monkeypatch):
    """Batches of a cast input start at 64-byte boundaries when their size in bytes is a
    multiple of 64 (8 rows of 8 float32 here), and they are views, not copies."""
    model = Sequential([Dense(3, input_dim=8)])
    fed = []
    original = BatchFunction.call_async    # what the predict loop calls

    def spy(self, arrays):
        fed.append(arrays[0])
        return original(self, arrays)
    monkeypatch.setattr(BatchFunction, 'call_async', spy)
    x = misaligned((20, 8))
    out = model.predict(x, batch_size=8)
    assert len(fed) == 3
    assert all(batch.ctypes.data % 64 == 0 and batch.base is not None for batch in fed)
    assert all(fed[0].base is batch.base for batch in fed)     # one cast array, sliced
    np.testing.assert_allclose(out, model.predict(x.astype('float32'), batch_size=8),
                               rtol=1e-6)
    assert array_loops.epoch_batches(20, 8)[-1] == slice(16, 20)
