"""NaN and infinite values: refused in the input before training (unless the user opts out),
reported when the loss becomes non-finite, and never saved as the best model."""
import os
import warnings

import numpy as np
import pytest

from kcore.callbacks import ModelCheckpoint, TerminateOnNaN
from kcore.callbacks.checkpoint import nonfinite_weights

from fault_tools import dense_model, regression_data

X, Y = regression_data(10)


def with_nan(array, row=3, col=0, value=np.nan):
    bad = array.copy()
    bad[row, col] = value
    return bad


@pytest.mark.parametrize('where', ['x', 'y', 'validation'])
def test_fit_refuses_non_finite_data_and_names_the_way_out(where):
    model = dense_model()
    before = [w.copy() for w in model.get_weights()]
    x, y, validation = X, Y, None
    if where == 'x':
        x = with_nan(X)
    elif where == 'y':
        y = with_nan(Y, value=np.inf)
    else:
        validation = (with_nan(X), Y)
    with pytest.raises(ValueError) as info:
        model.fit(x, y, nb_epoch=1, verbose=0, validation_data=validation)
    message = str(info.value)
    assert 'check_finite=False' in message and ('NaN' in message or 'inf' in message), message
    for old, new in zip(before, model.get_weights()):
        np.testing.assert_array_equal(old, new)


def test_evaluate_and_train_on_batch_refuse_non_finite_data():
    model = dense_model()
    with pytest.raises(ValueError, match='check_finite'):
        model.evaluate(with_nan(X), Y, verbose=0)
    with pytest.raises(ValueError, match='check_finite'):
        model.train_on_batch(with_nan(X), Y)


def test_fit_generator_refuses_a_non_finite_batch():
    def batches():
        while True:
            yield with_nan(X), Y
    with pytest.raises(ValueError, match='check_finite'):
        dense_model().fit_generator(batches(), 10, 1, verbose=0)


def test_check_finite_false_trains_on_what_it_is_given():
    model = dense_model(activation='linear')
    history = model.fit(with_nan(X), Y, nb_epoch=1, verbose=0, check_finite=False)
    assert np.isnan(history.history['loss'][0])


def test_the_relu_case_no_longer_trains_garbage_silently():
    # One NaN in X with relu: the loss stayed finite while the first kernel became NaN.
    model = dense_model(activation='relu')
    with pytest.raises(ValueError, match='check_finite'):
        model.fit(with_nan(X), Y, nb_epoch=2, verbose=0)
    assert all(np.all(np.isfinite(w)) for w in model.get_weights())


def test_terminate_on_nan_stops_at_the_first_bad_batch():
    model = dense_model(activation='linear')
    stop = TerminateOnNaN()
    history = model.fit(with_nan(X, row=0), Y, batch_size=5, nb_epoch=5, verbose=0,
                        shuffle=False, callbacks=[stop], check_finite=False)
    assert (stop.stopped_epoch, stop.stopped_batch) == (0, 0)
    assert history.epoch == [0]


def test_terminate_on_nan_is_registered_like_the_other_callbacks():
    from kcore import plugins
    assert plugins.registry('callbacks').get('TerminateOnNaN') is TerminateOnNaN


def test_the_progress_bar_warns_about_a_non_finite_loss(capsys):
    model = dense_model(activation='linear')
    with pytest.warns(RuntimeWarning, match='TerminateOnNaN'):
        model.fit(with_nan(X, row=0), Y, batch_size=5, nb_epoch=1, verbose=1, shuffle=False,
                  check_finite=False)


def test_checkpoint_never_saves_a_nan_model_as_the_best(tmp_path):
    # The relu case: the validation loss stays finite while the weights are NaN.
    model = dense_model(activation='relu')
    path = str(tmp_path / 'best.h5')
    checkpoint = ModelCheckpoint(path, save_best_only=True, monitor='val_loss')
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        model.fit(with_nan(X), Y, nb_epoch=2, verbose=0, validation_data=(X, Y),
                  callbacks=[checkpoint], check_finite=False)
    assert nonfinite_weights(model), 'the NaN sample should have reached the weights'
    assert not os.path.exists(path)
    assert any('not saved as the best' in str(w.message) for w in caught)


class _FakeModel:
    """What ModelCheckpoint uses of a model: its weights and save."""

    def __init__(self, values):
        from kcore import backend as K
        self.weights = [K.variable(v, name='w%d' % i) for i, v in enumerate(values)]
        self.saved = []

    def save(self, filepath, overwrite=True):
        self.saved.append(filepath)


def test_checkpoint_refuses_nan_weights_even_with_a_finite_monitor(tmp_path):
    model = _FakeModel([np.ones(3), np.array([1.0, np.nan])])
    checkpoint = ModelCheckpoint(str(tmp_path / 'b.h5'), save_best_only=True, monitor='loss')
    checkpoint.set_model(model)
    with pytest.warns(RuntimeWarning, match='w1'):
        checkpoint.on_epoch_end(0, {'loss': 0.5})
    assert model.saved == [] and checkpoint.best == np.inf


def test_checkpoint_refuses_a_nan_monitor(tmp_path):
    model = _FakeModel([np.ones(3)])
    checkpoint = ModelCheckpoint(str(tmp_path / 'b.h5'), save_best_only=True, monitor='loss')
    checkpoint.set_model(model)
    with pytest.warns(RuntimeWarning, match='nan'):
        checkpoint.on_epoch_end(0, {'loss': float('nan')})
    checkpoint.on_epoch_end(1, {'loss': 0.25})
    assert model.saved == [str(tmp_path / 'b.h5')] and checkpoint.best == 0.25
