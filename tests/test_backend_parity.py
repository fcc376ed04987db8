"""The same model with the same weights predicts the same on TensorFlow and on PyTensor
(and on JAX where kcore-jax is installed), and a model saved under one backend loads under
the others and predicts the same.

Each backend runs in its own interpreter (``KCORE_BACKEND`` is chosen per process), three
in all: TensorFlow builds, predicts and saves every model; PyTensor does the same and also
loads TensorFlow's files; TensorFlow then loads PyTensor's files. The models are small,
their weights come from a seeded RNG and their outputs are at most about 20 in size, so
float32 rounding (a few 1e-6 seen) stays well inside rtol=atol=1e-5.
"""
import importlib
import importlib.util
import os

import h5py
import numpy as np
import pytest

from kcore_test_helpers.processes import run_python

PLUGINS = {'tensorflow': 'kcore_tf', 'theano': 'kcore_theano'}
JAX = importlib.util.find_spec('kcore_jax') is not None   # the third backend, where installed
TOLERANCE = dict(rtol=1e-5, atol=1e-5)


def _missing_plugins():
    """The backend plugins that do not import here (importing one does not start its backend)."""
    missing = []
    for module in PLUGINS.values():
        try:
            importlib.import_module(module)
        except ImportError:
            missing.append(module)
    return missing


MISSING = _missing_plugins()
pytestmark = pytest.mark.skipif(
    bool(MISSING), reason='backend parity needs both backend plugins, and %s is not installed '
                          '(the parity nox session installs both)' % ' and '.join(MISSING))


# ---------------------------------------------------------- the models (built in workers)
def mlp():
    from kcore.layers import Activation, Dense, Dropout
    from kcore.models import Sequential
    model = Sequential([Dense(16, input_dim=8, activation='relu'), Dropout(0.5),
                        Dense(12, activation='tanh'), Dense(10, activation='sigmoid'),
                        Dense(6), Activation('softmax'), Dense(4)])
    model.compile('rmsprop', 'categorical_crossentropy')   # the file keeps training_config
    return model


def cnn(ordering):
    from kcore.layers import Convolution2D, Dense, Flatten, MaxPooling2D
    from kcore.models import Sequential
    shape = (9, 8, 3) if ordering == 'tf' else (3, 9, 8)
    return Sequential([
        Convolution2D(4, 3, 2, border_mode='same', activation='relu', dim_ordering=ordering,
                      input_shape=shape),
        Convolution2D(5, 3, 3, border_mode='valid', dim_ordering=ordering),
        MaxPooling2D((2, 2), dim_ordering=ordering),
        Flatten(), Dense(3)])


def masked_lstm():
    from kcore.layers import LSTM, Dense, Embedding
    from kcore.models import Sequential
    return Sequential([Embedding(20, 6, input_length=7, mask_zero=True),
                       LSTM(8, return_sequences=True), LSTM(5), Dense(3)])


def batchnorm():
    from kcore.layers import Activation, BatchNormalization, Dense, Flatten
    from kcore.models import Sequential
    return Sequential([BatchNormalization(axis=1, input_shape=(4, 5, 3)), Flatten(),
                       Dense(10), BatchNormalization(), Activation('relu'), Dense(3)])


MODELS = {'mlp': mlp, 'cnn_tf': lambda: cnn('tf'), 'cnn_th': lambda: cnn('th'),
          'masked_lstm': masked_lstm, 'batchnorm': batchnorm}


def inputs():
    """{model name: a batch for it}; the LSTM's sequences are zero-padded, of lengths 1 to 7."""
    rng = np.random.RandomState(0)
    lengths = [7, 1, 3, 5, 2, 6]
    sequences = np.zeros((len(lengths), 7), dtype='int32')
    for row, length in zip(sequences, lengths):
        row[:length] = rng.randint(1, 20, size=length)
    return {'mlp': rng.randn(10, 8), 'cnn_tf': rng.randn(4, 9, 8, 3),
            'cnn_th': rng.randn(4, 3, 9, 8), 'masked_lstm': sequences,
            'batchnorm': 2 + 3 * rng.randn(6, 4, 5, 3)}


def seed_weights(model, seed=1):
    """Weights from a seeded RNG: the same on every backend. BatchNormalization gets
    positive gamma and running variance and a non-zero running mean."""
    rng = np.random.RandomState(seed)
    for layer in model.layers:
        shapes = [w.shape for w in layer.get_weights()]
        if type(layer).__name__ == 'BatchNormalization':
            gamma, beta, mean, variance = shapes
            values = [rng.uniform(0.5, 1.5, gamma), rng.randn(*beta), 2 + rng.randn(*mean),
                      rng.uniform(0.5, 9, variance)]
        else:
            values = [0.4 * rng.randn(*shape) for shape in shapes]
        layer.set_weights([v.astype('float32') for v in values])


# ---------------------------------------------------------------- worker (one process)
def work(folder, build, load_from):
    """Run in a worker process: predict every model after building it (``build``: and save
    it as <name>.<backend>.h5) and after loading the files of each backend in ``load_from``;
    write .npy files."""
    from kcore import backend as K
    from kcore.models import load_model
    backend = K.backend()
    for name, make in MODELS.items():
        x = np.load(os.path.join(folder, name + '.input.npy'))
        if build:
            model = make()
            seed_weights(model)
            np.save(os.path.join(folder, '%s.%s.npy' % (name, backend)), model.predict(x))
            model.save(os.path.join(folder, '%s.%s.h5' % (name, backend)))
        for writer in load_from:
            model = load_model(os.path.join(folder, '%s.%s.h5' % (name, writer)))
            np.save(os.path.join(folder, '%s.%s-in-%s.npy' % (name, writer, backend)),
                    model.predict(x))
        K.clear_session()


def run_worker(backend, folder, home, build=False, load_from=()):
    env = dict(os.environ, KCORE_BACKEND=backend, KCORE_HOME=home)
    for var in ('KERAS_BACKEND', 'KCORE_PLUGINS', 'KCORE_DISABLE_PLUGINS',
                'KCORE_DISABLE_PLUGIN_AUTOLOAD'):
        env.pop(var, None)
    # nox sets this; outside nox, reuse the same compile cache instead of a fresh one
    env.setdefault('PYTENSOR_FLAGS', 'base_compiledir=' + os.path.join(
        os.path.expanduser('~'), '.cache', 'kcore', 'pytensor'))
    done = run_python('''
        import sys
        sys.path.insert(0, %r)
        from test_backend_parity import work
        work(%r, %r, %r)
        ''' % (os.path.dirname(__file__), folder, build, load_from), env=env)
    assert done.returncode == 0, '%s worker failed:\n%s' % (backend, done.stderr[-4000:])


@pytest.fixture(scope='module')
def results(tmp_path_factory):
    """The folder holding every prediction, after the three worker runs."""
    folder = tmp_path_factory.mktemp('parity')
    home = str(tmp_path_factory.mktemp('kcore_home'))
    for name, x in inputs().items():
        np.save(folder / (name + '.input.npy'), x.astype('float32') if x.dtype.kind == 'f' else x)
    run_worker('tensorflow', str(folder), home, build=True)
    run_worker('theano', str(folder), home, build=True, load_from=['tensorflow'])
    if JAX:
        run_worker('jax', str(folder), home, build=True, load_from=['tensorflow', 'theano'])
    run_worker('tensorflow', str(folder), home, load_from=['theano'] + (['jax'] if JAX else []))
    return folder


def predictions(folder, name, how):
    return np.load(folder / ('%s.%s.npy' % (name, how)))


# ------------------------------------------------------------------------------- tests
NEEDS_JAX = pytest.mark.skipif(not JAX, reason='kcore-jax is not installed')


@pytest.mark.parametrize('other', ['theano', pytest.param('jax', marks=NEEDS_JAX)])
@pytest.mark.parametrize('name', list(MODELS))
def test_same_weights_give_the_same_predictions_on_both_backends(results, name, other):
    on_tf = predictions(results, name, 'tensorflow')
    np.testing.assert_allclose(predictions(results, name, other), on_tf, **TOLERANCE)
    assert np.ptp(on_tf) > 0.1   # outputs that vary: a constant model would prove nothing


@pytest.mark.parametrize('name', list(MODELS))
@pytest.mark.parametrize('writer,reader', [
    ('tensorflow', 'theano'), ('theano', 'tensorflow'),
    *[pytest.param(w, r, marks=NEEDS_JAX) for w, r in
      [('tensorflow', 'jax'), ('theano', 'jax'), ('jax', 'tensorflow')]]])
def test_a_model_saved_under_one_backend_predicts_the_same_under_the_other(
        results, name, writer, reader):
    with h5py.File(results / ('%s.%s.h5' % (name, writer)), 'r') as f:
        assert f.attrs['backend'] in (writer, writer.encode())   # the file names its writer
    loaded = predictions(results, name, '%s-in-%s' % (writer, reader))
    np.testing.assert_allclose(loaded, predictions(results, name, writer), **TOLERANCE)
