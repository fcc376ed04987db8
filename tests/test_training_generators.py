"""fit_generator, evaluate_generator and predict_generator with worker threads and
processes: samples per epoch, errors from the generator (prompt, with their traceback),
no worker left behind, and batches of the wrong structure."""
import multiprocessing
import threading
import time
import traceback

import numpy as np
import pytest

from kcore.callbacks import Callback
from kcore_test_helpers.training import fresh_graph, linear_model  # noqa: F401

RNG = np.random.RandomState(0)
X = RNG.rand(40, 3).astype('float32')
Y = X @ np.array([[1.], [-2.], [0.5]], dtype='float32')


def batches(batch_size=10):
    """Loops forever over (X, Y) in batches, as fit_generator wants."""
    while True:
        for start in range(0, len(X), batch_size):
            yield X[start:start + batch_size], Y[start:start + batch_size]


def failing(after):
    for index, batch in enumerate(batches()):
        if index == after:
            raise ValueError('corrupt record in batch %d' % index)
        yield batch


def _workers_left():
    threads = [t for t in threading.enumerate() if t.name == 'kcore-generator' and t.is_alive()]
    return threads + multiprocessing.active_children()


class Sizes(Callback):
    def on_train_begin(self, logs=None):
        self.epochs = []

    def on_epoch_begin(self, epoch, logs=None):
        self.epochs.append(0)

    def on_batch_end(self, batch, logs=None):
        self.epochs[-1] += logs['size']


def _model():
    model = linear_model()
    model.compile('sgd', 'mse')
    return model


@pytest.mark.parametrize('pickle_safe', [False, True], ids=['threads', 'processes'])
def test_fit_generator_trains_on_samples_per_epoch(pickle_safe):
    model = _model()
    sizes = Sizes()
    history = model.fit_generator(batches(), samples_per_epoch=50, nb_epoch=3, verbose=0,
                                  callbacks=[sizes], nb_worker=2, pickle_safe=pickle_safe,
                                  validation_data=batches(20), nb_val_samples=40)
    assert sizes.epochs == [50, 50, 50]
    assert sizes.params['nb_sample'] == 50 and sizes.params['nb_epoch'] == 3
    assert history.history['loss'][-1] < history.history['loss'][0]
    assert len(history.history['val_loss']) == 3
    assert not _workers_left()


@pytest.mark.parametrize('pickle_safe', [False, True], ids=['threads', 'processes'])
def test_an_error_in_the_generator_reaches_the_caller_promptly(pickle_safe):
    model = _model()
    started = time.time()
    with pytest.raises(ValueError, match='corrupt record in batch 3') as info:
        model.fit_generator(failing(after=3), samples_per_epoch=1000, nb_epoch=5, verbose=0,
                            nb_worker=2, pickle_safe=pickle_safe)
    assert time.time() - started < 5
    text = ''.join(traceback.format_exception(info.value))
    assert 'in failing' in text and "raise ValueError('corrupt record" in text
    assert not _workers_left()


def test_validation_arrays_and_evaluate_and_predict_generators():
    model = _model()
    model.fit_generator(batches(), 40, 2, verbose=0, validation_data=(X, Y))
    loss = model.evaluate(X, Y, batch_size=10, verbose=0)
    assert model.evaluate_generator(batches(), 40) == pytest.approx(loss, rel=1e-5)
    # One process: with several, each runs its own copy of the generator (as in Keras 1).
    predictions = model.predict_generator((x for x, _ in batches(15)), 40, pickle_safe=True)
    assert predictions.shape == (40, 1)
    np.testing.assert_allclose(predictions, model.predict(X), rtol=1e-5)
    assert not _workers_left()


def test_a_finite_generator_says_it_must_loop_forever():
    model = _model()
    with pytest.raises(RuntimeError, match=r'stopped after 40 samples of 100 \(4 batches\).*'
                                           'loop forever'):
        model.fit_generator(iter([(X[:10], Y[:10])] * 4), 100, 1, verbose=0)
    assert not _workers_left()


def test_batches_of_the_wrong_structure():
    model = _model()
    with pytest.raises(ValueError, match=r'fit_generator: the generator must yield tuples '
                                         r'\(inputs, targets\) or \(inputs, targets, '
                                         r'sample_weights\); batch 0 is a ndarray of shape '
                                         r'\(10, 3\)'):
        model.fit_generator((x for x, _ in batches()), 20, 1, verbose=0)
    with pytest.raises(ValueError, match=r"fit_generator, batch 0 from the generator: Model "
                                         r"sequential_1, input 'dense_input_1': expected arrays "
                                         r"of shape \(None, 3\), got an array of shape \(10, 2\)"):
        model.fit_generator(((x[:, :2], y) for x, y in batches()), 20, 1, verbose=0)
    with pytest.raises(ValueError, match='nb_val_samples'):
        model.fit_generator(batches(), 20, 1, verbose=0, validation_data=batches())
    assert not _workers_left()
