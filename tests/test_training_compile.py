"""compile(): losses, metrics and sample-weight modes per output, metric names, custom
metrics (a tensor or a dict of them), trainable flags read at compile, and its errors."""
import warnings

import numpy as np
import pytest

from kcore import backend as K
from kcore import constraints
from kcore.layers import BatchNormalization, Dense
from kcore.models import Sequential
from kcore_test_helpers.training import fresh_graph, linear_model, two_output_model  # noqa: F401

X = np.array([[1., 2., 0.], [0., 1., 1.], [2., 0., 1.], [1., 1., 1.]], dtype='float32')
Y_A = np.eye(2, dtype='float32')[[0, 1, 1, 0]]
Y_B = np.array([[1.], [0.], [1.], [1.]], dtype='float32')


def test_multi_output_metric_names_and_per_output_accuracy():
    model = two_output_model()
    model.compile('sgd', ['categorical_crossentropy', 'binary_crossentropy'],
                  metrics=['accuracy', 'mse'])
    assert model.metrics_names == ['loss', 'out_a_loss', 'out_b_loss', 'out_a_acc',
                                   'out_a_mean_squared_error', 'out_b_acc',
                                   'out_b_mean_squared_error']
    values = dict(zip(model.metrics_names, model.test_on_batch(X, [Y_A, Y_B])))
    a, b = model.predict(X)
    assert values['out_a_acc'] == pytest.approx((a.argmax(1) == Y_A.argmax(1)).mean())
    assert values['out_b_acc'] == pytest.approx((np.round(b) == Y_B).mean())
    assert values['out_b_mean_squared_error'] == pytest.approx(((b - Y_B) ** 2).mean(),
                                                               rel=1e-5)


def test_metrics_dict_keyed_by_output_name():
    model = two_output_model()
    model.compile('sgd', {'out_a': 'categorical_crossentropy', 'out_b': 'mse'},
                  metrics={'out_a': 'acc', 'out_b': ['mae']})
    assert model.metrics_names == ['loss', 'out_a_loss', 'out_b_loss', 'out_a_acc',
                                   'out_b_mean_absolute_error']


def mean_pred(y_true, y_pred):
    return K.mean(y_pred)


def false_rates(y_true, y_pred):
    predicted = K.round(y_pred)
    return {'false_neg': K.mean(y_true * (1. - predicted)),
            'false_pos': K.mean((1. - y_true) * predicted)}


def test_custom_metrics_return_a_tensor_or_a_dict_of_tensors():
    """The quick start's example, L1225-1245."""
    model = linear_model(activation='sigmoid')
    model.compile(optimizer='rmsprop', loss='binary_crossentropy',
                  metrics=['accuracy', mean_pred, false_rates])
    assert model.metrics_names[:3] == ['loss', 'acc', 'mean_pred']
    assert sorted(model.metrics_names[3:]) == ['false_neg', 'false_pos']
    values = dict(zip(model.metrics_names, model.evaluate(X, Y_B, verbose=0)))
    p = model.predict(X)
    assert values['mean_pred'] == pytest.approx(p.mean(), rel=1e-5)
    assert values['false_neg'] == pytest.approx((Y_B * (1 - np.round(p))).mean())
    history = model.fit(X, Y_B, nb_epoch=1, verbose=0)
    assert {'false_neg', 'false_pos', 'mean_pred', 'acc', 'loss'} <= set(history.history)


def test_sparse_categorical_crossentropy_takes_integer_labels():
    model = Sequential([Dense(3, input_dim=3, activation='softmax')])
    model.compile('sgd', 'sparse_categorical_crossentropy', metrics=['acc'])
    labels = np.array([0, 2, 1, 2])
    loss, acc = model.test_on_batch(X, labels)          # a 1D label array is a column
    p = model.predict(X)
    assert loss == pytest.approx(-np.log(p[np.arange(4), labels]).mean(), rel=1e-5)
    assert acc == pytest.approx((p.argmax(1) == labels).mean())


def test_duplicate_metric_names_get_a_suffix():
    model = linear_model()
    model.compile('sgd', 'mse', metrics=['mse', 'mean_squared_error'])
    assert model.metrics_names == ['loss', 'mean_squared_error', 'mean_squared_error_2']


def test_sequential_compile_keeps_keras1_argument_order():
    model = Sequential([Dense(1, input_shape=(2, 3))])
    model.compile('sgd', 'mse', [], 'temporal')
    assert model.sample_weight_mode == 'temporal' and model.sample_weight_modes == ['temporal']


def test_trainable_flag_takes_effect_at_the_next_compile():
    """FAQ L2449-2479: a change of layer.trainable needs compile() to count."""
    model = Sequential([Dense(2, input_dim=3), Dense(1)])
    frozen = model.layers[0]
    model.compile('sgd', 'mse')
    frozen.trainable = False
    before = frozen.get_weights()[0]
    model.train_on_batch(X, Y_B)
    assert not np.allclose(frozen.get_weights()[0], before)   # compiled while trainable
    model.compile('sgd', 'mse')
    before, top = frozen.get_weights()[0], model.layers[1].get_weights()[0]
    model.train_on_batch(X, Y_B)
    np.testing.assert_array_equal(frozen.get_weights()[0], before)
    assert not np.allclose(model.layers[1].get_weights()[0], top)


def test_training_needs_compile_and_a_new_compile_after_add():
    model = Sequential([Dense(2, input_dim=3)])
    with pytest.raises(RuntimeError, match='sequential_1 must be compiled before training: '
                                           r'call model.compile\(optimizer, loss\)'):
        model.fit(X, np.ones((4, 2)), verbose=0)
    model.compile('sgd', 'mse')
    model.add(Dense(1))
    with pytest.raises(RuntimeError, match='changed .*after it was compiled; compile it again'):
        model.train_on_batch(X, Y_B)
    model.compile('sgd', 'mse')
    assert np.isfinite(model.train_on_batch(X, Y_B))


@pytest.mark.parametrize('kwargs, message', [
    (dict(loss={'out_a': 'mse'}), r"compile\(loss=...\) has no entry for \['out_b'\]"),
    (dict(loss={'out_a': 'mse', 'out_b': 'mse', 'out_c': 'mse'}),
     r"keys \['out_c'\] that name no output"),
    (dict(loss=['mse']), r"has 2 output\(s\) \(out_a, out_b\), but compile\(loss=...\) is a "
                         r"list of 1"),
    (dict(loss='mse', loss_weights=[1.]), r'compile\(loss_weights=...\) is a list of 1'),
    (dict(loss='mse', sample_weight_mode='per_step'),
     r'sample_weight_mode must be None or "temporal"; got \'per_step\''),
    (dict(loss=None), 'compile\\(\\) needs a loss'),
    (dict(loss='mean_squared_eror'), 'mean_squared_error'),
])
def test_compile_errors_name_the_argument_and_the_outputs(kwargs, message):
    with pytest.raises(Exception, match=message):
        two_output_model().compile('sgd', **kwargs)


def test_a_failed_compile_leaves_the_model_uncompiled():
    model = linear_model()
    model.compile('sgd', 'mse')
    with pytest.raises(Exception, match='no_such_metric'):
        model.compile('sgd', 'mse', metrics=['no_such_metric'])
    with pytest.raises(RuntimeError, match='must be compiled before training'):
        model.train_on_batch(X, Y_B)


def test_compile_keywords_go_to_the_backend_function():
    model = linear_model()
    with pytest.warns(UserWarning, match='ignore'):   # Keras 1.1.2 (TensorFlow): ignored
        model.compile('sgd', 'mse', bogus=1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        assert np.isfinite(model.train_on_batch(X, Y_B))
    assert not caught   # warned once at compile(), not again for each backend function
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        model.compile('sgd', 'mse', class_mode='binary')
    assert 'class_mode' in str(caught[0].message)


def test_the_optimizer_applies_the_constraints():
    model = Sequential([Dense(1, input_dim=3, W_constraint=constraints.nonneg())])
    model.set_weights([np.full((3, 1), 0.01, 'float32'), np.zeros(1, 'float32')])
    model.compile('sgd', 'mse')
    model.train_on_batch(X, -10 * np.ones((4, 1)))    # pushes the weights below zero
    np.testing.assert_array_equal(model.get_weights()[0], np.zeros((3, 1)))


def test_layer_updates_run_when_training_only():
    model = Sequential([BatchNormalization(input_shape=(3,))])
    model.compile('sgd', 'mse')
    before = [w.copy() for w in model.get_weights()]
    model.evaluate(X, X, verbose=0)
    model.predict(X)
    for a, b in zip(model.get_weights(), before):
        np.testing.assert_array_equal(a, b)
    model.fit(X, X, nb_epoch=1, verbose=0)
    assert any(not np.allclose(a, b) for a, b in zip(model.get_weights()[2:], before[2:]))
