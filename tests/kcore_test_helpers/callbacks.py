"""Stand-ins for the callback tests: a numpy backend with just the variable functions the
callbacks use, and a model with the attributes a training loop gives callbacks."""
import numpy as np
import pytest

from kcore import backend as K


class NumpyVariable:
    def __init__(self, value, name=None):
        self.value = np.array(value, dtype=np.float32)
        self.name = name


class NumpyBackend:
    """``variable``, ``get_value``, ``set_value``, ``batch_get_value`` and a session
    that may carry a graph (``session``)."""

    name = 'numpy-fake'

    def __init__(self):
        self.session = None

    def variable(self, value, dtype=None, name=None):
        # Named as TensorFlow names them, with the output index.
        return NumpyVariable(value, None if name is None else name + ':0')

    def get_value(self, x):
        return x.value.copy()

    def batch_get_value(self, xs):
        return [x.value.copy() for x in xs]

    def set_value(self, x, value):
        x.value = np.array(value, dtype=np.float32)

    def get_session(self):
        return self.session


@pytest.fixture
def numpy_backend(monkeypatch):
    """Make ``K`` dispatch to a fresh :class:`NumpyBackend` for this test."""
    backend = NumpyBackend()
    monkeypatch.setattr(K, '_active', backend)
    return backend


class FakeOptimizer:
    def __init__(self, lr=0.1):
        self.lr = K.variable(lr, name='lr')


class FakeLayer:
    def __init__(self, name, *shapes):
        rng = np.random.RandomState(len(name))
        suffixes = ['W', 'b', 'c']
        self.name = name
        self.weights = [K.variable(rng.randn(*shape), name='%s_%s' % (name, suffix))
                        for shape, suffix in zip(shapes, suffixes)]


class FakeModel:
    """Records every save; ``fail_saves`` makes the next saves raise OSError. With
    ``lr=None`` it has no optimizer (and needs no backend)."""

    def __init__(self, layers=(), lr=0.1):
        self.stop_training = False
        self.optimizer = None if lr is None else FakeOptimizer(lr)
        self.layers = list(layers)
        self.saved = []
        self.fail_saves = False

    def save(self, filepath, overwrite=True):
        self._write('model', filepath)

    def save_weights(self, filepath, overwrite=True):
        self._write('weights', filepath)

    def _write(self, kind, filepath):
        if self.fail_saves:
            raise OSError('disk full while saving %s' % filepath)
        with open(filepath, 'w') as f:
            f.write('%s %d' % (kind, len(self.saved)))
        self.saved.append((kind, str(filepath)))


def run_epochs(callbacks, model, epoch_logs, params=None):
    """Drive ``callbacks`` as fit does, with the given per-epoch logs (a list of dicts) and
    one batch per epoch; stop early when the model asks to. Returns the epochs run."""
    from kcore.callbacks import CallbackList
    callback_list = CallbackList(callbacks)
    callback_list.set_params(params or {'nb_epoch': len(epoch_logs), 'verbose': 0,
                                        'metrics': ['loss', 'val_loss']})
    callback_list.set_model(model)
    callback_list.on_train_begin()
    run = []
    for epoch, logs in enumerate(epoch_logs):
        callback_list.on_epoch_begin(epoch)
        callback_list.on_batch_begin(0, {'batch': 0, 'size': 1})
        callback_list.on_batch_end(0, {'batch': 0, 'size': 1})
        callback_list.on_epoch_end(epoch, dict(logs))
        run.append(epoch)
        if model.stop_training:
            break
    callback_list.on_train_end()
    return run
