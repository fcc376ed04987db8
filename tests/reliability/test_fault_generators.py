"""Generators that misbehave: a 0-row batch is an error naming the batch, a generator that
stops early is an error naming how many samples it delivered; neither hangs."""
import numpy as np
import pytest

from kcore.callbacks import Callback

from fault_tools import deadline, dense_model, regression_data

X, Y = regression_data(12)


def batches(good, then_rows=0, inputs_only=False, stop=False):
    """``good`` batches of 4 rows, then 0-row batches forever (or the end, with ``stop``)."""
    def make():
        for i in range(good):
            yield (X[4 * i:4 * i + 4],) if inputs_only else (X[4 * i:4 * i + 4], Y[4 * i:4 * i + 4])
        while not stop:
            yield (X[:then_rows],) if inputs_only else (X[:then_rows], Y[:then_rows])
    for item in make():
        yield item[0] if inputs_only else item


CALLS = {
    'fit_generator': lambda model, g: model.fit_generator(g, 40, 1, verbose=0),
    'evaluate_generator': lambda model, g: model.evaluate_generator(g, 40),
    'predict_generator': lambda model, g: model.predict_generator(g, 40),
}


@pytest.mark.parametrize('method', sorted(CALLS))
def test_a_zero_row_batch_is_an_error_naming_the_batch(method):
    model = dense_model()
    source = batches(2, inputs_only=method == 'predict_generator')
    with deadline(60, method), pytest.raises(ValueError) as info:
        CALLS[method](model, source)
    message = str(info.value)
    assert 'batch 2' in message and '0 rows' in message, message


@pytest.mark.parametrize('method', sorted(CALLS))
def test_a_generator_that_stops_early_names_the_samples_it_delivered(method):
    model = dense_model()
    source = batches(2, inputs_only=method == 'predict_generator', stop=True)
    with deadline(60, method), pytest.raises(RuntimeError) as info:
        CALLS[method](model, source)
    message = str(info.value)
    assert '8 samples' in message and '40' in message, message


def test_a_zero_row_batch_in_validation_is_an_error_too():
    model = dense_model()
    with deadline(60, 'fit_generator'), pytest.raises(ValueError, match='batch 1'):
        model.fit_generator(batches(3), 12, 1, verbose=0, validation_data=batches(1),
                            nb_val_samples=8)


def test_good_generators_still_work():
    model = dense_model()
    with deadline(60, 'generators'):
        model.fit_generator(batches(3, then_rows=4), 12, 2, verbose=0)
        loss = model.evaluate_generator(batches(3, then_rows=4), 12)
        out = model.predict_generator(batches(3, then_rows=4, inputs_only=True), 12)
    assert np.isfinite(loss) and out.shape == (12, 1)


class _CtrlC(Callback):
    """Raises KeyboardInterrupt at the second batch, as Ctrl-C would; records on_train_end."""

    ended = False

    def on_batch_end(self, batch, logs=None):
        if batch == 1:
            raise KeyboardInterrupt

    def on_train_end(self, logs=None):
        self.ended = True


@pytest.mark.parametrize('method', ['fit', 'fit_generator'])
def test_ctrl_c_runs_on_train_end_then_goes_on(method):
    model, callback = dense_model(), _CtrlC()
    with deadline(60, method), pytest.raises(KeyboardInterrupt):
        if method == 'fit':
            model.fit(X, Y, batch_size=4, nb_epoch=2, verbose=0, callbacks=[callback])
        else:
            model.fit_generator(batches(3, then_rows=4), 12, 2, verbose=0,
                                callbacks=[callback])
    assert callback.ended
