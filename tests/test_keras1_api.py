"""Keras 1.1.2 names that kcore offers for Keras 1 scripts, beyond the documented API:
``activations.elu``, ``optimizers.clip_norm``, ``Sequential.model``,
``layers.recurrent.time_distributed_dense`` and the re-exports of other modules' names."""
import numpy as np
import pytest

from kcore import backend as K
from kcore_test_helpers.training import fresh_graph  # noqa: F401 (autouse fixture)

RNG = np.random.RandomState(3)


def test_elu_activation_against_numpy():
    from kcore import activations
    from kcore.layers import Dense
    x = np.array([[-2., -0.5, 0., 1.5]], dtype='float32')
    np.testing.assert_allclose(K.eval(activations.elu(K.variable(x))),
                               np.where(x > 0, x, np.exp(x) - 1), rtol=1e-6)
    np.testing.assert_allclose(K.eval(activations.elu(K.variable(x), alpha=0.3)),
                               np.where(x > 0, x, 0.3 * (np.exp(x) - 1)), rtol=1e-6)
    assert activations.get('elu') is activations.elu
    assert Dense(2, activation='elu').activation is activations.elu


def test_clip_norm_against_numpy():
    from kcore.optimizers import clip_norm
    g = np.array([3., 4.], dtype='float32')        # norm 5
    np.testing.assert_allclose(K.eval(clip_norm(K.variable(g), 1., K.variable(5.))), g / 5)
    np.testing.assert_allclose(K.eval(clip_norm(K.variable(g), 10., K.variable(5.))), g)
    assert clip_norm(g, 0, 5.) is g


def test_sequential_model_is_the_model_itself():
    """Keras 1 code reads ``model.model`` (the inner Model of Keras 1.1.2's Sequential)."""
    from kcore.layers import Dense
    from kcore.models import Sequential
    model = Sequential([Dense(2, input_dim=3)])
    model.compile('sgd', 'mse')
    assert model.model is model
    x = RNG.rand(4, 3).astype('float32')
    np.testing.assert_allclose(model.model.predict(x), model.predict(x))
    assert model.model.layers == model.layers and model.model.optimizer is model.optimizer


@pytest.mark.parametrize('dropout', [None, 0.5])
def test_time_distributed_dense_against_numpy(dropout):
    """x.w + b at every step; in the test phase dropout changes nothing."""
    from kcore.layers.recurrent import time_distributed_dense
    x = RNG.randn(2, 4, 3).astype('float32')
    w = RNG.randn(3, 5).astype('float32')
    b = RNG.randn(5).astype('float32')
    y = time_distributed_dense(K.variable(x), K.variable(w), K.variable(b), dropout=dropout,
                               input_dim=3, output_dim=5, timesteps=4)
    np.testing.assert_allclose(K.eval(y), x @ w + b, rtol=1e-5, atol=1e-6)
    no_bias = time_distributed_dense(K.variable(x), K.variable(w))
    np.testing.assert_allclose(K.eval(no_bias), x @ w, rtol=1e-5, atol=1e-6)


def test_time_distributed_dense_drops_the_same_inputs_at_every_step():
    from kcore.layers.recurrent import time_distributed_dense
    x = K.placeholder(shape=(None, 6, 40))
    y = time_distributed_dense(x, K.variable(np.eye(40, dtype='float32')), dropout=0.5)
    f = K.function([x, K.learning_phase()], [y])
    out = f([np.ones((3, 6, 40), dtype='float32'), 1])[0]
    assert set(np.unique(out)) <= {0., 2.} and 0. in out and 2. in out
    assert (out == out[:, :1, :]).all()       # one mask per sample, for all its steps


def test_reexports_are_the_real_objects():
    """``from keras.layers.core import Merge`` and friends: the same objects as at home."""
    from kcore.engine import topology
    from kcore.layers import convolutional, core, pooling, recurrent
    from kcore.utils import conv_utils, generic_utils, io_utils, np_utils
    assert core.Merge is topology.Merge and core.Layer is topology.Layer
    assert core.func_dump is generic_utils.func_dump
    assert np_utils.conv_input_length is conv_utils.conv_input_length
    assert convolutional.conv_output_length is pooling.conv_output_length
    assert recurrent.K is K and topology.ask_to_proceed_with_overwrite is \
        io_utils.ask_to_proceed_with_overwrite
    assert np_utils.conv_input_length(3, 3, 'valid', 1) == 5
    from kcore.engine.training import Progbar, cbks
    from kcore.callbacks import Progbar as callbacks_progbar
    assert Progbar is callbacks_progbar and cbks.History
