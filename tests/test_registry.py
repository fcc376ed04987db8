import pytest

from kcore.plugins.checks import check_for
from kcore.plugins.registries import (AmbiguousNameError, InvalidEntryError, Registry,
                                      RegistryError, UnknownNameError)


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


def test_unknown_name_is_a_typed_key_error_with_fields():
    reg = Registry('losses')
    reg.register('mean_squared_error', abs, aliases=('mse',))
    with pytest.raises(UnknownNameError) as e:
        reg.get('msee')
    error = e.value
    assert isinstance(error, KeyError) and isinstance(error, RegistryError)
    assert (error.kind, error.name) == ('losses', 'msee')
    assert error.suggestions == ['mse'] and error.known == ['mean_squared_error']
    assert str(error).startswith("Unknown loss 'msee'.")   # not quoted as KeyError would


def test_ambiguous_name_is_a_typed_value_error_with_the_entries():
    reg = Registry('layers')
    reg.register('Dense', object(), plugin='a', origin='a [dist-a 1]')
    reg.register('dense', object(), plugin='b', origin='b [dist-b 2]')
    with pytest.raises(AmbiguousNameError) as e:
        reg.entry('DENSE')
    assert isinstance(e.value, ValueError) and isinstance(e.value, RegistryError)
    assert (e.value.kind, e.value.name) == ('layers', 'dense')
    assert e.value.plugins == ['a [dist-a 1]', 'b [dist-b 2]']
    assert [entry.plugin for entry in e.value.entries] == ['a', 'b']
    assert list(reg.conflicts()) == ['dense']


def test_a_checked_registry_refuses_what_its_kind_cannot_use():
    reg = Registry('metrics', check_for('metrics'))
    with pytest.raises(InvalidEntryError, match=r"metric 'acc', registered by plugin p, is 'acc' "
                                                r'\(a str\)|is 3'):
        reg.register('acc', 3, plugin='p')
    assert 'acc' not in reg and len(reg) == 0
    reg.register('lazy', 'json:nothing_here')   # a path is checked when loaded
    with pytest.raises(InvalidEntryError, match="could not be loaded from 'json:nothing_here'"):
        reg.get('lazy')


def test_empty_registry_says_a_plugin_is_missing():
    with pytest.raises(RegistryError, match='No layers are registered'):
        Registry('layers').get('Dense')


def test_collision_is_reported_and_the_name_refuses_to_resolve():
    reg = Registry('backends')
    assert reg.register('tensorflow', object(), plugin='a', origin='a [dist-a 1.0]') == []
    problems = reg.register('TensorFlow', object(), plugin='b', origin='b [dist-b 2.0]')
    assert len(problems) == 1 and isinstance(problems[0], AmbiguousNameError)
    assert problems[0].plugins == ['a [dist-a 1.0]', 'b [dist-b 2.0]']
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
