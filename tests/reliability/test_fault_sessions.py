"""Long-lived processes: after K.clear_session() a model built before it stops with a kcore
error that says so; models built after it work; building and discarding models in a loop
keeps the backend's graph from growing without bound once the session is cleared."""
import numpy as np
import pytest

from kcore import backend as K

from fault_tools import dense_model, regression_data, run_python
from kcore_test_helpers.session import BACKEND

X, Y = regression_data(10)


@pytest.mark.parametrize('use', ['predict', 'fit', 'evaluate', 'get_weights', 'save'])
def test_a_model_built_before_clear_session_says_the_session_was_cleared(use, tmp_path):
    model = dense_model()
    model.fit(X, Y, nb_epoch=1, verbose=0)
    K.clear_session()
    calls = {
        'predict': lambda: model.predict(X),
        'fit': lambda: model.fit(X, Y, nb_epoch=1, verbose=0),
        'evaluate': lambda: model.evaluate(X, Y, verbose=0),
        'get_weights': lambda: model.get_weights(),
        'save': lambda: model.save(str(tmp_path / 'm.h5')),
    }
    if BACKEND != 'tensorflow':
        # PyTensor keeps no global graph: models built before clear_session keep working.
        calls[use]()
        return
    with pytest.raises(RuntimeError) as info:
        calls[use]()
    assert type(info.value).__name__ == 'SessionClearedError'
    assert 'clear_session' in str(info.value)


def test_models_built_after_clear_session_work():
    dense_model().fit(X, Y, nb_epoch=1, verbose=0)
    K.clear_session()
    history = dense_model().fit(X, Y, nb_epoch=2, verbose=0)
    assert np.all(np.isfinite(history.history['loss']))


@pytest.mark.skipif(BACKEND != 'tensorflow', reason='counts the ops of the TensorFlow graph')
def test_building_models_in_a_loop_with_clear_session_keeps_the_graph_flat():
    code, out, err = run_python('''
import numpy as np
from kcore import backend as K
from kcore.layers import Dense
from kcore.models import Sequential
X = np.random.rand(8, 4).astype('float32'); Y = X.sum(axis=1, keepdims=True)
sizes = []
for i in range(12):
    model = Sequential([Dense(16, input_dim=4, activation='relu'), Dense(1)])
    model.compile('sgd', 'mse')
    model.fit(X, Y, nb_epoch=1, verbose=0)
    del model
    K.clear_session()
    model = Sequential([Dense(16, input_dim=4, activation='relu'), Dense(1)])
    sizes.append(len(K.get_session().graph.get_operations()))
    del model
print('SIZES', sizes)
''', KCORE_BACKEND=BACKEND)
    assert code == 0, err[-3000:]
    sizes = eval(out.split('SIZES', 1)[1])
    assert max(sizes[2:]) <= sizes[1], sizes
