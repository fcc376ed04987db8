"""The plugin manager with fake installed distributions (no package is installed)."""
import warnings

import pytest

from kcore import activations, plugins
from kcore.plugins.manager import PluginWarning
from session_backend import BACKEND, DISTRIBUTION

LAYER_PLUGIN = '''
from kcore.plugins import hookimpl

class MyLayer:
    pass

@hookimpl
def register_layers(register):
    register('MyLayer', MyLayer, aliases=('my_layer',))
'''

BROKEN_IMPORT = '''
raise RuntimeError('this plugin is broken on purpose')
'''

BROKEN_REGISTER = '''
from kcore.plugins import hookimpl

@hookimpl
def register_layers(register):
    raise ValueError('no layers today')

@hookimpl
def register_losses(register):
    register('my_loss', lambda y_true, y_pred: 0)
'''

SECOND_BACKEND = '''
from kcore.plugins import hookimpl

@hookimpl
def register_backends(register):
    register(%r, 'json:dumps')
''' % BACKEND


def test_builtin_plugin_registers_through_the_same_hooks():
    manager = plugins.get_manager()
    assert manager.plugins['kcore.activations'].builtin
    assert plugins.get('activations', 'relu') is activations.relu
    assert activations.get('tanh') is activations.tanh
    assert activations.get(None) is activations.linear


def test_a_plugin_entry_point_registers_a_layer(fake_dists):
    module = fake_dists('kcore-my-layers', LAYER_PLUGIN)
    layer = plugins.get('layers', 'my_layer')
    assert layer.__name__ == 'MyLayer' and layer.__module__ == module
    info = plugins.get_manager().plugins[module]
    assert (info.distribution, info.version) == ('kcore-my-layers', '1.2.3')
    assert info.registered == {'layers': ['MyLayer']}


def test_a_plugin_that_fails_to_import_is_isolated(fake_dists):
    fake_dists('kcore-broken', BROKEN_IMPORT)
    fake_dists('kcore-my-layers', LAYER_PLUGIN)
    with pytest.warns(PluginWarning, match=r'kcore_broken \[kcore-broken 1.2.3\] failed to load: '
                                           r'RuntimeError: this plugin is broken on purpose'):
        manager = plugins.get_manager()
    assert not manager.plugins['kcore_broken'].ok
    assert plugins.get('layers', 'MyLayer')


def test_a_plugin_that_fails_to_register_keeps_its_other_registrations(fake_dists):
    fake_dists('kcore-half', BROKEN_REGISTER)
    with pytest.warns(PluginWarning, match='failed in register_layers: ValueError: no layers today'):
        plugins.get_manager()
    assert plugins.get('losses', 'my_loss')


def test_two_plugins_registering_one_backend_name_give_one_error_naming_both(fake_dists):
    fake_dists('kcore-other-backend', SECOND_BACKEND)
    with pytest.warns(PluginWarning) as record:
        registry = plugins.registry('backends')
    messages = [str(w.message) for w in record if 'more than one plugin' in str(w.message)]
    assert len(messages) == 1
    assert 'kcore-other-backend' in messages[0] and DISTRIBUTION in messages[0]
    with pytest.raises(LookupError, match='more than one plugin'):
        registry.get(BACKEND)


def test_disable_autoload_loads_only_builtins(fake_dists, monkeypatch):
    fake_dists('kcore-my-layers', LAYER_PLUGIN)
    monkeypatch.setenv('KCORE_DISABLE_PLUGIN_AUTOLOAD', '1')
    from kcore.plugins.manager import BUILTIN_PLUGINS
    manager = plugins.get_manager()
    assert list(manager.plugins) == list(BUILTIN_PLUGINS)
    assert all(info.builtin for info in manager.plugins.values())
    assert 'MyLayer' not in plugins.registry('layers')


def test_allow_list_by_distribution_name(fake_dists, monkeypatch):
    fake_dists('kcore-my-layers', LAYER_PLUGIN)
    fake_dists('kcore-broken', BROKEN_IMPORT)
    monkeypatch.setenv('KCORE_PLUGINS', 'kcore-my-layers')
    with warnings.catch_warnings():
        warnings.simplefilter('error')   # the broken plugin is never imported
        manager = plugins.get_manager()
    assert 'kcore_broken' not in manager.plugins
    assert 'MyLayer' in plugins.registry('layers')


def test_deny_list(fake_dists, monkeypatch):
    fake_dists('kcore-broken', BROKEN_IMPORT)
    monkeypatch.setenv('KCORE_DISABLE_PLUGINS', 'kcore_broken')
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        assert 'kcore_broken' not in plugins.get_manager().plugins


def test_unknown_registry_kind():
    with pytest.raises(ValueError, match="Unknown registry 'layer'; the registries are: backends"):
        plugins.registry('layer')
