"""What a plugin registers is checked, each hook is one transaction, name clashes are
shown, and warnings point at the plugin's own file (fake distributions, nothing installed)."""
import sys

import pytest

import kcore.backend as K
from kcore import plugins
from kcore.plugins.manager import PluginWarning
from kcore.plugins.registries import InvalidEntryError
from kcore_test_helpers.processes import run_cli
from test_plugins import BROKEN_IMPORT, LAYER_PLUGIN

NOT_CALLABLE = '''
from kcore.plugins import hookimpl

@hookimpl
def register_activations(register):
    register('fine', abs)
    register('broken', 42)
'''

NOT_A_LAYER = '''
from kcore.plugins import hookimpl

class Thing:
    pass

@hookimpl
def register_layers(register):
    register('Thing', Thing)
'''

RAISES_HALF_WAY = '''
from kcore.plugins import hookimpl

@hookimpl
def register_losses(register):
    register('half_way_loss', lambda y_true, y_pred: 0)
    raise RuntimeError('stopped half way')
'''

LAZY_NOT_A_BACKEND = '''
from kcore.plugins import hookimpl

@hookimpl
def register_backends(register):
    register('jsonbackend', 'json:JSONDecoder')
'''


def _warnings_of(record, text):
    return [w for w in record if text in str(w.message)]


def test_a_non_callable_fails_the_hook_and_registers_nothing_of_it(fake_dists):
    module = fake_dists('kcore-bad-activation', NOT_CALLABLE)
    with pytest.warns(PluginWarning, match=r"activation 'broken', registered by plugin "
                                           r"kcore_bad_activation \[.*\], is 42 \(a int\); a "
                                           r'callable \(function or class\) is expected'):
        registry = plugins.registry('activations')
    assert 'broken' not in registry and 'fine' not in registry
    info = plugins.get_manager().plugins[module]
    assert info.status == 'FAILED' and info.registered == {}


def test_a_layer_must_be_a_layer_class(fake_dists):
    fake_dists('kcore-not-a-layer', NOT_A_LAYER)
    with pytest.warns(PluginWarning, match='the class kcore_not_a_layer.Thing; a subclass of '
                                           'kcore.engine.topology.Layer is expected'):
        assert 'Thing' not in plugins.registry('layers')


def test_a_lazy_backend_is_checked_when_loaded(fake_dists):
    fake_dists('kcore-json-backend', LAZY_NOT_A_BACKEND)
    registry = plugins.registry('backends')
    with pytest.raises(InvalidEntryError) as e:
        registry.get('jsonbackend')
    assert isinstance(e.value, TypeError)
    assert "loaded from 'json:JSONDecoder', is the class json.decoder.JSONDecoder" in str(e.value)
    assert 'subclass of kcore.backend.protocol.Backend' in str(e.value)
    with pytest.raises(K.BackendError, match='kcore-json-backend.*subclass of kcore.backend'):
        K.get_backend('jsonbackend')


def test_a_hook_that_raises_half_way_registers_nothing(fake_dists):
    fake_dists('kcore-half-way', RAISES_HALF_WAY)
    with pytest.warns(PluginWarning, match='failed in register_losses: RuntimeError'):
        registry = plugins.registry('losses')
    assert 'half_way_loss' not in registry


def test_warnings_point_at_the_plugins_file_and_line(fake_dists):
    broken = fake_dists('kcore-broken', BROKEN_IMPORT)
    half = fake_dists('kcore-half-way', RAISES_HALF_WAY)
    fake_dists('kcore-my-layers', LAYER_PLUGIN)
    fake_dists('kcore-my-layers-again', LAYER_PLUGIN)
    with pytest.warns(PluginWarning) as record:
        plugins.get_manager()
    [load] = _warnings_of(record, 'failed to load')
    assert load.filename.endswith(broken + '.py') and load.lineno == 2
    [hook] = _warnings_of(record, 'stopped half way')
    assert hook.filename.endswith(half + '.py') and hook.lineno == 7
    clashes = _warnings_of(record, 'more than one plugin')
    assert clashes and all(w.filename == sys.modules['kcore_my_layers_again'].__file__
                           and w.lineno == 10 for w in clashes)


def test_a_name_clash_marks_both_plugins(fake_dists):
    first = fake_dists('kcore-my-layers', LAYER_PLUGIN)
    second = fake_dists('kcore-my-layers-again', LAYER_PLUGIN)
    with pytest.warns(PluginWarning):
        manager = plugins.get_manager()
    for name, other in ((first, second), (second, first)):
        info = manager.plugins[name]
        assert info.status == 'CONFLICT'
        assert any("layer 'mylayer' is also registered by %s" % other in c
                   for c in info.conflicts)


def test_kcore_plugins_shows_the_clash(fake_dists):
    fake_dists('kcore-my-layers', LAYER_PLUGIN)
    fake_dists('kcore-my-layers-again', LAYER_PLUGIN)
    result = run_cli('plugins')
    assert result.returncode == 0, result.stderr
    assert 'kcore_my_layers  (kcore-my-layers 1.2.3)  CONFLICT' in result.stdout
    assert 'kcore_my_layers_again  (kcore-my-layers-again 1.2.3)  CONFLICT' in result.stdout
    assert "conflict: layer 'my_layer' is also registered by kcore_my_layers_again" \
        in result.stdout


def test_a_plugin_that_fails_to_import_reports_at_its_own_file(fake_dists):
    module = fake_dists('kcore-broken', BROKEN_IMPORT)
    with pytest.warns(PluginWarning) as record:
        plugins.get_manager()
    assert _warnings_of(record, 'broken on purpose')[0].filename.endswith(module + '.py')
