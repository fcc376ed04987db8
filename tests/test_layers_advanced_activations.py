"""Advanced activations: each formula against numpy, learned parameters (shapes, weights
argument, training), masks passing through, configs."""
import numpy as np
import pytest

from kcore import backend as K
from kcore import plugins
from kcore.layers import (ELU, LeakyReLU, Masking, ParametricSoftplus, PReLU, SReLU,
                          ThresholdedReLU)
from kcore_test_helpers.layers import fresh_graph  # noqa: F401 (autouse fixture)
from kcore_test_helpers.layers import (
    assert_trains, keras_input, model_json_roundtrip, roundtrip, run)

RNG = np.random.RandomState(11)
X = (RNG.randn(4, 3, 5) * 2).astype('float32')


def test_leaky_relu():
    np.testing.assert_allclose(run(LeakyReLU(), X), np.where(X < 0, 0.3 * X, X), rtol=1e-6)
    np.testing.assert_allclose(run(LeakyReLU(0.1), X), np.where(X < 0, 0.1 * X, X), rtol=1e-6)


def test_elu():
    np.testing.assert_allclose(run(ELU(), X), np.where(X < 0, np.expm1(X), X), rtol=1e-5,
                               atol=1e-6)
    np.testing.assert_allclose(run(ELU(alpha=0.5), X), np.where(X < 0, 0.5 * np.expm1(X), X),
                               rtol=1e-5, atol=1e-6)


def test_thresholded_relu():
    """f(x) = x for x > theta, else 0 (the doc's 'theata' is the signature's theta)."""
    np.testing.assert_allclose(run(ThresholdedReLU(), X), np.where(X > 1., X, 0.))
    np.testing.assert_allclose(run(ThresholdedReLU(theta=0.5), X), np.where(X > 0.5, X, 0.))
    x = np.array([[1., 1.5]], dtype='float32')
    np.testing.assert_allclose(run(ThresholdedReLU(theta=1.), x), [[0., 1.5]])


def test_prelu():
    layer = PReLU()
    out = run(layer, X)
    alphas, = layer.get_weights()
    assert alphas.shape == (3, 5) and not alphas.any()          # init='zero': a ReLU
    np.testing.assert_allclose(out, np.maximum(X, 0))
    alphas = RNG.rand(3, 5).astype('float32')
    layer = PReLU(weights=[alphas])
    np.testing.assert_allclose(run(layer, X), np.where(X < 0, alphas * X, X), rtol=1e-6)
    assert layer.weights[0].name.startswith(layer.name + '_alphas')
    assert_trains(PReLU(init='uniform'), X)


def test_parametric_softplus():
    layer = ParametricSoftplus()
    out = run(layer, X)
    alphas, betas = layer.get_weights()
    np.testing.assert_allclose(alphas, np.full((3, 5), 0.2))
    np.testing.assert_allclose(betas, np.full((3, 5), 5.))
    np.testing.assert_allclose(out, 0.2 * np.logaddexp(0, 5 * X), rtol=1e-5)
    alphas, betas = RNG.rand(2, 3, 5).astype('float32') + 0.5
    out = run(ParametricSoftplus(weights=[alphas, betas]), X)
    np.testing.assert_allclose(out, alphas * np.log1p(np.exp(betas * X)), rtol=1e-5)
    assert_trains(ParametricSoftplus(alpha_init=0.5, beta_init=1.), X)


def srelu_reference(x, t_left, a_left, t_right, a_right):
    right = t_left + np.abs(t_right)
    return np.where(x <= t_left, t_left + a_left * (x - t_left),
                    np.where(x >= right, right + a_right * (x - right), x))


def test_srelu():
    layer = SReLU()
    out = run(layer, X)
    params = layer.get_weights()
    assert [p.shape for p in params] == [(3, 5)] * 4
    assert not params[0].any() and (params[3] == 1).all()        # t_left 0, a_right 1
    np.testing.assert_allclose(out, srelu_reference(X, *params), rtol=1e-5, atol=1e-6)
    params = [RNG.randn(3, 5).astype('float32') for _ in range(4)]
    layer = SReLU()
    layer.build((None, 3, 5))
    layer.set_weights(params)
    np.testing.assert_allclose(run(layer, X), srelu_reference(X, *params), rtol=1e-5,
                               atol=1e-6)
    assert [w.name.split(':')[0] for w in layer.weights] == [
        layer.name + s for s in ('_t_left', '_a_left', '_t_right', '_a_right')]
    # with a_right = 1 (its default) t_right has no gradient: start a_right elsewhere
    assert_trains(SReLU(t_left_init='normal', a_right_init='uniform'), X)


def test_parameters_need_a_known_shape():
    with pytest.raises(ValueError, match=r'prelu_1 learns one parameter per input unit.*'
                                         r'got \(None, None, 5\)'):
        PReLU()(keras_input((None, 5)))
    assert LeakyReLU()(keras_input((None, 5)))._keras_shape == (None, None, 5)


@pytest.mark.parametrize('layer', [LeakyReLU(), PReLU(), ELU(), ParametricSoftplus(),
                                   ThresholdedReLU(), SReLU()])
def test_masks_pass_through(layer):
    inp = keras_input((3, 5))
    masked = Masking(0.)(inp)
    layer(masked)
    assert layer.get_output_mask_at(0) is not None


def test_configs_round_trip():
    assert LeakyReLU(0.2, name='l').get_config() == {'name': 'l', 'trainable': True,
                                                     'alpha': 0.2}
    assert ThresholdedReLU(2.).get_config()['theta'] == 2.
    assert PReLU(init='one').get_config()['init'] == 'one'
    config = SReLU(a_left_init='zero').get_config()
    assert (config['t_left_init'], config['a_left_init'], config['t_right_init'],
            config['a_right_init']) == ('zero', 'zero', 'glorot_uniform', 'one')
    for layer in (LeakyReLU(0.1), ELU(0.7), ThresholdedReLU(0.3), PReLU('uniform'),
                  ParametricSoftplus(0.3, 2.), SReLU()):
        roundtrip(layer)
        model_json_roundtrip(type(layer)(**{k: v for k, v in layer.get_config().items()
                                            if k != 'name'}), X)
        assert plugins.get('layers', type(layer).__name__) is type(layer)


def test_bad_arguments():
    with pytest.raises(ValueError, match='LeakyReLU: alpha must be a number'):
        LeakyReLU('big')
    with pytest.raises(ValueError, match='ParametricSoftplus: beta_init must be a number'):
        ParametricSoftplus(beta_init=None)
    with pytest.raises(ValueError, match='Unknown|unknown|no .*initialization'):
        PReLU(init='nonsense')
