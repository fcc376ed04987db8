"""save_weights / load_weights: the Keras 1.x HDF5 layout, by order and by name, errors,
files written by Keras 1.x, atomic writes and overwrite=False."""
import os
import sys

import h5py
import numpy as np
import pytest

from kcore import backend as K
from kcore.engine import saving
from kcore.engine.saving import hdf5_format
from kcore_test_helpers.saving import FakeLayer, FakeModel, values


@pytest.fixture(autouse=True)
def fresh_graph():
    K.clear_session()
    yield


def _model(seed=0, names=('input_1', 'dense_1', 'dense_2')):
    """Layers shaped like an input, Dense(2, input_dim=3) and Dense(3), in that order."""
    shapes = {'input_1': [], 'dense_1': [(3, 2), (2,)], 'dense_2': [(2, 3), (3,)]}
    if len(names) == 3:
        shapes = dict(zip(names, shapes.values()))
    return FakeModel([FakeLayer(n, shapes[n], seed + i) for i, n in enumerate(names)])


def _as_list(attr):
    return [bytes(n).decode('utf8') for n in attr]


def test_save_weights_writes_the_keras1_layout(tmp_path):
    model = _model()
    path = str(tmp_path / 'w.h5')
    saving.save_weights(model, path)
    with h5py.File(path, 'r') as f:
        assert f.attrs['layer_names'].dtype.kind == 'S'   # byte strings, as Keras 1.x wrote
        assert _as_list(f.attrs['layer_names']) == ['input_1', 'dense_1', 'dense_2']
        assert hdf5_format.text(f.attrs['kcore_version']) == __import__('kcore').__version__
        assert hdf5_format.text(f.attrs['backend']) == K.backend()
        assert hdf5_format.text(f.attrs['image_dim_ordering']) == K.image_dim_ordering()
        assert len(f['input_1'].attrs['weight_names']) == 0
        names = _as_list(f['dense_1'].attrs['weight_names'])
        assert names == ['dense_1_W', 'dense_1_b']   # no backend suffix such as ':0'
        for name, value in zip(names, values(model.layers[1])):
            np.testing.assert_array_equal(f['dense_1'][name][()], value)


def test_load_weights_by_order_restores_every_layer(tmp_path):
    path = str(tmp_path / 'w.h5')
    source = _model(seed=0)
    saving.save_weights(source, path)
    target = _model(seed=10, names=('input_7', 'hidden', 'out'))   # names do not matter
    saving.load_weights(target, path)
    for a, b in zip(source.layers, target.layers):
        for x, y in zip(values(a), values(b)):
            np.testing.assert_array_equal(x, y)
    assert target.layers[1].calls[0] == {'backend': K.backend(),
                                          'image_dim_ordering': K.image_dim_ordering(),
                                          'kcore_version': __import__('kcore').__version__}


def test_load_weights_by_order_needs_as_many_layers_with_weights(tmp_path):
    path = str(tmp_path / 'w.h5')
    saving.save_weights(_model(), path)
    target = _model(names=('dense_1',))
    with pytest.raises(ValueError, match=r"w\.h5.*2 layer\(s\) with weights \(dense_1, dense_2\)"
                                         r".*model has 1 \(dense_1\).*by_name=True"):
        saving.load_weights(target, path)


def test_shape_mismatch_names_file_layer_weight_and_shapes(tmp_path):
    path = str(tmp_path / 'w.h5')
    saving.save_weights(_model(), path)
    target = FakeModel([FakeLayer('dense_1', [(3, 2), (2,)]), FakeLayer('dense_2', [(2, 5), (5,)])])
    before = values(target.layers[0])
    with pytest.raises(ValueError, match=r"w\.h5.*layer 'dense_2': weight 'dense_2_W(:0)?' of the "
                                         r"file's layer 'dense_2' has shape \(2, 3\), but the "
                                         r"layer expects \(2, 5\)"):
        saving.load_weights(target, path)
    # Nothing was assigned: the check runs before any value is set.
    np.testing.assert_array_equal(values(target.layers[0])[0], before[0])


def test_weight_count_mismatch_names_the_layers(tmp_path):
    path = str(tmp_path / 'w.h5')
    saving.save_weights(_model(), path)
    target = FakeModel([FakeLayer('dense_1', [(3, 2)]), FakeLayer('dense_2', [(2, 3), (3,)])])
    with pytest.raises(ValueError, match=r"layer 'dense_1': the file's layer 'dense_1' has 2 "
                                         r"weight\(s\) \(dense_1_W(:0)?, dense_1_b(:0)?\) but the "
                                         r"layer has 1"):
        saving.load_weights(target, path)


def test_faq_by_name_example_loads_only_dense_1(tmp_path):
    """FAQ (seed L2210-2247): old model dense_1, dense_2; new model dense_1, new_dense."""
    fname = str(tmp_path / 'my_model_weights.h5')
    old = FakeModel([FakeLayer('dense_1', [(3, 2), (2,)], 1),
                     FakeLayer('dense_2', [(2, 3), (3,)], 2)])
    saving.save_weights(old, fname)
    new = FakeModel([FakeLayer('dense_1', [(3, 2), (2,)], 3),
                     FakeLayer('new_dense', [(2, 10), (10,)], 4)])
    untouched = values(new.layers[1])
    saving.load_weights(new, fname, by_name=True)
    for x, y in zip(values(old.layers[0]), values(new.layers[0])):
        np.testing.assert_array_equal(x, y)
    for x, y in zip(untouched, values(new.layers[1])):
        np.testing.assert_array_equal(x, y)


def test_by_name_still_checks_shapes_and_warns_when_nothing_matches(tmp_path):
    path = str(tmp_path / 'w.h5')
    saving.save_weights(_model(), path)
    wrong = FakeModel([FakeLayer('dense_1', [(4, 2), (2,)])])
    with pytest.raises(ValueError, match=r"has shape \(3, 2\), but the layer expects \(4, 2\)"):
        saving.load_weights(wrong, path, by_name=True)
    with pytest.warns(UserWarning, match='loaded nothing.*input_1, dense_1, dense_2'):
        saving.load_weights(FakeModel([FakeLayer('other', [(1,)])]), path, by_name=True)


def _keras1_weight_file(path, root_attrs=None, theano_names=False):
    """A weight file exactly as Keras 1.1.x (h5py 2) wrote it: no kcore attributes,
    fixed-length byte-string name lists, TensorFlow variable names with ':0'."""
    rng = np.random.RandomState(5)
    arrays = {'dense_1': [rng.rand(3, 2).astype('float32'), rng.rand(2).astype('float32')],
              'dense_2': [rng.rand(2, 3).astype('float32'), rng.rand(3).astype('float32')]}
    suffix = '' if theano_names else ':0'
    with h5py.File(path, 'w') as f:
        f.attrs['layer_names'] = np.array([b'input_1', b'dense_1', b'dense_2'])
        for key, value in (root_attrs or {}).items():
            f.attrs[key] = value
        g = f.create_group('input_1')
        g.attrs['weight_names'] = np.array([], dtype='float64')   # what h5py 2 made of []
        for layer, (W, b) in arrays.items():
            g = f.create_group(layer)
            names = [('%s_W%s' % (layer, suffix)).encode(), ('%s_b%s' % (layer, suffix)).encode()]
            g.attrs['weight_names'] = np.array(names)
            g.create_dataset(names[0].decode(), W.shape, dtype=W.dtype)[:] = W
            g.create_dataset(names[1].decode(), b.shape, dtype=b.dtype)[:] = b
    return arrays


@pytest.mark.parametrize('attrs', [{}, {'keras_version': np.bytes_(b'1.1.2')}])
def test_weight_files_written_by_keras1_load(tmp_path, attrs):
    path = str(tmp_path / 'keras1.h5')
    arrays = _keras1_weight_file(path, attrs)
    model = _model(seed=9)
    saving.load_weights(model, path)
    for name, layer in (('dense_1', model.layers[1]), ('dense_2', model.layers[2])):
        for x, y in zip(arrays[name], values(layer)):
            np.testing.assert_array_equal(x, y)
    assert model.layers[1].calls == [{'backend': None, 'image_dim_ordering': None,
                                      'kcore_version': None}]


def test_keras1_file_by_name_with_theano_variable_names(tmp_path):
    path = str(tmp_path / 'keras1.h5')
    arrays = _keras1_weight_file(path, {'backend': np.bytes_(b'theano')}, theano_names=True)
    model = FakeModel([FakeLayer('dense_2', [(2, 3), (3,)], 3)])
    saving.load_weights(model, path, by_name=True)
    np.testing.assert_array_equal(values(model.layers[0])[0], arrays['dense_2'][0])
    assert model.layers[0].calls[0]['backend'] == 'theano'


def test_keras1_whole_model_file_loads_through_load_weights(tmp_path):
    path = str(tmp_path / 'keras1_model.h5')
    W = np.arange(6, dtype='float32').reshape(3, 2)
    with h5py.File(path, 'w') as f:
        f.attrs['model_config'] = np.bytes_(b'{"class_name": "Sequential", "config": []}')
        g = f.create_group('model_weights')
        g.attrs['layer_names'] = np.array([b'dense_1'])
        layer = g.create_group('dense_1')
        layer.attrs['weight_names'] = np.array([b'dense_1_W:0', b'dense_1_b:0'])
        layer['dense_1_W:0'] = W
        layer['dense_1_b:0'] = np.ones(2, dtype='float32')
    model = FakeModel([FakeLayer('dense_1', [(3, 2), (2,)])])
    saving.load_weights(model, path)
    np.testing.assert_array_equal(values(model.layers[0])[0], W)


def test_pre_keras1_layout_from_the_blog_loads_by_order(tmp_path):
    """The layout the filter-visualisation blog reads by hand (seed L8240-8255)."""
    path = str(tmp_path / 'vgg_like.h5')
    with h5py.File(path, 'w') as f:
        f.attrs['nb_layers'] = 2
        for k, shapes in enumerate([[(3, 2), (2,)], []]):
            g = f.create_group('layer_%d' % k)
            g.attrs['nb_params'] = len(shapes)
            for p, shape in enumerate(shapes):
                g['param_%d' % p] = np.full(shape, k + p + 1., dtype='float32')
    model = FakeModel([FakeLayer('dense_1', [(3, 2), (2,)]), FakeLayer('flatten_1', [])])
    saving.load_weights(model, path)
    np.testing.assert_array_equal(values(model.layers[0])[1], [2., 2.])
    with pytest.raises(ValueError, match='old layout.*by_name=True cannot match'):
        saving.load_weights(model, path, by_name=True)
    with pytest.raises(ValueError, match='file has 2 layers but the model has 1'):
        saving.load_weights(FakeModel([FakeLayer('dense_1', [(3, 2), (2,)])]), path)


def test_reading_errors_name_the_file(tmp_path):
    with pytest.raises(FileNotFoundError, match='missing.h5'):
        saving.load_weights(_model(), str(tmp_path / 'missing.h5'))
    text_file = tmp_path / 'notes.h5'
    text_file.write_text('not HDF5')
    with pytest.raises(OSError, match='Cannot read .*notes.h5.* as an HDF5 file'):
        saving.load_weights(_model(), str(text_file))
    empty = str(tmp_path / 'empty.h5')
    h5py.File(empty, 'w').close()
    with pytest.raises(ValueError, match="empty.h5' holds no weights.*'layer_names'"):
        saving.load_weights(_model(), empty)
    broken = str(tmp_path / 'broken.h5')
    with h5py.File(broken, 'w') as f:
        f.attrs['layer_names'] = np.array([b'dense_1'])
        f.create_group('dense_1').attrs['weight_names'] = np.array([b'dense_1_W:0'])
    with pytest.raises(ValueError, match="broken.h5.*lists weight 'dense_1_W:0'.*no such dataset"):
        saving.load_weights(FakeModel([FakeLayer('dense_1', [(3, 2)])]), broken)
    with h5py.File(broken, 'a') as f:
        f.attrs['layer_names'] = np.array([b'dense_1', b'dense_9'])
    with pytest.raises(ValueError, match="broken.h5' lists layer 'dense_9'.*no group"):
        saving.load_weights(FakeModel([FakeLayer('dense_1', [(3, 2)])]), broken)


def test_a_failure_while_writing_leaves_the_previous_file_intact(tmp_path, monkeypatch):
    folder = tmp_path / 'models'
    folder.mkdir()
    path = str(folder / 'w.h5')
    first = _model(seed=0)
    saving.save_weights(first, path)
    with open(path, 'rb') as f:
        before = f.read()
    real_create = h5py.Group.create_dataset
    calls = []

    def failing_create(self, *args, **kwargs):
        calls.append(args[0])
        if len(calls) == 3:
            raise OSError('disk full (injected)')
        return real_create(self, *args, **kwargs)

    monkeypatch.setattr(h5py.Group, 'create_dataset', failing_create)
    with pytest.raises(OSError, match='injected'):
        saving.save_weights(_model(seed=1), path)
    monkeypatch.undo()
    with open(path, 'rb') as f:
        assert f.read() == before
    assert os.listdir(str(folder)) == ['w.h5']   # no temporary file left behind
    target = _model(seed=2)
    saving.load_weights(target, path)
    np.testing.assert_array_equal(values(target.layers[2])[0], values(first.layers[2])[0])


def test_layer_names_must_be_unique_to_save(tmp_path):
    model = FakeModel([FakeLayer('dense', [(1,)]), FakeLayer('dense', [(1,)])])
    with pytest.raises(ValueError, match="several layers are named 'dense'"):
        saving.save_weights(model, str(tmp_path / 'w.h5'))
    assert not (tmp_path / 'w.h5').exists()


def test_saving_into_a_missing_folder_says_so(tmp_path):
    with pytest.raises(FileNotFoundError, match="folder .*nowhere' does not exist"):
        saving.save_weights(_model(), str(tmp_path / 'nowhere' / 'w.h5'))


def test_overwrite_false_without_a_terminal_raises(tmp_path, monkeypatch):
    path = str(tmp_path / 'w.h5')
    saving.save_weights(_model(seed=0), path)
    monkeypatch.setattr(sys, 'stdin', None)
    with pytest.raises(FileExistsError, match='w.h5.*overwrite=False.*overwrite=True'):
        saving.save_weights(_model(seed=1), path, overwrite=False)
    new_path = str(tmp_path / 'new.h5')
    saving.save_weights(_model(seed=1), new_path, overwrite=False)   # a new file is fine
    assert os.path.exists(new_path)


class _Terminal:
    def isatty(self):
        return True


@pytest.mark.parametrize('answers, replaced', [(['maybe', 'n'], False), (['y'], True)])
def test_overwrite_false_on_a_terminal_asks_as_keras1_did(tmp_path, monkeypatch, answers,
                                                          replaced):
    path = str(tmp_path / 'w.h5')
    old, new = _model(seed=0), _model(seed=1)
    saving.save_weights(old, path)
    monkeypatch.setattr(sys, 'stdin', _Terminal())
    monkeypatch.setattr(sys, 'stdout', _Terminal())
    prompts = []
    replies = iter(answers)
    monkeypatch.setattr('builtins.input', lambda prompt: prompts.append(prompt) or next(replies))
    monkeypatch.setattr('builtins.print', lambda *args, **kwargs: None)
    saving.save_weights(new, path, overwrite=False)
    assert prompts[0] == '[WARNING] %s already exists - overwrite? [y/n] ' % path
    target = _model(seed=2)
    saving.load_weights(target, path)
    expected = new if replaced else old
    np.testing.assert_array_equal(values(target.layers[1])[0], values(expected.layers[1])[0])


def test_weight_names_fall_back_and_never_collide():
    class Unnamed:
        name = None
    assert hdf5_format.weight_names([Unnamed(), Unnamed()]) == ['param_0', 'param_1']
    named = type('V', (), {'name': 'x:0'})()
    assert hdf5_format.weight_names([named, named]) == ['x', 'x_1']


def test_long_name_lists_are_split_into_chunks(tmp_path):
    names = ['layer_with_a_rather_long_name_%05d' % i for i in range(3000)]
    with h5py.File(str(tmp_path / 'n.h5'), 'w') as f:
        hdf5_format.write_names(f.attrs, 'layer_names', names)
        assert 'layer_names' not in f.attrs and 'layer_names1' in f.attrs
        assert hdf5_format.read_names(f.attrs, 'layer_names') == names
        hdf5_format.write_names(f.attrs, 'short', ['a', 'b'])
        assert hdf5_format.read_names(f.attrs, 'short') == ['a', 'b']
        assert hdf5_format.read_names(f.attrs, 'absent') is None
