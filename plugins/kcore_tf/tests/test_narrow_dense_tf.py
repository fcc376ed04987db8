"""kcore-tf's narrow Dense op (narrow_dense): values and gradients against numpy for every
width it takes, with and without bias and softmax; where it is used and where not; built
only ahead of time."""
import numpy as np
import pytest
import tensorflow as tf

from kcore import backend as K
from kcore import native
from kcore.layers import Dense
from kcore.models import Sequential
from kcore_tf import narrow_dense


@pytest.fixture
def built(monkeypatch):
    """The library, built here if the cache lacks it."""
    monkeypatch.delenv('KCORE_TF_NARROW_DENSE', raising=False)
    monkeypatch.setattr(narrow_dense, '_library', native.OnFirstUse(
        lambda: tf.load_op_library(narrow_dense._build()), 'kcore-tf: test.'))
    K.clear_session()
    yield
    K.clear_session()


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _dense(units, activation, bias, rows, inner=37, seed=0):
    """A Dense model, its input, and numpy's float64 output and gradients (of the sum of the
    outputs times fixed weights) for its input, W and b."""
    rng = np.random.RandomState(seed)
    model = Sequential([Dense(units, activation=activation, bias=bias, input_dim=inner)])
    x = rng.randn(rows, inner).astype('float32')
    weights = [rng.randn(*w.shape).astype('float32') for w in model.get_weights()]
    model.set_weights(weights)
    w, b = weights[0].astype('float64'), (weights[1] if bias else np.zeros(units))
    z = x.astype('float64') @ w + b
    y = _softmax(z) if activation == 'softmax' else z
    g = rng.randn(rows, units)   # d loss / d y
    dz = (g - (g * y).sum(axis=1, keepdims=True)) * y if activation == 'softmax' else g
    return model, x, g, y, [dz @ w.T, x.T @ dz] + ([dz.sum(axis=0)] if bias else [])


@pytest.mark.parametrize('units', [1, 3, 10, 16])
@pytest.mark.parametrize('activation', ['linear', 'softmax'])
@pytest.mark.parametrize('bias', [True, False])
@pytest.mark.parametrize('rows', [0, 1, 29, 130])
def test_values_and_gradients_match_numpy(built, units, activation, bias, rows):
    model, x, g, y, grads = _dense(units, activation, bias, rows)
    out = model.outputs[0]
    assert out.op.type == 'KcoreNarrowDense'   # bias and softmax folded into the product
    assert out.op.get_attr('activation').decode() == activation
    np.testing.assert_allclose(model.predict(x), y, rtol=2e-5, atol=2e-5)
    loss = tf.reduce_sum(out * tf.constant(g, tf.float32))
    wrt = [model.inputs[0]] + model.trainable_weights
    got = K.get_session().run(tf.gradients(loss, wrt),
                              {model.inputs[0]: x, K.learning_phase(): False})
    for value, want in zip(got, grads):
        np.testing.assert_allclose(value, want, rtol=1e-4, atol=1e-4)


def test_long_inner_size_and_many_rows(built):
    model, x, _, y, _ = _dense(10, 'softmax', True, rows=1037, inner=784, seed=3)
    # logits of about +-30 summed from 784 float32 terms: float32's rounding, not the op's
    np.testing.assert_allclose(model.predict(x, batch_size=1024), y, rtol=2e-4, atol=5e-5)


def test_training_equals_tensorflows_products(built, monkeypatch):
    def train(switch):
        monkeypatch.setenv('KCORE_TF_NARROW_DENSE', switch)
        K.clear_session()
        model = Sequential([Dense(8, activation='relu', input_dim=6),
                            Dense(4, activation='softmax')])
        model.set_weights([np.random.RandomState(i).randn(*w.shape).astype('float32')
                           for i, w in enumerate(model.get_weights())])
        model.compile('sgd', 'categorical_crossentropy')
        rng = np.random.RandomState(5)
        x, y = rng.randn(40, 6), np.eye(4)[rng.randint(4, size=40)]
        model.fit(x, y, batch_size=16, nb_epoch=3, verbose=0, shuffle=False)
        return model.get_weights(), [op.type for op in model.outputs[0].graph.get_operations()]

    fused, fused_ops = train('1')
    plain, plain_ops = train('0')
    assert 'KcoreNarrowDense' in fused_ops and 'KcoreNarrowDense' not in plain_ops
    for a, b in zip(fused, plain):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_where_it_is_not_used(built):
    wide = Sequential([Dense(17, activation='softmax', input_dim=5)])
    assert wide.outputs[0].op.type == 'Softmax'
    double = K.placeholder((None, 5), dtype='float64')
    assert K.dot(double, K.variable(np.ones((5, 3)), dtype='float64')).op.type != \
        'KcoreNarrowDense'
    unknown = K.placeholder((None, None))
    assert K.dot(unknown, K.variable(np.ones((5, 3)))).op.type != 'KcoreNarrowDense'
    # A product of known width whose bias is added by another op keeps that op.
    product = K.dot(K.placeholder((None, 5)), K.variable(np.ones((5, 3))))
    assert product.op.type == 'KcoreNarrowDense'
    assert (product + K.variable(np.ones(3))).op.type != 'KcoreNarrowDense'
    assert K.relu(product).op.type == 'Relu'


def test_bad_shapes_say_what_was_expected(built):
    lib = narrow_dense.library()
    with pytest.raises(tf.errors.InvalidArgumentError, match='1 to 16 columns'):
        K.get_session().run(lib.kcore_narrow_dense(
            tf.zeros([2, 3]), tf.zeros([3, 17]), tf.zeros([0])))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r'bias must be \(4,\)'):
        K.get_session().run(lib.kcore_narrow_dense(
            tf.zeros([2, 3]), tf.zeros([3, 4]), tf.zeros([5])))
    with pytest.raises(ValueError):   # the inner sizes disagree: the shape function says so
        lib.kcore_narrow_dense(tf.zeros([2, 3]), tf.zeros([4, 4]), tf.zeros([0]))


def test_used_only_once_built(monkeypatch, tmp_path):
    """No build at the first Dense layer: a fresh cache means TensorFlow's products."""
    cache = tmp_path / 'cache'
    monkeypatch.setenv('KCORE_CACHE_DIR', str(cache))
    assert narrow_dense._build(cached_only=True) is None
    assert not cache.exists()
    monkeypatch.setattr(narrow_dense, '_library', native.OnFirstUse(narrow_dense._load, 't.'))
    K.clear_session()
    model = Sequential([Dense(3, activation='softmax', input_dim=5)])
    assert model.outputs[0].op.type == 'Softmax'
    K.clear_session()
