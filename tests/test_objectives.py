"""kcore.objectives: every loss against numpy, edge values included, and the lookups."""
import numpy as np
import pytest

from kcore import backend as K
from kcore import objectives, plugins
from kcore.plugins.registries import RegistryError

from kcore_test_helpers.losses import backend, evaluate  # noqa: F401 (autouse fixture)

EPS = 1e-7   # K.epsilon() of the default config


# ------------------------------------------------ numpy references (float64)
def ref_mse(t, p):
    return np.mean((p - t) ** 2, axis=-1)


def ref_mae(t, p):
    return np.mean(np.abs(p - t), axis=-1)


def ref_mape(t, p):
    return 100. * np.mean(np.abs(t - p) / np.maximum(np.abs(t), EPS), axis=-1)


def ref_msle(t, p):
    return np.mean((np.log(np.maximum(p, EPS) + 1) - np.log(np.maximum(t, EPS) + 1)) ** 2,
                   axis=-1)


def ref_squared_hinge(t, p):
    return np.mean(np.maximum(1 - t * p, 0) ** 2, axis=-1)


def ref_hinge(t, p):
    return np.mean(np.maximum(1 - t * p, 0), axis=-1)


def ref_binary_crossentropy(t, p):
    p = np.clip(p, EPS, 1 - EPS)
    return np.mean(-(t * np.log(p) + (1 - t) * np.log(1 - p)), axis=-1)


def ref_categorical_crossentropy(t, p):
    p = np.clip(p / p.sum(axis=-1, keepdims=True), EPS, 1 - EPS)
    return -np.sum(t * np.log(p), axis=-1)


def ref_sparse_categorical_crossentropy(t, p):
    one_hot = np.eye(p.shape[-1])[t[..., 0].astype(int)]
    return ref_categorical_crossentropy(one_hot, p)


def ref_kld(t, p):
    t, p = np.clip(t, EPS, 1), np.clip(p, EPS, 1)
    return np.sum(t * np.log(t / p), axis=-1)


def ref_poisson(t, p):
    return np.mean(p - t * np.log(p + EPS), axis=-1)


def ref_cosine(t, p):
    t = t / np.linalg.norm(t, axis=-1, keepdims=True)
    p = p / np.linalg.norm(p, axis=-1, keepdims=True)
    return -np.mean(t * p, axis=-1)


# ------------------------------------------------------------------ data
RNG = np.random.RandomState(3)
UNIT = RNG.uniform(0.05, 0.95, size=(2, 4, 4, 3))          # two (4, 3) batches in (0, 1)
REAL = RNG.randn(2, 4, 3)
SIGNS = np.sign(RNG.randn(4, 3))
PROBS = RNG.dirichlet(np.ones(3), size=4)
ONE_HOT = np.eye(3)[[0, 2, 1, 2]]
# Edge rows: zeros in the targets (mape), negative values (msle), zeros where a log is
# taken (kld, poisson, crossentropy): the clipping with K.epsilon() keeps them finite.
EDGE_T = np.array([[0., 0.5, 1.], [0., 0., 0.]])
EDGE_P = np.array([[0., -0.5, 1.], [0.3, -2., 0.]])

CASES = {
    'mean_squared_error': (ref_mse, REAL[0], REAL[1]),
    'mean_absolute_error': (ref_mae, REAL[0], REAL[1]),
    'mean_absolute_percentage_error': (ref_mape, np.vstack([REAL[0], EDGE_T]),
                                       np.vstack([REAL[1], EDGE_P])),
    'mean_squared_logarithmic_error': (ref_msle, np.vstack([UNIT[0, 0], EDGE_T]),
                                       np.vstack([UNIT[0, 1], EDGE_P])),
    'squared_hinge': (ref_squared_hinge, SIGNS, REAL[0]),
    'hinge': (ref_hinge, SIGNS, REAL[0]),
    'binary_crossentropy': (ref_binary_crossentropy, np.round(UNIT[1, 0]),
                            np.vstack([UNIT[1, 1][:3], [[0., 0.5, 0.9]]])),
    'categorical_crossentropy': (ref_categorical_crossentropy, np.vstack([ONE_HOT, [[1, 0, 0]]]),
                                 np.vstack([PROBS, [[0., 0.4, 0.6]]])),
    'sparse_categorical_crossentropy': (ref_sparse_categorical_crossentropy,
                                        np.array([[0], [2], [1], [2], [0]]),
                                        np.vstack([PROBS, [[0., 0.4, 0.6]]])),
    'kullback_leibler_divergence': (ref_kld, np.vstack([PROBS, [[0., 0.5, 0.5]]]),
                                    np.vstack([PROBS[::-1], [[0.5, 0., 0.5]]])),
    'poisson': (ref_poisson, np.vstack([UNIT[0, 2], [[0., 1., 2.]]]),
                np.vstack([UNIT[0, 3], [[0., 0., 1.]]])),
    'cosine_proximity': (ref_cosine, REAL[0], REAL[1]),
}


@pytest.mark.parametrize('name', list(CASES))
def test_loss_matches_numpy_with_one_value_per_sample(name):
    ref, y_true, y_pred = CASES[name]
    got, = evaluate([getattr(objectives, name)], y_true, y_pred)
    # The reference sees the same float32-rounded inputs.
    want = ref(np.float32(y_true).astype('float64'), np.float32(y_pred).astype('float64'))
    assert got.shape == (len(y_true),)
    assert np.isfinite(got).all()
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize('name, ref', [('mean_squared_error', ref_mse),
                                       ('categorical_crossentropy',
                                        ref_categorical_crossentropy)])
def test_temporal_outputs_get_one_value_per_time_step(name, ref):
    y_true = np.eye(4)[RNG.randint(0, 4, size=(2, 3))]
    y_pred = RNG.dirichlet(np.ones(4), size=(2, 3))
    got, = evaluate([getattr(objectives, name)], y_true, y_pred)
    assert got.shape == (2, 3)
    np.testing.assert_allclose(got, ref(y_true, np.float32(y_pred).astype('float64')),
                               rtol=1e-5, atol=1e-5)


def test_short_names_are_module_attributes():
    assert objectives.mse is objectives.MSE is objectives.mean_squared_error
    assert objectives.mae is objectives.mean_absolute_error
    assert objectives.mape is objectives.mean_absolute_percentage_error
    assert objectives.msle is objectives.mean_squared_logarithmic_error
    assert objectives.kld is objectives.kullback_leibler_divergence
    assert objectives.cosine is objectives.cosine_proximity


@pytest.mark.parametrize('name, function', [
    ('mse', objectives.mean_squared_error), ('MSE', objectives.mean_squared_error),
    ('mae', objectives.mean_absolute_error), ('mape', objectives.mean_absolute_percentage_error),
    ('msle', objectives.mean_squared_logarithmic_error),
    ('kld', objectives.kullback_leibler_divergence), ('cosine', objectives.cosine_proximity),
    ('categorical_crossentropy', objectives.categorical_crossentropy),
    ('sparse_categorical_crossentropy', objectives.sparse_categorical_crossentropy),
    ('binary_crossentropy', objectives.binary_crossentropy), ('hinge', objectives.hinge),
    ('squared_hinge', objectives.squared_hinge), ('poisson', objectives.poisson)])
def test_get_by_name_and_alias(name, function):
    assert objectives.get(name) is function


def test_every_loss_is_registered():
    names = plugins.registry('losses').names()
    assert names == [f.__name__ for f, _ in objectives.LOSSES]
    assert len(names) == 12


def test_get_returns_a_callable_as_is_and_rejects_unknown_names():
    def my_loss(y_true, y_pred):
        return K.mean(y_pred - y_true, axis=-1)
    assert objectives.get(my_loss) is my_loss
    with pytest.raises(RegistryError,
                       match="Unknown loss 'categorical_crossentropie'. Did you mean "
                             "'categorical_crossentropy'"):
        objectives.get('categorical_crossentropie')
