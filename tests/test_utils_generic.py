"""kcore.utils.generic_utils (look-up, tables, functions as bytecode) and the Keras 1
names of kcore.utils.layer_utils."""
import marshal

import numpy as np
import pytest

from kcore import backend as K
from kcore.engine import serialization
from kcore.engine.serialization import UnsafeBytecodeError, safe_mode_scope
from kcore.utils.generic_utils import (display_table, func_dump, func_load,
                                       func_reconstruct_closure, get_from_module, make_tuple)
from kcore_test_helpers.processes import run_python


class Scaler:
    def __init__(self, factor=1):
        self.factor = factor


PARAMS = {'scaler': Scaler, 'relu': abs}


# -------------------------------------------------------------------- look-up
def test_get_from_module_by_name_instance_and_config():
    assert get_from_module('relu', PARAMS, 'activation') is abs
    assert isinstance(get_from_module('scaler', PARAMS, 'layer', instantiate=True), Scaler)
    made = get_from_module('scaler', PARAMS, 'layer', instantiate=True, kwargs={'factor': 3})
    assert made.factor == 3
    config = {'name': 'scaler', 'factor': 5}
    assert get_from_module(config, PARAMS, 'layer').factor == 5
    assert config == {'name': 'scaler', 'factor': 5}      # the caller's dict is left alone
    own = Scaler()
    assert get_from_module(own, PARAMS, 'layer') is own


def test_get_from_module_errors():
    with pytest.raises(ValueError, match="Invalid activation: 'rellu'.*Did you mean 'relu'"):
        get_from_module('rellu', PARAMS, 'activation')
    with pytest.raises(ValueError, match="layer config dict needs a 'name' key"):
        get_from_module({'factor': 2}, PARAMS, 'layer')


def test_make_tuple():
    assert make_tuple(1, 'a') == (1, 'a')
    assert make_tuple() == ()


def test_display_table_cuts_and_pads_each_field_to_its_column(capsys):
    display_table([['a', 'bb'], ['long name', 1]], [5, 10])
    assert capsys.readouterr().out == 'a    bb   \nlong 1    \n'


# ------------------------------------------------------------------ functions
def _make_affine(scale):
    def affine(x, shift=2):
        return scale * x + shift
    return affine


def test_func_dump_and_load_round_trip_with_closure_and_defaults():
    code, defaults, closure = func_dump(_make_affine(3))
    assert defaults == (2,) and closure == (3,)
    rebuilt = func_load(code, defaults, closure, safe_mode=False)
    assert rebuilt(1) == 5 and rebuilt(1, shift=0) == 3
    assert func_load(func_dump(_make_affine(4)), safe_mode=False)(1) == 6   # the whole triple


def test_func_load_refuses_bytecode_in_safe_mode():
    dumped = func_dump(lambda x: x + 1)
    with pytest.raises(UnsafeBytecodeError, match=r'arbitrary code.*safe_mode=False.*'
                                                  r'safe_mode_scope\(False\)'):
        func_load(dumped)
    with pytest.raises(ValueError, match='func_load'):     # a ValueError, as before
        func_load(dumped, safe_mode=True)
    with safe_mode_scope(False):
        assert func_load(dumped)(1) == 2
    assert serialization.safe_mode() is True


def test_func_load_reads_keras_1_code_text_and_uses_globs():
    def shout(x):
        return PREFIX + x   # noqa: F821 (taken from the globs given to func_load)
    keras1_code = marshal.dumps(shout.__code__).decode('raw_unicode_escape')
    rebuilt = func_load(keras1_code, globs={'PREFIX': '!'}, safe_mode=False)
    assert rebuilt('a') == '!a'


def test_default_globals_hold_numpy_and_the_backend():
    uses_numpy = func_load(func_dump(lambda x: np.sqrt(x)), safe_mode=False)
    assert uses_numpy(4.) == 2.


def test_func_reconstruct_closure_holds_the_values():
    cells = func_reconstruct_closure([1, 'two'])
    assert [c.cell_contents for c in cells] == [1, 'two']


# ----------------------------------------------------------------- layer_utils
def test_layer_utils_has_every_keras_1_name():
    from kcore.engine.training import Model
    from kcore.models import Sequential
    from kcore.utils import layer_utils
    from kcore.utils.conv_utils import convert_all_kernels_in_model, convert_kernel
    assert layer_utils.Model is Model and layer_utils.Sequential is Sequential
    assert layer_utils.convert_kernel is convert_kernel
    assert layer_utils.convert_all_kernels_in_model is convert_all_kernels_in_model
    assert layer_utils.get_from_module is get_from_module
    assert layer_utils.K is K
    assert callable(layer_utils.layer_from_config) and callable(layer_utils.print_summary)
    assert {'Model', 'Sequential'} <= set(dir(layer_utils))
    with pytest.raises(AttributeError, match='no attribute'):
        layer_utils.Nothing


def test_these_modules_import_no_backend_library():
    result = run_python("""
        import sys
        import kcore.preprocessing.sequence, kcore.preprocessing.text
        import kcore.utils.generic_utils, kcore.utils.io_utils, kcore.utils.np_utils
        import kcore.utils.layer_utils
        print(sorted(m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'pytensor')))
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout == '[]\n'
