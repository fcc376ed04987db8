"""How batches are made and fed: one backend function per mode, built once; batches are
views of the data when not shuffled, in the placeholder's dtype; shuffle=True and
shuffle='batch' (HDF5 data)."""
import h5py
import numpy as np

from kcore import backend as K
from kcore.engine.training.array_loops import epoch_batches
from kcore.utils.io_utils import HDF5Matrix
from kcore_test_helpers.training import fresh_graph, linear_model  # noqa: F401

X = np.random.RandomState(0).rand(10, 3).astype('float32')
Y = X.sum(axis=1, keepdims=True)


def test_epoch_batches():
    assert epoch_batches(7, 3) == [slice(0, 3), slice(3, 6), slice(6, 7)]
    shuffled = epoch_batches(7, 3, shuffle=True)
    assert [len(b) for b in shuffled] == [3, 3, 1]
    assert sorted(np.concatenate(shuffled)) == list(range(7))
    np.random.seed(3)
    by_batch = epoch_batches(7, 3, shuffle='batch')
    assert sorted(by_batch, key=lambda s: s.start) == epoch_batches(7, 3)
    assert by_batch != epoch_batches(7, 3)


def test_one_backend_function_per_mode_built_once(monkeypatch):
    built = []
    function = K.function
    monkeypatch.setattr(K, 'function', lambda *a, **k: built.append(1) or function(*a, **k))
    model = linear_model()
    model.compile('sgd', 'mse')
    for _ in range(2):
        model.fit(X, Y, batch_size=2, nb_epoch=2, validation_split=0.2, verbose=0)
        model.evaluate(X, Y, verbose=0)
        model.predict(X)
        model.train_on_batch(X, Y)
    assert len(built) == 3


def test_unshuffled_batches_are_views_in_the_placeholder_dtype():
    model = linear_model()
    model.compile('sgd', 'mse')
    fed = []
    train = model._make_train_function()
    function = train.function
    train.function = lambda arrays: fed.append(arrays) or function(arrays)
    model.fit(X, Y, batch_size=4, nb_epoch=1, shuffle=False, verbose=0)
    assert [a.dtype for a in fed[0][:3]] == ['float32'] * 3
    assert all(np.shares_memory(batch[0], X) for batch in fed)
    fed.clear()
    model.fit(X.astype('float64'), Y, batch_size=4, nb_epoch=1, verbose=0)
    assert [a.dtype for a in fed[0][:3]] == ['float32'] * 3


def test_fit_on_hdf5_data_with_batch_shuffling(tmp_path):
    path = str(tmp_path / 'data.h5')
    with h5py.File(path, 'w') as f:
        f['x'], f['y'] = X, Y
    x, y = HDF5Matrix(path, 'x'), HDF5Matrix(path, 'y')
    model = linear_model()
    model.compile('sgd', 'mse')
    history = model.fit(x, y, batch_size=4, nb_epoch=3, shuffle='batch', verbose=0)
    assert len(history.history['loss']) == 3
    assert model.evaluate(x, y, verbose=0) == model.evaluate(X, Y, verbose=0)
    x.close()
    y.close()
