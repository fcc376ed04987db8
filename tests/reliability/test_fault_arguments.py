"""Bad arguments to the training entry points stop with an error that names the argument,
the value and the allowed range, before any work is done; inputs that are not arrays get
a hint; what would fail inside the backend fails in kcore first."""
import numpy as np
import pytest

from kcore.callbacks import Callback, EarlyStopping, ReduceLROnPlateau
from kcore.layers import Dense
from kcore.models import Sequential

from fault_tools import deadline, dense_model, regression_data

X, Y = regression_data(10)


def gen(rows=2):
    while True:
        yield X[:rows], Y[:rows]


ARRAY_CASES = [
    ('predict', dict(batch_size=-3), 'batch_size', -3, 'integer >= 1'),
    ('predict', dict(batch_size=0), 'batch_size', 0, 'integer >= 1'),
    ('fit', dict(batch_size=-1), 'batch_size', -1, 'integer >= 1'),
    ('fit', dict(batch_size=0), 'batch_size', 0, 'integer >= 1'),
    ('fit', dict(batch_size=2.5), 'batch_size', 2.5, 'integer >= 1'),
    ('fit', dict(batch_size=True), 'batch_size', True, 'integer >= 1'),
    ('evaluate', dict(batch_size=-1), 'batch_size', -1, 'integer >= 1'),
    ('evaluate', dict(batch_size=0), 'batch_size', 0, 'integer >= 1'),
    ('fit', dict(nb_epoch=-1), 'nb_epoch', -1, 'integer >= 0'),
    ('fit', dict(nb_epoch='2'), 'nb_epoch', '2', 'integer >= 0'),
    ('fit', dict(nb_epoch=1.5), 'nb_epoch', 1.5, 'integer >= 0'),
    ('fit', dict(initial_epoch=-1), 'initial_epoch', -1, 'integer >= 0'),
    ('fit', dict(nb_epoch=2, initial_epoch=5), 'initial_epoch', 5, 'at most nb_epoch'),
    ('fit', dict(verbose=3), 'verbose', 3, 'one of 0, 1, 2'),
    ('evaluate', dict(verbose='loud'), 'verbose', 'loud', 'one of 0, 1, 2'),
    ('fit', dict(validation_split=1.5), 'validation_split', 1.5, 'number in [0, 1)'),
    ('fit', dict(validation_split=-0.1), 'validation_split', -0.1, 'number in [0, 1)'),
    ('fit', dict(shuffle='yes'), 'shuffle', 'yes', "True, False or 'batch'"),
]


@pytest.mark.parametrize('method,kwargs,name,value,allowed', ARRAY_CASES,
                         ids=['%s-%s=%r' % (c[0], c[2], c[3]) for c in ARRAY_CASES])
def test_array_entry_points_check_numbers(method, kwargs, name, value, allowed):
    model = dense_model()
    before = [w.copy() for w in model.get_weights()]
    args = (X,) if method == 'predict' else (X, Y)
    kwargs = dict(kwargs)
    if method != 'predict':
        kwargs.setdefault('verbose', 0)
    with pytest.raises((ValueError, TypeError)) as info:
        getattr(model, method)(*args, **kwargs)
    message = str(info.value)
    assert name in message and repr(value) in message and allowed in message, message
    for old, new in zip(before, model.get_weights()):
        np.testing.assert_array_equal(old, new)


GENERATOR_CASES = [
    ('fit_generator', dict(samples_per_epoch=0, nb_epoch=1), 'samples_per_epoch', 0,
     'integer >= 1'),
    ('fit_generator', dict(samples_per_epoch=-5, nb_epoch=1), 'samples_per_epoch', -5,
     'integer >= 1'),
    ('fit_generator', dict(samples_per_epoch=2.5, nb_epoch=1), 'samples_per_epoch', 2.5,
     'integer >= 1'),
    ('fit_generator', dict(samples_per_epoch=4, nb_epoch=-1), 'nb_epoch', -1, 'integer >= 0'),
    ('fit_generator', dict(samples_per_epoch=4, nb_epoch=1, max_q_size=0), 'max_q_size', 0,
     'integer >= 1'),
    ('fit_generator', dict(samples_per_epoch=4, nb_epoch=1, nb_worker=0), 'nb_worker', 0,
     'integer >= 1'),
    ('fit_generator', dict(samples_per_epoch=4, nb_epoch=1, initial_epoch=-2), 'initial_epoch',
     -2, 'integer >= 0'),
    ('fit_generator', dict(samples_per_epoch=4, nb_epoch=1, verbose=7), 'verbose', 7,
     'one of 0, 1, 2'),
    ('evaluate_generator', dict(val_samples=0), 'val_samples', 0, 'integer >= 1'),
    ('evaluate_generator', dict(val_samples=4, nb_worker=-1), 'nb_worker', -1, 'integer >= 1'),
    ('predict_generator', dict(val_samples=-1), 'val_samples', -1, 'integer >= 1'),
    ('predict_generator', dict(val_samples=4, max_q_size=-3), 'max_q_size', -3,
     'integer >= 1'),
]


@pytest.mark.parametrize('method,kwargs,name,value,allowed', GENERATOR_CASES,
                         ids=['%s-%s=%r' % (c[0], c[2], c[3]) for c in GENERATOR_CASES])
def test_generator_entry_points_check_numbers(method, kwargs, name, value, allowed):
    model = dense_model()
    kwargs = dict(kwargs)
    if method == 'fit_generator':
        kwargs.setdefault('verbose', 0)
    source = gen() if method != 'predict_generator' else (x for x, _ in gen())
    with deadline(60, method), pytest.raises((ValueError, TypeError)) as info:
        getattr(model, method)(source, **kwargs)
    message = str(info.value)
    assert name in message and repr(value) in message and allowed in message, message


def test_fit_with_zero_epochs_is_allowed_and_trains_nothing():
    model = dense_model()
    history = model.fit(X, Y, nb_epoch=0, verbose=0)
    assert history.epoch == []


@pytest.mark.parametrize('callbacks', [[1], Callback(), ['EarlyStopping']],
                         ids=['int', 'not-a-list', 'name'])
def test_fit_checks_the_callbacks(callbacks):
    with pytest.raises(TypeError, match='callbacks'):
        dense_model().fit(X, Y, nb_epoch=1, verbose=0, callbacks=callbacks)


@pytest.mark.parametrize('make,name', [
    (lambda: EarlyStopping(patience=-1), 'patience'),
    (lambda: EarlyStopping(patience='3'), 'patience'),
    (lambda: ReduceLROnPlateau(patience=-2), 'patience'),
    (lambda: ReduceLROnPlateau(cooldown=-1), 'cooldown'),
    (lambda: ReduceLROnPlateau(min_lr=-0.1), 'min_lr'),
], ids=['es-patience', 'es-patience-str', 'rlr-patience', 'rlr-cooldown', 'rlr-min_lr'])
def test_callbacks_check_their_numbers(make, name):
    with pytest.raises((ValueError, TypeError), match=name):
        make()


# ------------------------------------------------------------------ inputs
def test_a_list_of_lists_gets_a_hint_to_use_an_array():
    with pytest.raises(ValueError, match=r'np\.asarray'):
        dense_model().fit(X.tolist(), Y, nb_epoch=1, verbose=0)


def test_an_object_array_holding_none_is_refused():
    bad = X.astype(object)
    bad[2, 3] = None
    with pytest.raises(ValueError, match='None'):
        dense_model().fit(bad, Y, nb_epoch=1, verbose=0)


def _classifier(loss='categorical_crossentropy'):
    model = Sequential([Dense(3, input_dim=4, activation='softmax')])
    model.compile('sgd', loss)
    return model


LABELS = np.array([0, 1, 2, 0, 1, 2, 0, 1, 2, 0])


def test_class_weight_with_a_class_the_output_does_not_have_is_an_error():
    with pytest.raises(ValueError, match=r'class_weight.*\b7\b'):
        _classifier().fit(X, np.eye(3)[LABELS], verbose=0, nb_epoch=1,
                          class_weight={0: 1., 1: 1., 2: 1., 7: 3.})


def test_class_weight_with_string_keys_says_classes_are_integers():
    with pytest.raises((ValueError, TypeError), match=r"class_weight.*'a'.*integer"):
        _classifier().fit(X, np.eye(3)[LABELS], verbose=0, nb_epoch=1,
                          class_weight={'a': 1., 1: 1., 2: 1.})


def test_out_of_range_sparse_labels_fail_in_kcore_naming_the_label():
    model = _classifier('sparse_categorical_crossentropy')
    with pytest.raises(ValueError, match=r'\b5\b.*0.*3|\[0, 3\)'):
        model.fit(X, (LABELS[:, None] + 3), verbose=0, nb_epoch=1)


def test_a_huge_output_dim_fails_in_kcore_naming_the_layer():
    with pytest.raises(ValueError, match='dense_huge'):
        Sequential([Dense(10 ** 30, input_dim=4, name='dense_huge')])


def test_a_string_batch_input_shape_fails_in_kcore():
    with pytest.raises((ValueError, TypeError), match=r"batch_input_shape.*'abc'"):
        Sequential([Dense(3, batch_input_shape='abc')])
