"""Fuzzing the JSON and YAML model config loaders: whatever the text, the answer is a model
or a clear error (ValueError, TypeError or a lookup error), never a crash, a hang, a
RecursionError, or code run from the config."""
import functools
import json
import os

import pytest

hypothesis = pytest.importorskip('hypothesis')
from hypothesis import given, strategies as st  # noqa: E402

from kcore.layers import Dense, Lambda  # noqa: E402
from kcore.models import Sequential, model_from_json, model_from_yaml  # noqa: E402

from fault_tools import count, deadline  # noqa: E402

CLEAR_ERRORS = (ValueError, TypeError, LookupError)
LAYER_NAMES = ['Dense', 'Activation', 'Dropout', 'Reshape', 'Flatten', 'InputLayer', 'Merge',
               'Lambda', 'Sequential', 'Model', 'Embedding', 'LSTM', 'Convolution2D', 'NoSuch']

scalars = st.one_of(st.none(), st.booleans(), st.integers(-3, 10 ** 12),
                    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=8))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=12)
layer_configs = st.fixed_dictionaries({
    'class_name': st.sampled_from(LAYER_NAMES),
    'config': st.one_of(values, st.fixed_dictionaries({
        'name': st.text(max_size=6), 'output_dim': scalars, 'input_dim': scalars,
        'batch_input_shape': values, 'activation': scalars, 'input_dtype': scalars}))})
model_configs = st.one_of(
    values,
    st.fixed_dictionaries({'class_name': st.sampled_from(['Sequential', 'Model']),
                           'config': st.one_of(st.lists(layer_configs, max_size=3), values)}))


def _outcome(load, text):
    count('fuzz_examples')
    try:
        with deadline(30, 'loading a config'):
            load(text)
    except RecursionError as e:   # a RuntimeError: not a clear error
        raise AssertionError('RecursionError on a config') from e
    except CLEAR_ERRORS as e:
        assert str(e), 'an error without a message: %r' % (e,)


@given(model_configs)
def test_model_from_json_on_random_configs(config):
    _outcome(model_from_json, json.dumps(config))


@given(st.text(max_size=200))
def test_model_from_json_on_random_text(text):
    _outcome(model_from_json, text)


@given(model_configs)
def test_model_from_yaml_on_random_configs(config):
    import yaml
    _outcome(model_from_yaml, yaml.safe_dump(config))


@given(st.text(max_size=200))
def test_model_from_yaml_on_random_text(text):
    _outcome(model_from_yaml, text)


@functools.lru_cache(maxsize=None)
def _valid_json():
    # Built once: every build numbers its layers anew, which would change the text's
    # length between examples and make hypothesis's data generation inconsistent.
    return Sequential([Dense(3, input_dim=4), Dense(1)]).to_json()


@given(st.data())
def test_model_from_json_on_mutated_valid_configs(data):
    text = _valid_json()
    position = data.draw(st.integers(0, len(text) - 1))
    replacement = data.draw(st.text(max_size=3))
    mutated = text[:position] + replacement + text[position + 1:]
    count('byte_flips')
    _outcome(model_from_json, mutated)


@pytest.mark.parametrize('depth', [50, 1000, 100000])
@pytest.mark.parametrize('loader', ['json', 'yaml'])
def test_deep_nesting_is_a_clear_error(depth, loader):
    count('fuzz_examples')
    if loader == 'json':
        text = '{"class_name": "Sequential", "config": %s}' % ('[' * depth + ']' * depth)
        load = model_from_json
    else:
        text = 'class_name: Sequential\nconfig: ' + '[' * depth + ']' * depth
        load = model_from_yaml
    with deadline(60, 'a deeply nested config'):
        try:
            load(text)
        except RecursionError as e:
            raise AssertionError('RecursionError at depth %d' % depth) from e
        except CLEAR_ERRORS:
            pass


# ------------------------------------------------------------ no code runs
def test_yaml_python_tags_run_nothing(tmp_path):
    marker = tmp_path / 'ran'
    text = ('class_name: !!python/object/apply:os.system ["touch %s"]\nconfig: []\n' % marker)
    with pytest.raises(CLEAR_ERRORS):
        model_from_yaml(text)
    assert not marker.exists()


def test_lambda_bytecode_is_refused_in_safe_mode(tmp_path):
    marker = str(tmp_path / 'ran')
    model = Sequential([Lambda(lambda x: (open(marker, 'w').close(), x)[1], input_shape=(2,))])
    text = model.to_json()
    if os.path.exists(marker):   # building the model above called the function once
        os.remove(marker)
    with pytest.raises(CLEAR_ERRORS, match='safe_mode'):
        model_from_json(text, safe_mode=True)
    assert not os.path.exists(marker)
