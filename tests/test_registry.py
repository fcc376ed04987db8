import pytest

from kcore.plugins.registries import Registry, RegistryError


class SGD:
    pass


def test_lookup_ignores_case_and_finds_aliases_and_class_name():
    reg = Registry('optimizers')
    reg.register('sgd', SGD, aliases=('stochastic',))
    assert reg.get('SGD') is SGD
    assert reg.get('sgd') is SGD
    assert reg.get('Stochastic') is SGD
    assert 'sgd' in reg and 'adam' not in reg
    assert reg.names() == ['sgd']


def test_unknown_name_says_did_you_mean_and_lists_known_names():
    reg = Registry('losses')
    reg.register('mean_squared_error', object(), aliases=('mse',))
    reg.register('categorical_crossentropy', object())
    with pytest.raises(RegistryError) as e:
        reg.get('categorical_crossentropi')
    assert "Unknown loss 'categorical_crossentropi'" in str(e.value)
    assert "Did you mean 'categorical_crossentropy'?" in str(e.value)
    assert 'Known losses: mean_squared_error, categorical_crossentropy.' in str(e.value)


def test_empty_registry_says_a_plugin_is_missing():
    with pytest.raises(RegistryError, match='No layers are registered'):
        Registry('layers').get('Dense')


def test_collision_is_reported_and_the_name_refuses_to_resolve():
    reg = Registry('backends')
    assert reg.register('tensorflow', object(), plugin='a', origin='a [dist-a 1.0]') == []
    problems = reg.register('TensorFlow', object(), plugin='b', origin='b [dist-b 2.0]')
    assert len(problems) == 1
    assert 'a [dist-a 1.0]' in problems[0] and 'b [dist-b 2.0]' in problems[0]
    with pytest.raises(RegistryError, match='registered by more than one plugin'):
        reg.get('tensorflow')
    assert 'tensorflow' not in reg


def test_the_same_object_registered_twice_by_one_plugin_is_not_a_collision():
    reg = Registry('activations')
    f = object()
    reg.register('relu', f)
    assert reg.register('relu', f) == []
    assert reg.get('relu') is f


def test_lazy_object_is_imported_on_first_lookup():
    reg = Registry('backends')
    reg.register('json-dumps', 'json:dumps')
    entry = reg.entry('json-dumps')
    assert entry.lazy
    import json
    assert reg.get('json-dumps') is json.dumps
    assert not entry.lazy


def test_lazy_object_that_fails_to_import_names_the_plugin_and_path():
    reg = Registry('backends')
    reg.register('broken', 'no_such_module_xyz:Backend', plugin='p', origin='p [dist-p 1]')
    with pytest.raises(RegistryError) as e:
        reg.get('broken')
    assert 'p [dist-p 1]' in str(e.value) and 'no_such_module_xyz:Backend' in str(e.value)


def test_name_must_be_a_string():
    with pytest.raises(TypeError, match='non-empty string'):
        Registry('layers').register(SGD, SGD)
