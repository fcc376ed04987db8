"""Threads: building, compiling, training, saving and loading work from any thread and from
several threads in turn; concurrent predict and fit on different models give the results
of sequential runs. Each case runs in a fresh interpreter, since which thread touches kcore
first is the point."""

from fault_tools import count, run_python
from kcore_test_helpers.session import BACKEND

PRELUDE = '''
import os, sys, tempfile, threading, traceback
import numpy as np
from kcore.layers import Dense
from kcore.models import Sequential, load_model

X = np.random.RandomState(0).rand(16, 4).astype('float32')
Y = X.sum(axis=1, keepdims=True)
FOLDER = tempfile.mkdtemp()
failures = []

def life_cycle(tag):
    """Everything a user does with a model, from the calling thread."""
    model = Sequential([Dense(3, input_dim=4, activation='relu'), Dense(1)])
    model.compile('sgd', 'mse')
    model.fit(X, Y, nb_epoch=2, verbose=0)
    model.evaluate(X, Y, verbose=0)
    path = os.path.join(FOLDER, tag + '.h5')
    model.save(path)
    loaded = load_model(path)
    np.testing.assert_allclose(loaded.predict(X), model.predict(X), rtol=1e-5)
    loaded.fit(X, Y, nb_epoch=1, verbose=0)

def in_thread(tag):
    def body():
        try:
            life_cycle(tag)
        except BaseException:
            failures.append((tag, traceback.format_exc()))
    thread = threading.Thread(target=body, name=tag)
    thread.start()
    thread.join()

def report():
    for tag, text in failures:
        print('FAILED in %s:\\n%s' % (tag, text))
    sys.exit(1 if failures else 0)
'''


def _run(body, threads):
    code, out, err = run_python(PRELUDE + body, KCORE_BACKEND=BACKEND)
    count('threads', threads)
    assert code == 0, out[-4000:] + err[-4000:]


def test_a_worker_thread_first_then_the_main_thread_then_another_worker():
    _run('''
in_thread('worker-1')
try:
    life_cycle('main')
except BaseException:
    failures.append(('main', traceback.format_exc()))
in_thread('worker-2')
report()
''', threads=2)


def test_the_main_thread_first_then_several_workers_in_turn():
    _run('''
life_cycle('main')
for i in range(3):
    in_thread('worker-%d' % i)
report()
''', threads=3)


def test_concurrent_predict_and_fit_on_different_models_match_sequential_runs():
    _run('''
def build(seed):
    model = Sequential([Dense(8, input_dim=4, activation='tanh'), Dense(1)])
    model.compile('sgd', 'mse')
    rng = np.random.RandomState(seed)
    weights = [rng.uniform(-0.5, 0.5, w.shape).astype('float32') for w in model.get_weights()]
    return model, weights

predictor, p_weights = build(1)
trainer, t_weights = build(2)
big = np.random.RandomState(3).rand(512, 4).astype('float32')

def predict_many():
    return [predictor.predict(big, batch_size=16) for _ in range(10)]

def fit_many():
    trainer.fit(X, Y, nb_epoch=30, batch_size=4, shuffle=False, verbose=0)
    return trainer.get_weights()

predictor.set_weights(p_weights); trainer.set_weights(t_weights)
expected_predictions, expected_weights = predict_many(), fit_many()

predictor.set_weights(p_weights); trainer.set_weights(t_weights)
results = {}
def run(name, function):
    try:
        results[name] = function()
    except BaseException:
        failures.append((name, traceback.format_exc()))
threads = [threading.Thread(target=run, args=('predict', predict_many)),
           threading.Thread(target=run, args=('fit', fit_many))]
for t in threads: t.start()
for t in threads: t.join()
if not failures:
    for got in results['predict']:
        np.testing.assert_allclose(got, expected_predictions[0], rtol=1e-6, atol=1e-6)
    for got, want in zip(results['fit'], expected_weights):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
report()
''', threads=2)
