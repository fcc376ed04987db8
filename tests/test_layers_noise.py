"""GaussianNoise and GaussianDropout: the identity at test time, noise of the documented
statistics in training, masks, configs."""
import numpy as np
import pytest

from kcore import plugins
from kcore.layers import GaussianDropout, GaussianNoise, Masking
from kcore_test_helpers.layers import fresh_graph  # noqa: F401 (autouse fixture)
from kcore_test_helpers.layers import keras_input, model_json_roundtrip, roundtrip, run

X = np.random.RandomState(0).rand(200, 100).astype('float32') + 1.


def test_gaussian_noise_is_additive_with_std_sigma_in_training_only():
    layer = GaussianNoise(0.5)
    assert layer.uses_learning_phase
    np.testing.assert_array_equal(run(layer, X, phase=0), X)
    noise = run(GaussianNoise(0.5), X, phase=1) - X
    assert abs(noise.mean()) < 0.02 and abs(noise.std() - 0.5) < 0.02
    again = run(GaussianNoise(0.5), X, phase=1) - X
    assert not np.allclose(noise, again)                    # fresh noise at each run
    np.testing.assert_array_equal(run(GaussianNoise(0.), X, phase=1), X)


def test_gaussian_dropout_is_multiplicative_around_one():
    """Standard deviation sqrt(p / (1 - p)), mean 1; only in training."""
    np.testing.assert_array_equal(run(GaussianDropout(0.2), X, phase=0), X)
    factor = run(GaussianDropout(0.2), X, phase=1) / X
    assert abs(factor.mean() - 1.) < 0.02
    assert abs(factor.std() - np.sqrt(0.2 / 0.8)) < 0.02
    layer = GaussianDropout(0.)
    assert not layer.uses_learning_phase
    np.testing.assert_array_equal(run(layer, X, phase=1), X)


@pytest.mark.parametrize('layer', [GaussianNoise(0.1), GaussianDropout(0.3)])
def test_masks_shapes_configs(layer):
    layer(Masking()(keras_input((4, 3))))
    assert layer.get_output_mask_at(0) is not None
    assert layer.get_output_shape_for((None, 4, 3)) == (None, 4, 3)
    assert layer.get_weights() == []
    roundtrip(layer)
    model_json_roundtrip(type(layer)(**{k: v for k, v in layer.get_config().items()
                                        if k != 'name'}), X[:4])
    assert plugins.get('layers', type(layer).__name__) is type(layer)


def test_configs_and_bad_arguments():
    assert GaussianNoise(0.3, name='n').get_config() == {'name': 'n', 'trainable': True,
                                                         'sigma': 0.3}
    assert GaussianDropout(0.4, name='d').get_config() == {'name': 'd', 'trainable': True,
                                                           'p': 0.4}
    with pytest.raises(ValueError, match='GaussianNoise: sigma .* >= 0'):
        GaussianNoise(-1.)
    with pytest.raises(ValueError, match=r'GaussianDropout: p .* \[0, 1\)'):
        GaussianDropout(1.)
