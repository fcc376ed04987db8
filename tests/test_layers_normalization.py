"""BatchNormalization: modes 0/1/2 against numpy, running statistics updated in training
and used at test time, the weight order [gamma, beta, running mean, running std], the
weights argument, saving and reloading, configs."""
import h5py
import numpy as np
import pytest

from kcore import backend as K
from kcore import plugins, regularizers
from kcore.engine.training import Model
from kcore.layers import BatchNormalization, Dense, Input
from kcore.models import Sequential
from kcore_test_helpers.layers import fresh_graph  # noqa: F401 (autouse fixture)
from kcore_test_helpers.layers import (
    gradient_step, keras_input, model_json_roundtrip, roundtrip, run)

RNG = np.random.RandomState(2)
EPS = 1e-6


def _model(layer, shape):
    inp = Input(shape=shape)
    return Model(input=inp, output=layer(inp))


def _train_step(model):
    """A function running the model in the training phase with its updates."""
    return K.function([model.inputs[0], K.learning_phase()], [model.outputs[0]],
                      updates=model.updates)


def feature_wise(x, axis, mean=None, var=None, gamma=1., beta=0.):
    axes = tuple(a for a in range(x.ndim) if a != axis % x.ndim)
    shape = [1] * x.ndim
    shape[axis] = x.shape[axis]
    mean = x.mean(axis=axes) if mean is None else mean
    var = x.var(axis=axes) if var is None else var
    r = [np.broadcast_to(v, x.shape[axis]).reshape(shape) for v in (mean, var, gamma, beta)]
    return (x - r[0]) / np.sqrt(r[1] + EPS) * r[2] + r[3]


def test_defaults_are_the_docs():
    """Decision: the doc's printed defaults epsilon=1e-06, momentum=0.9 (Keras 1.1.2's code
    had 1e-3 and 0.99)."""
    layer = BatchNormalization()
    assert (layer.epsilon, layer.mode, layer.axis, layer.momentum) == (1e-6, 0, -1, 0.9)
    assert layer.beta_init.__name__ == 'zero' and layer.gamma_init.__name__ == 'one'


@pytest.mark.parametrize('axis, shape', [(-1, (6,)), (1, (3, 4, 5)), (-1, (4, 5, 3)),
                                         (2, (4, 3))])
def test_mode_0_train_and_test_phases(axis, shape):
    x = (RNG.randn(8, *shape) * 3 + 2).astype('float32')
    layer = BatchNormalization(axis=axis)
    model = _model(layer, shape)
    gamma, beta = RNG.rand(2, shape[axis if axis < 0 else axis - 1]).astype('float32') + 0.5
    layer.set_weights([gamma, beta] + layer.get_weights()[2:])
    train = _train_step(model)
    # training phase: the batch's statistics
    np.testing.assert_allclose(train([x, 1])[0], feature_wise(x, axis, gamma=gamma, beta=beta),
                               rtol=1e-4, atol=1e-4)
    # the update ran once: running = 0.9 * initial + 0.1 * batch statistic
    axes = tuple(a for a in range(x.ndim) if a != axis % x.ndim)
    mean, std = layer.get_weights()[2:]
    np.testing.assert_allclose(mean, 0.1 * x.mean(axis=axes), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(std, 0.9 + 0.1 * x.var(axis=axes), rtol=1e-4)
    # test phase: the running statistics
    want = feature_wise(x, axis, mean, std, gamma, beta)
    np.testing.assert_allclose(model.predict(x), want, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(run(BatchNormalization(axis=axis), x, phase=0),
                               feature_wise(x, axis, 0., 1.), rtol=1e-5, atol=1e-5)


def test_running_statistics_converge_and_phases_differ():
    x = (RNG.randn(64, 3) * [1., 2., 4.] + [5., -1., 0.]).astype('float32')
    layer = BatchNormalization(momentum=0.5)
    model = _model(layer, (3,))
    train = _train_step(model)
    for _ in range(30):
        train([x, 1])
    mean, std = layer.get_weights()[2:]
    np.testing.assert_allclose(mean, x.mean(axis=0), rtol=1e-3, atol=1e-3)
    np.testing.assert_allclose(std, x.var(axis=0), rtol=1e-3)   # Keras 1: the variance
    test_out = model.predict(x[:4])
    train_out = train([x[:4], 1])[0]
    assert not np.allclose(test_out, train_out, atol=1e-2)
    np.testing.assert_allclose(test_out, feature_wise(x[:4], -1, mean, std), rtol=1e-3,
                               atol=1e-3)
    assert layer.uses_learning_phase and len(layer.updates) == 2


def test_updates_belong_to_the_call():
    layer = BatchNormalization()
    a, b = keras_input((3,)), keras_input((3,))
    layer(a)
    layer(b)
    assert len(layer.get_updates_for([a])) == 2 and len(layer.get_updates_for([b])) == 2
    model = Model(input=a, output=layer.get_output_at(0))
    assert {id(u) for u in model.updates} == {id(u) for u in layer.get_updates_for([a])}


def test_mode_1_sample_wise():
    x = (RNG.randn(5, 6) * 2 + 1).astype('float32')
    layer = BatchNormalization(mode=1)
    out = run(layer, x, phase=1)
    std = np.sqrt(x.var(axis=-1, keepdims=True) + EPS)
    want = (x - x.mean(axis=-1, keepdims=True)) / (std + EPS)
    np.testing.assert_allclose(out, want, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(run(BatchNormalization(mode=1), x, phase=0), want, rtol=1e-4,
                               atol=1e-5)
    assert not layer.uses_learning_phase and layer.updates == []


def test_mode_2_batch_statistics_in_both_phases():
    x = (RNG.randn(6, 2, 3) + 3).astype('float32')
    layer = BatchNormalization(mode=2, axis=1)
    model = _model(layer, (2, 3))
    want = feature_wise(x, 1)
    np.testing.assert_allclose(model.predict(x), want, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(_train_step(model)([x, 1])[0], want, rtol=1e-4, atol=1e-4)
    assert layer.updates == [] and not layer.uses_learning_phase


def test_weights_order_is_gamma_beta_mean_std():
    """The pitfalls page: [gamma, beta, mean, std], trainable first."""
    layer = BatchNormalization(name='bn')
    layer(keras_input((4,)))
    assert [w.name.split(':')[0] for w in layer.weights] == [
        'bn_gamma', 'bn_beta', 'bn_running_mean', 'bn_running_std']
    assert layer.trainable_weights == [layer.gamma, layer.beta]
    assert layer.non_trainable_weights == [layer.running_mean, layer.running_std]
    values = [np.full(4, v, dtype='float32') for v in (2., 3., 4., 9.)]
    layer.set_weights(values)
    x = np.ones((2, 4), dtype='float32')
    np.testing.assert_allclose(K.function([layer.input], [layer.output])([x])[0],
                               (1. - 4.) / np.sqrt(9. + EPS) * 2. + 3., rtol=1e-5)


def test_weights_argument_takes_four_or_the_docs_two_arrays():
    """Decision (§20 item 9): the doc's weights=[gamma, beta] (2 arrays) and the full
    [gamma, beta, mean, std] both work."""
    four = [np.full(3, v, dtype='float32') for v in (2., 1., 0.5, 4.)]
    layer = BatchNormalization(weights=four)
    run(layer, np.ones((2, 3), dtype='float32'))
    np.testing.assert_allclose(layer.get_weights(), four)
    layer = BatchNormalization(weights=four[:2])
    run(layer, np.ones((2, 3), dtype='float32'))
    np.testing.assert_allclose(layer.get_weights(), four[:2] + [np.zeros(3), np.ones(3)])
    with pytest.raises(ValueError, match='has 4 weights'):
        BatchNormalization(weights=four[:3])(keras_input((3,)))


def test_saved_weights_reload_in_the_documented_order(tmp_path):
    def build():
        model = Sequential()
        model.add(Dense(4, input_dim=3))
        model.add(BatchNormalization(name='bn'))
        return model

    model = build()
    train = _train_step(model)
    for _ in range(3):
        train([RNG.randn(16, 3).astype('float32') * 2 + 1, 1])
    path = str(tmp_path / 'bn.h5')
    model.save_weights(path)
    with h5py.File(path, 'r') as f:
        names = [n.decode() if isinstance(n, bytes) else n
                 for n in f['bn'].attrs['weight_names']]
        assert [n.split(':')[0] for n in names] == [
            'bn_gamma', 'bn_beta', 'bn_running_mean', 'bn_running_std']
        stored = [f['bn'][n][()] for n in names]
    bn = model.layers[1]
    for value, weight in zip(stored, bn.get_weights()):
        np.testing.assert_allclose(value, weight)
    again = build()
    again.load_weights(path)
    for a, b in zip(again.get_weights(), model.get_weights()):
        np.testing.assert_allclose(a, b)
    x = RNG.randn(5, 3).astype('float32')
    np.testing.assert_allclose(again.predict(x), model.predict(x), rtol=1e-6)


def test_training_changes_gamma_and_beta():
    x = (RNG.randn(8, 3) * 2).astype('float32')
    before, after, loss_before, loss_after = gradient_step(BatchNormalization(), x)
    for index in (0, 1):                         # gamma and beta; the statistics are not
        assert not np.allclose(before[index], after[index])   # trained by gradients
    assert loss_after < loss_before
    layer = BatchNormalization(gamma_regularizer=regularizers.l2(0.1),
                               beta_regularizer=regularizers.l1(0.1))
    layer(keras_input((3,)))
    assert len(layer.losses) == 2


def test_config_round_trip_and_errors():
    layer = BatchNormalization(epsilon=1e-3, mode=2, axis=1, momentum=0.99, beta_init='one',
                               gamma_regularizer=regularizers.l2(0.01), name='bn')
    config = layer.get_config()
    assert {k: config[k] for k in ('epsilon', 'mode', 'axis', 'momentum', 'beta_init',
                                   'gamma_init')} == {
        'epsilon': 1e-3, 'mode': 2, 'axis': 1, 'momentum': 0.99, 'beta_init': 'one',
        'gamma_init': 'one'}
    roundtrip(layer)
    model_json_roundtrip(BatchNormalization(axis=1), RNG.rand(2, 3, 4).astype('float32'))
    assert plugins.get('layers', 'BatchNormalization') is BatchNormalization
    with pytest.raises(ValueError, match=r'BatchNormalization: mode must be 0 .*got 3'):
        BatchNormalization(mode=3)
    with pytest.raises(ValueError, match=r'batchnormalization_\d+ normalizes along axis 3.*'
                                         r'got input shape \(None, 4, 5\)'):
        BatchNormalization(axis=3)(keras_input((4, 5)))
    with pytest.raises(ValueError, match=r'momentum .* \[0, 1\]; got 1.5'):
        BatchNormalization(momentum=1.5)
    with pytest.raises(ValueError, match='epsilon must be a number >= 0'):
        BatchNormalization(epsilon=-1)
    with pytest.raises(ValueError, match='axis 0'):
        BatchNormalization(axis=0)(keras_input((4,)))
