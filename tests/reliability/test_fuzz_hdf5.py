"""Fuzzing the HDF5 model loader: byte flips, truncation, model configs of the wrong type and
deep nesting. Every damaged file gives an error that names it, never a crash or a hang
(a watchdog ends the whole run with a traceback if libhdf5 ever stops answering)."""
import faulthandler
import json
import os
import shutil

import pytest

hypothesis = pytest.importorskip('hypothesis')
from hypothesis import given, strategies as st  # noqa: E402

from kcore.models import load_model  # noqa: E402
from kcore.utils import io_utils  # noqa: E402

from fault_tools import count, dense_model  # noqa: E402

WATCHDOG = 120   # seconds one load may take before the run is ended with a traceback


@pytest.fixture(scope='module')
def saved_model(tmp_path_factory):
    folder = tmp_path_factory.mktemp('fuzz_hdf5')
    path = str(folder / 'original.h5')
    dense_model().save(path)
    return path


@pytest.fixture
def work_copy(saved_model, tmp_path):
    def make():
        path = str(tmp_path / 'damaged.h5')
        shutil.copyfile(saved_model, path)
        return path
    return make


def _load_names_the_file(path):
    count('fuzz_examples')
    faulthandler.dump_traceback_later(WATCHDOG, exit=True)
    try:
        load_model(path)
    except Exception as e:   # noqa: BLE001 - every error must name the file
        text = str(e) + ' '.join(getattr(e, '__notes__', []))
        assert path in text, 'the error does not name the file: %s: %s' % (type(e).__name__, e)
    finally:
        faulthandler.cancel_dump_traceback_later()


@given(flips=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(1, 255)),
                      min_size=1, max_size=8))
def test_byte_flips(work_copy, flips):
    path = work_copy()
    raw = bytearray(open(path, 'rb').read())
    for where, mask in flips:
        raw[int(where * len(raw))] ^= mask
    with open(path, 'wb') as f:
        f.write(raw)
    count('byte_flips', len(flips))
    _load_names_the_file(path)


@given(st.floats(0, 1, exclude_max=True))
def test_truncation(work_copy, fraction):
    path = work_copy()
    size = os.path.getsize(path)
    with open(path, 'r+b') as f:
        f.truncate(int(size * fraction))
    with pytest.raises(Exception) as info:
        _load_names_the_file_strict(path)
    assert path in str(info.value)


def _load_names_the_file_strict(path):
    count('fuzz_examples')
    faulthandler.dump_traceback_later(WATCHDOG, exit=True)
    try:
        load_model(path)
    finally:
        faulthandler.cancel_dump_traceback_later()


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=6)),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.text(max_size=6), inner, max_size=3)),
    max_leaves=10)


def _rewrite_attribute(path, key, value):
    """Change one root attribute the way a user's h5py edit would, and stamp the file again
    so that the loader's checks behind the checksum are the ones tested."""
    import h5py
    with h5py.File(path, 'r+') as f:
        f.attrs[key] = value
    if io_utils.checksum_matches(path) is not None:
        io_utils.stamp_checksum(path)


@given(st.sampled_from(['model_config', 'training_config']), json_values)
def test_configs_of_the_wrong_type(work_copy, key, value):
    path = work_copy()
    _rewrite_attribute(path, key, json.dumps(value).encode('utf8'))
    _load_names_the_file(path)


# h5py stores bytes attributes as variable-length strings, which cannot hold NUL bytes.
@given(st.sampled_from(['model_config', 'training_config']),
       st.binary(max_size=40).map(lambda b: b.replace(b'\x00', b'')))
def test_configs_that_are_not_json(work_copy, key, value):
    path = work_copy()
    _rewrite_attribute(path, key, value)
    _load_names_the_file(path)


@pytest.mark.parametrize('depth', [100, 100000])
def test_deeply_nested_model_config(work_copy, depth):
    path = work_copy()
    _rewrite_attribute(path, 'model_config',
                       ('{"class_name": "Sequential", "config": %s}'
                        % ('[' * depth + ']' * depth)).encode())
    with pytest.raises(Exception) as info:
        _load_names_the_file_strict(path)
    assert not isinstance(info.value, RecursionError)
    assert path in str(info.value)
