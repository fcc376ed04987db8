"""kcore-tf's dropout as one mask product: the kept values scaled by 1 / (1 - level), the
gradient the mask itself, and no intermediate between the layer's input and its output
(whose zero gradient the training step would add to the real one)."""
import numpy as np

from kcore import backend as K
from kcore.layers import Dense, Dropout
from kcore.models import Sequential


def test_dropout_mask_values_and_gradient():
    x = K.placeholder(shape=(None, 50))
    y = K.dropout(x, 0.3, seed=7)
    grad = K.gradients(K.sum(y * 3.), [x])[0]
    values = np.random.RandomState(0).rand(40, 50).astype('float32') + 1.
    out, dx = K.function([x], [y, grad])([values])
    kept = out != 0
    np.testing.assert_allclose(out[kept], values[kept] / 0.7, rtol=1e-6)
    np.testing.assert_allclose(dx, 3. * kept / 0.7, rtol=1e-6)
    assert 0.6 < kept.mean() < 0.8


def test_dropout_noise_shape_broadcasts_the_mask():
    x = K.placeholder(shape=(None, 4, 6))
    y = K.dropout(x, 0.5, noise_shape=(None, 1, 6), seed=3)
    out = K.function([x], [y])([np.ones((8, 4, 6), 'float32')])[0]
    assert set(np.unique(out)) <= {0., 2.}
    assert (out == out[:, :1, :]).all()   # one draw per sample and feature


def test_training_step_adds_no_zero_gradient_in_the_dropout_branch():
    K.clear_session()
    model = Sequential([Dense(16, input_dim=8), Dropout(0.5), Dense(2)])
    model.compile('sgd', 'mse')
    model.train_on_batch(np.ones((4, 8), 'float32'), np.zeros((4, 2), 'float32'))
    graph = K.get_session().graph
    (gradient,) = [op for op in graph.get_operations()
                   if op.type in ('StatelessIf', 'If') and op.name.startswith('gradients/')]
    branch = graph._get_function(gradient.get_attr('then_branch').name)
    # x * cast(keep) / (1 - level) left x * cast(keep) between x and the result: its zero
    # gradient (an output of the branch nobody uses) was summed with the real one.
    assert 'AddN' not in [node.op for node in branch.definition.node_def]
