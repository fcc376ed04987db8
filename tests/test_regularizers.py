"""kcore.regularizers: penalties against numpy, shortcuts, configs, lookup."""
import numpy as np
import pytest

from kcore import backend as K
from kcore import regularizers as R

W = np.array([[1.0, -2.0, 0.5], [-0.25, 3.0, -1.0]], dtype='float32')


def penalty(reg, x=None):
    return float(K.eval(reg(K.variable(W)) if x is None else reg(x)))


def test_weight_penalties():
    assert penalty(R.WeightRegularizer(l1=0.1)) == pytest.approx(0.1 * abs(W).sum())
    assert penalty(R.WeightRegularizer(l2=0.2)) == pytest.approx(0.2 * (W ** 2).sum())
    assert penalty(R.l1l2(0.1, 0.2)) == pytest.approx(0.1 * abs(W).sum() + 0.2 * (W ** 2).sum())
    assert penalty(R.l1()) == pytest.approx(0.01 * abs(W).sum())
    assert penalty(R.l2(0.5)) == pytest.approx(0.5 * (W ** 2).sum())
    assert penalty(R.WeightRegularizer()) == 0.0


def test_activity_penalty_averages_over_the_batch():
    # Keras 1.1.2: l1 * sum(mean(|y|, axis=0)) + l2 * sum(mean(y ** 2, axis=0))
    expected = 0.1 * abs(W).mean(axis=0).sum() + 0.2 * (W ** 2).mean(axis=0).sum()
    assert penalty(R.activity_l1l2(l1=0.1, l2=0.2)) == pytest.approx(expected)
    assert penalty(R.activity_l1(0.1)) == pytest.approx(0.1 * abs(W).mean(axis=0).sum())
    assert penalty(R.activity_l2()) == pytest.approx(0.01 * (W ** 2).mean(axis=0).sum())


def test_shortcut_parameter_names():
    # §20 item 28: activity_l2(λ=0.01), activity_l1l2(λ1=0.01, λ2=0.01) are l, l1, l2.
    assert R.activity_l2(l=0.3).l2 == pytest.approx(0.3)
    r = R.activity_l1l2(l1=0.1, l2=0.2)
    assert (r.l1, r.l2) == pytest.approx((0.1, 0.2))
    assert R.l1(l=0.3).l1 == pytest.approx(0.3) and R.l2(l=0.3).l2 == pytest.approx(0.3)
    assert R.activity_l1(10e-5).l1 == pytest.approx(1e-4)   # the autoencoder blog's call


def test_keras1_set_param_and_errors():
    reg = R.l2(0.1)
    reg.set_param(K.variable(W))
    assert float(K.eval(reg())) == pytest.approx(0.1 * (W ** 2).sum())
    with pytest.raises(ValueError, match='set_param'):
        R.l2()()
    with pytest.raises(ValueError, match='set_layer'):
        R.activity_l2()()
    with pytest.raises(ValueError, match='l1 must be a number >= 0'):
        R.WeightRegularizer(l1=-1)


def test_config_and_get():
    reg = R.l1l2(0.1, 0.2)
    config = reg.get_config()
    assert config == {'name': 'WeightRegularizer', 'l1': pytest.approx(0.1),
                      'l2': pytest.approx(0.2)}
    assert all(type(v) is float for k, v in config.items() if k != 'name')
    again = R.get(config)
    assert isinstance(again, R.WeightRegularizer) and again.get_config() == config
    act = R.get(R.activity_l2(0.3).get_config())
    assert isinstance(act, R.ActivityRegularizer) and act.l2 == pytest.approx(0.3)
    assert R.get(None) is None and R.get(reg) is reg
    assert isinstance(R.get('l2'), R.WeightRegularizer)
    assert R.get('activity_l1', {'l': 0.5}).l1 == 0.5
    assert isinstance(R.get(R.ActivityRegularizer), R.ActivityRegularizer)
    assert 'l2=0.2' in repr(reg)
    with pytest.raises(ValueError, match='Did you mean'):
        R.get('actvity_l2')


def keras1_eigenvalue_decay(w, k, steps=9):
    """Keras 1.1.2's EigenvalueRegularizer penalty in float64: ``steps`` products of W^T W
    with a vector of ones, the Rayleigh quotient, its square root times k."""
    ww = w.T.astype('float64') @ w
    v = ww @ np.ones(len(ww))
    for _ in range(steps - 1):
        v = ww @ v
    return k * np.sqrt((ww @ v) @ v / (v @ v))


def test_eigenvalue_regularizer_is_the_largest_singular_value():
    reg = R.EigenvalueRegularizer(0.1)
    assert penalty(reg) == pytest.approx(keras1_eigenvalue_decay(W, 0.1), rel=1e-5)
    assert penalty(reg) == pytest.approx(0.1 * np.linalg.norm(W, 2), rel=1e-5)
    # Large weights: Keras 1.1.2's unscaled vector would pass float32's range here.
    big = np.random.RandomState(0).randn(30, 20).astype('float32') * 50
    value = penalty(R.EigenvalueRegularizer(1.), K.variable(big))
    assert np.isfinite(value)
    assert value == pytest.approx(keras1_eigenvalue_decay(big, 1.), rel=1e-4)


def test_eigenvalue_regularizer_in_a_dense_layer_and_config():
    from kcore.layers import Dense, Input
    layer = Dense(3, W_regularizer=R.EigenvalueRegularizer(0.5))
    layer(Input(shape=(2,)))
    weight = layer.get_weights()[0]
    assert float(K.eval(layer.losses[0])) == pytest.approx(
        keras1_eigenvalue_decay(weight, 0.5), rel=1e-4)
    config = R.EigenvalueRegularizer(0.5).get_config()
    assert config == {'name': 'EigenvalueRegularizer', 'k': 0.5}
    assert R.get(config).k == 0.5
    with pytest.raises(ValueError, match='2D weights'):
        R.EigenvalueRegularizer(1.)(K.variable(np.ones((2, 2, 2))))
    with pytest.raises(ValueError, match='k must be a number >= 0'):
        R.EigenvalueRegularizer(-1)
