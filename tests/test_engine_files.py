"""Models' file methods (save, save_weights, load_weights) on real models; the file
format itself is tested with the saving module."""
import numpy as np

from kcore_test_helpers.engine import fresh_graph  # noqa: F401
from kcore.layers import Dense, Input, Merge
from kcore.models import Model, Sequential, load_model


def test_save_and_load_a_merge_of_sequentials(tmp_path):
    left = Sequential([Dense(3, input_dim=4)])
    right = Sequential([Dense(3, input_dim=4)])
    model = Sequential([Merge([left, right], mode='concat'), Dense(2)])
    data = [np.random.rand(2, 4), np.random.rand(2, 4)]
    weights = model.get_weights()
    model.save_weights(str(tmp_path / 'w.h5'))
    model.set_weights([np.zeros_like(w) for w in weights])
    model.load_weights(str(tmp_path / 'w.h5'))
    for got, want in zip(model.get_weights(), weights):
        np.testing.assert_array_equal(got, want)
    model.save(str(tmp_path / 'm.h5'))
    loaded = load_model(str(tmp_path / 'm.h5'))
    assert isinstance(loaded, Sequential) and len(loaded.inputs) == 2
    np.testing.assert_allclose(loaded.predict(data), model.predict(data), rtol=1e-6)


def test_load_weights_by_name_into_another_model(tmp_path):
    """L2219-2247: only the layers whose names match are loaded."""
    x = Input(shape=(3,))
    old = Model(x, Dense(2, name='dense_2')(Dense(4, name='dense_1')(x)))
    old.save_weights(str(tmp_path / 'old.h5'))
    y = Input(shape=(3,))
    new = Model(y, Dense(5, name='new_dense')(Dense(4, name='dense_1')(y)))
    before = new.get_layer('new_dense').get_weights()
    new.load_weights(str(tmp_path / 'old.h5'), by_name=True)
    np.testing.assert_array_equal(new.get_layer('dense_1').get_weights()[0],
                                  old.get_layer('dense_1').get_weights()[0])
    np.testing.assert_array_equal(new.get_layer('new_dense').get_weights()[0], before[0])
