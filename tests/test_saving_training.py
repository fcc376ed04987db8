"""model.save's whole-model layout (model_config, training_config, optimizer_weights) and
load_model's restoring of the training state, with stand-in models and optimizers."""
import json
import sys

import h5py
import numpy as np
import pytest

from kcore import backend as K
from kcore.engine import saving
from kcore.engine.saving import model_files
from kcore.engine.saving.hdf5_format import text
from kcore_test_helpers.saving import FakeLayer, FakeModel, FakeOptimizer, values


@pytest.fixture(autouse=True)
def fresh_graph():
    K.clear_session()
    yield


class Optimizer(FakeOptimizer):
    @classmethod
    def from_config(cls, config):
        return cls(**config)


def my_loss(y_true, y_pred):
    return y_pred


class CompilableModel(FakeModel):
    """A stand-in model that records compile() and builds its optimizer state there."""

    def compile(self, optimizer, loss, metrics=None, loss_weights=None, sample_weight_mode=None):
        self.optimizer, self.loss, self.metrics = optimizer, loss, metrics
        self.loss_weights, self.sample_weight_mode = loss_weights, sample_weight_mode
        self.compiled = True

    def _make_train_function(self):
        self.train_function_built = True


def _layers(seed):
    return [FakeLayer('dense_1', [(3, 2), (2,)], seed),
            FakeLayer('dense_2', [(2, 1), (1,)], seed + 1)]


def _compiled_model(seed=0):
    model = CompilableModel(_layers(seed), config={'name': 'model_1', 'seed': seed})
    model.compile(Optimizer(lr=0.25), loss=my_loss, metrics=['accuracy'],
                  loss_weights=[1.0], sample_weight_mode=None)
    K.batch_set_value([(model.optimizer.weights[0], np.full((2, 2), 7.))])
    return model


@pytest.fixture
def fake_models_module(monkeypatch):
    """load_model's model_from_config for stand-in models: rebuilds a CompilableModel."""
    calls = []

    def model_from_config(config, custom_objects=None, safe_mode=True):
        calls.append((config, custom_objects, safe_mode))
        return CompilableModel(_layers(seed=50), config=config['config'])

    monkeypatch.setattr(model_files, 'model_from_config', model_from_config)
    return calls


def test_model_save_writes_the_keras1_layout(tmp_path):
    model = _compiled_model()
    path = str(tmp_path / 'my_model.h5')
    saving.save_model(model, path)
    with h5py.File(path, 'r') as f:
        assert json.loads(text(f.attrs['model_config'])) == {
            'class_name': 'CompilableModel', 'config': {'name': 'model_1', 'seed': 0}}
        assert json.loads(text(f.attrs['training_config'])) == {
            'optimizer_config': {'class_name': 'Optimizer', 'config': {'lr': 0.25}},
            'loss': 'my_loss', 'metrics': ['accuracy'], 'sample_weight_mode': None,
            'loss_weights': [1.0]}
        for group in (f, f['model_weights']):
            assert text(group.attrs['backend']) == K.backend()
            assert text(group.attrs['image_dim_ordering']) == K.image_dim_ordering()
            assert 'kcore_version' in group.attrs
        assert [bytes(n) for n in f['model_weights'].attrs['layer_names']] == [b'dense_1',
                                                                               b'dense_2']
        names = [bytes(n).decode() for n in f['optimizer_weights'].attrs['weight_names']]
        assert names == ['m_0', 'm_1']   # no backend suffix such as ':0'
        np.testing.assert_array_equal(f['optimizer_weights']['m_0'][()],
                                      np.full((2, 2), 7.))


def test_an_uncompiled_model_has_no_training_config(tmp_path):
    path = str(tmp_path / 'm.h5')
    saving.save_model(FakeModel(_layers(0)), path)
    with h5py.File(path, 'r') as f:
        assert 'training_config' not in f.attrs and 'optimizer_weights' not in f


def test_load_model_compiles_and_restores_the_optimizer_state(tmp_path, fake_models_module):
    path = str(tmp_path / 'm.h5')
    original = _compiled_model(seed=0)
    saving.save_model(original, path)
    custom = {'Optimizer': Optimizer, 'my_loss': my_loss}
    model = saving.load_model(path, custom_objects=custom, safe_mode=False)
    config, custom_objects, safe_mode = fake_models_module[0]
    assert config['class_name'] == 'CompilableModel'
    assert custom_objects is custom and safe_mode is False
    for a, b in zip(original.layers, model.layers):
        for x, y in zip(values(a), values(b)):
            np.testing.assert_array_equal(x, y)
    assert model.compiled and model.loss is my_loss and model.metrics == ['accuracy']
    assert model.loss_weights == [1.0] and model.sample_weight_mode is None
    assert isinstance(model.optimizer, Optimizer) and model.optimizer.lr == 0.25
    assert model.train_function_built
    np.testing.assert_array_equal(model.optimizer.get_weights()[0], np.full((2, 2), 7.))


def test_load_model_without_optimizers_warns_and_returns_an_uncompiled_model(
        tmp_path, fake_models_module, monkeypatch):
    path = str(tmp_path / 'm.h5')
    saving.save_model(_compiled_model(), path)
    monkeypatch.setitem(sys.modules, 'kcore.optimizers', None)   # makes the import fail
    with pytest.warns(UserWarning, match=r"m\.h5' has a training configuration.*not compiled: "
                                         'kcore.optimizers is not available'):
        model = saving.load_model(path)
    assert not hasattr(model, 'compiled')


def test_a_model_class_without_compile_stays_uncompiled(tmp_path, monkeypatch):
    path = str(tmp_path / 'm.h5')
    saving.save_model(_compiled_model(), path)
    monkeypatch.setattr(model_files, 'model_from_config',
                        lambda config, **kwargs: FakeModel(_layers(seed=9)))
    with pytest.warns(UserWarning, match='FakeModel has no compile'):
        saving.load_model(path)


def _add_output_index(path):
    """Rename every weight dataset of the file at ``path`` to TensorFlow's variable name
    ('m_0' -> 'm_0:0'), as kcore wrote them before names became backend-neutral."""
    with h5py.File(path, 'r+') as f:
        groups = [f['optimizer_weights']] + [f['model_weights'][n] for n in ('dense_1', 'dense_2')]
        for group in groups:
            names = [text(n) for n in group.attrs['weight_names']]
            for name in names:
                group.move(name, name + ':0')
            group.attrs['weight_names'] = np.array([(n + ':0').encode() for n in names])


def test_a_file_with_tensorflow_variable_names_still_loads(tmp_path, fake_models_module):
    path = str(tmp_path / 'm.h5')
    original = _compiled_model(seed=0)
    saving.save_model(original, path)
    _add_output_index(path)
    model = saving.load_model(path, custom_objects={'Optimizer': Optimizer, 'my_loss': my_loss})
    for a, b in zip(original.layers, model.layers):
        for x, y in zip(values(a), values(b)):
            np.testing.assert_array_equal(x, y)
    np.testing.assert_array_equal(model.optimizer.get_weights()[0], np.full((2, 2), 7.))


def test_an_optimizer_state_that_does_not_fit_warns(tmp_path, fake_models_module):
    path = str(tmp_path / 'm.h5')
    saving.save_model(_compiled_model(), path)

    class SmallerOptimizer(Optimizer):
        def set_weights(self, values):
            raise ValueError('Optimizer has 1 state weights, but 2 values were given.')

    custom = {'Optimizer': SmallerOptimizer, 'my_loss': my_loss}
    with pytest.warns(UserWarning, match=r"m\.h5': the saved optimizer state \(2 arrays\) does "
                                         'not fit.*1 state weights.*fresh optimizer state'):
        model = saving.load_model(path, custom_objects=custom)
    assert model.compiled


def test_load_model_on_a_weight_file_says_what_to_do(tmp_path):
    path = str(tmp_path / 'weights.h5')
    saving.save_weights(FakeModel(_layers(0)), path)
    with pytest.raises(ValueError, match=r"weights\.h5' holds no model.*model\.load_weights"):
        saving.load_model(path)


def test_rebuild_errors_mention_the_file(tmp_path, monkeypatch):
    path = str(tmp_path / 'm.h5')
    saving.save_model(FakeModel(_layers(0)), path)

    def model_from_config(config, **kwargs):
        raise ValueError('Unknown layer class CompilableModel')

    monkeypatch.setattr(model_files, 'model_from_config', model_from_config)
    with pytest.raises(ValueError, match='Unknown layer class') as info:
        saving.load_model(path)
    if hasattr(info.value, '__notes__'):
        assert 'm.h5' in info.value.__notes__[0]


def test_configs_with_numpy_values_and_functions_are_serialized(tmp_path):
    config = {'name': 'm', 'scale': np.float32(0.5), 'shape': np.array([2, 3]),
              'activation': my_loss}
    path = str(tmp_path / 'm.h5')
    saving.save_model(FakeModel(_layers(0), config=config), path)
    with h5py.File(path, 'r') as f:
        assert json.loads(text(f.attrs['model_config']))['config'] == {
            'name': 'm', 'scale': 0.5, 'shape': [2, 3], 'activation': 'my_loss'}
    with pytest.raises(TypeError, match='not JSON-serializable'):
        saving.save_model(FakeModel(_layers(0), config={'bad': object()}), path)
