"""The plugin manager with fake installed distributions (no package is installed)."""
import ast
import importlib
import pathlib
import tomllib
import warnings

import pytest

import kcore
from kcore import activations, plugins
from kcore.plugins.manager import BUILTIN_PLUGINS, PluginWarning
from kcore_test_helpers.session import BACKEND, DISTRIBUTION

ROOT = pathlib.Path(kcore.__file__).parent.parent

LAYER_PLUGIN = '''
from kcore.engine.topology import Layer
from kcore.plugins import hookimpl

class MyLayer(Layer):
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

FIRST_LOSS = '''
from kcore.plugins import hookimpl

@hookimpl(tryfirst=True)
def register_losses(register):
    register('registered_first', lambda y_true, y_pred: 0)
'''

WRAPPER = '''
from kcore.plugins import hookimpl

CALLS = []

@hookimpl(wrapper=True)
def register_losses(register):
    CALLS.append(register)
    return (yield)
'''


def test_builtin_plugin_registers_through_the_same_hooks():
    manager = plugins.get_manager()
    assert manager.plugins['kcore.activations'].builtin
    assert plugins.get('activations', 'relu') is activations.relu
    assert activations.get('tanh') is activations.tanh
    assert activations.get(None) is activations.linear


def _modules_with_hooks():
    """The kcore modules that define a @hookimpl function."""
    found = set()
    for path in (ROOT / 'kcore').rglob('*.py'):
        tree = ast.parse(path.read_text())
        if any(isinstance(node, ast.FunctionDef)
               and any('hookimpl' in ast.unparse(d) for d in node.decorator_list)
               for node in tree.body):
            parts = path.relative_to(ROOT).with_suffix('').parts
            found.add('.'.join(parts[:-1] if parts[-1] == '__init__' else parts))
    return found


def test_every_builtin_hook_lives_in_a_module_listed_once():
    assert len(set(BUILTIN_PLUGINS)) == len(BUILTIN_PLUGINS)
    assert _modules_with_hooks() == set(BUILTIN_PLUGINS)
    manager = plugins.get_manager()
    assert all(manager.plugins[name].ok and manager.plugins[name].registered
               for name in BUILTIN_PLUGINS)


def test_a_plugin_entry_point_registers_a_layer(fake_dists):
    module = fake_dists('kcore-my-layers', LAYER_PLUGIN)
    layer = plugins.get('layers', 'my_layer')
    assert layer.__name__ == 'MyLayer' and layer.__module__ == module
    info = plugins.get_manager().plugins[module]
    assert (info.distribution, info.version) == ('kcore-my-layers', '1.2.3')
    assert info.registered == {'layers': ['MyLayer']} and info.status == 'ok'


def test_hooks_run_through_pluggy_so_tryfirst_orders_them(fake_dists):
    fake_dists('kcore-first', FIRST_LOSS)
    assert plugins.registry('losses').names()[0] == 'registered_first'


def test_hooks_run_through_pluggy_so_a_wrapper_sees_each_plugins_call(fake_dists):
    module = fake_dists('kcore-wrapper', WRAPPER)
    fake_dists('kcore-half', BROKEN_REGISTER)
    with pytest.warns(PluginWarning, match='no layers today'):
        manager = plugins.get_manager()
    calls = importlib.import_module(module).CALLS
    implementing = [i for i in manager.plugins.values() if 'losses' in i.registered]
    assert len(calls) == len(implementing) >= 2   # kcore.objectives and kcore_half


def test_a_plugin_that_fails_to_import_is_isolated(fake_dists):
    fake_dists('kcore-broken', BROKEN_IMPORT)
    fake_dists('kcore-my-layers', LAYER_PLUGIN)
    with pytest.warns(PluginWarning, match=r'kcore_broken \[kcore-broken 1.2.3\] failed to load: '
                                           r'RuntimeError: this plugin is broken on purpose'):
        manager = plugins.get_manager()
    assert not manager.plugins['kcore_broken'].ok
    assert manager.plugins['kcore_broken'].status == 'FAILED'
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


def test_a_backend_plugin_reports_its_library_versions():
    versions = plugins.get_manager().versions(BACKEND)
    assert versions and all(isinstance(v, str) and v[0].isdigit() for v in versions.values())


def test_tf_optimizer_comes_from_a_plugin_not_the_core(monkeypatch):
    assert not (ROOT / 'kcore' / 'optimizers' / 'tf_optimizer.py').exists()
    monkeypatch.setenv('KCORE_DISABLE_PLUGINS', 'kcore-tf')
    from kcore import optimizers
    with pytest.raises(AttributeError, match="no installed plugin registers an optimizer of that "
                                             "name: Unknown optimizer 'TFOptimizer'"):
        optimizers.TFOptimizer


@pytest.mark.parametrize('folder', ['.', 'plugins/kcore_tf', 'plugins/kcore_theano',
                                    'plugins/kcore_apps'])
def test_pyprojects_claim_the_python_that_entry_points_group_needs(folder):
    # importlib.metadata.entry_points(group=...) exists from Python 3.10
    project = tomllib.loads((ROOT / folder / 'pyproject.toml').read_text())['project']
    assert project['requires-python'] == '>=3.10'
