"""Files: the next save or download of a path removes the temporary files interrupted ones
left (only kcore's own, only older than the running process); unreadable files and full
disks give errors that name the file, and never damage the file already there."""
import os
import shutil
import subprocess
import time

import numpy as np
import pytest

from kcore.models import load_model, model_from_json
from kcore.utils import io_utils
from kcore.utils.data_utils import get_file

from fault_tools import dense_model, regression_data, run_python
from kcore_test_helpers.session import BACKEND

X, Y = regression_data(10)
HOUR_AGO = time.time() - 3600


def _stale(folder, name, suffix, when=HOUR_AGO, tag='a1b2c3d4'):
    path = os.path.join(str(folder), '.%s.%s%s' % (name, tag, suffix))
    with open(path, 'wb') as f:
        f.write(b'x' * 1000)
    os.utime(path, (when, when))
    return path


@pytest.mark.parametrize('save', ['save', 'save_weights', 'save_array'])
def test_the_next_save_removes_stale_temporary_files(tmp_path, save):
    target = tmp_path / 'model.h5'
    stale = [_stale(tmp_path, 'model.h5', '.tmp'), _stale(tmp_path, 'model.h5', '.part')]
    fresh = _stale(tmp_path, 'model.h5', '.tmp', when=time.time() + 5, tag='f0e1d2c3')
    others = [_stale(tmp_path, 'other.h5', '.tmp'), _stale(tmp_path, 'model.h5', '.bak'),
              str(tmp_path / 'model.h5.a1b2c3d4.tmp')]
    open(others[-1], 'wb').close()
    os.utime(others[-1], (HOUR_AGO, HOUR_AGO))
    if save == 'save_array':
        io_utils.save_array(np.arange(4), str(target))
    else:
        getattr(dense_model(), save)(str(target))
    assert target.exists()
    assert not any(os.path.exists(p) for p in stale)
    assert os.path.exists(fresh), 'a temporary file newer than this process may be in use'
    assert all(os.path.exists(p) for p in others)


def test_the_next_download_removes_stale_partial_files(tmp_path):
    source = tmp_path / 'source.bin'
    source.write_bytes(b'kcore' * 1000)
    cache = tmp_path / 'cache'
    (cache / 'datasets').mkdir(parents=True)
    stale = _stale(cache / 'datasets', 'data.bin', '.part')
    path = get_file('data.bin', str(source), cache_dir=str(cache))
    assert open(path, 'rb').read() == b'kcore' * 1000
    assert not os.path.exists(stale)


def test_remove_stale_temporaries_matches_only_the_exact_name(tmp_path):
    mine = _stale(tmp_path, 'a.h5', '.tmp')
    prefix_clash = _stale(tmp_path, 'a.h5x', '.tmp')
    assert io_utils.remove_stale_temporaries(str(tmp_path / 'a.h5')) == [mine]
    assert os.path.exists(prefix_clash)


def test_a_dead_writers_temporary_file_is_removed_even_when_fresh(tmp_path):
    dead = subprocess.Popen(['true'])
    dead.wait()
    now = time.time() + 5
    orphan = _stale(tmp_path, 'a.h5', '.tmp', when=now, tag='a1b2c3d4-%d' % dead.pid)
    live = _stale(tmp_path, 'a.h5', '.tmp', when=now, tag='b1b2c3d4-%d' % os.getpid())
    assert io_utils.remove_stale_temporaries(str(tmp_path / 'a.h5')) == [orphan]
    assert os.path.exists(live)
    assert os.path.basename(io_utils.temporary_path(str(tmp_path / 'a.h5'), '.tmp')).endswith(
        '-%d.tmp' % os.getpid())


# ----------------------------------------------------------- unreadable files
def _saved(tmp_path):
    path = str(tmp_path / 'model.h5')
    dense_model().save(path)
    return path


def test_a_non_json_model_config_names_the_file(tmp_path):
    import h5py
    path = _saved(tmp_path)
    with h5py.File(path, 'r+') as f:
        f.attrs['model_config'] = b'{not json'
    with pytest.raises(ValueError) as info:
        load_model(path)
    assert path in str(info.value) and 'model_config' in str(info.value)


@pytest.mark.parametrize('config', [b'[1, 2, 3]', b'42', b'"Sequential"',
                                    b'{"class_name": 7, "config": []}'])
def test_a_model_config_of_the_wrong_type_names_the_file(tmp_path, config):
    import h5py
    path = _saved(tmp_path)
    with h5py.File(path, 'r+') as f:
        f.attrs['model_config'] = config
    with pytest.raises((ValueError, TypeError)) as info:
        load_model(path)
    assert path in str(info.value)


def test_corrupt_hdf5_internals_name_the_file(tmp_path):
    """A file that opens, but one weight's object header is damaged: the error names the
    file (h5py's own message does not)."""
    import h5py
    path = _saved(tmp_path)
    with h5py.File(path, 'r') as f:
        group = f['model_weights'][f['model_weights'].attrs['layer_names'][0].decode()]
        dataset = group[group.attrs['weight_names'][0].decode()]
        header = h5py.h5o.get_info(dataset.id).addr
    with open(path, 'r+b') as f:
        f.seek(header)
        f.write(b'\x07')   # an object header version HDF5 does not know
    with pytest.raises((ValueError, OSError, KeyError)) as info:
        load_model(path)
    assert path in str(info.value)


def _flip_the_stamp(path):
    with open(path, 'r+b') as f:
        f.seek(3)
        f.write(b'\xff')   # the checksum's mark no longer reads


def test_a_damaged_stamp_still_sends_a_damaged_file_to_the_child_probe(tmp_path,
                                                                       monkeypatch):
    """A byte flip in the checksum stamp and another in the content (fuzzing found libhdf5
    crashing in-process on such a file): the file is read in a child process first."""
    import h5py
    from kcore.utils import io_utils
    probed = []
    real_probe = io_utils.probe_hdf5
    monkeypatch.setattr(io_utils, 'probe_hdf5', lambda p: probed.append(p) or real_probe(p))
    path = _saved(tmp_path)
    with h5py.File(path, 'r') as f:
        group = f['model_weights'][f['model_weights'].attrs['layer_names'][0].decode()]
        header = h5py.h5o.get_info(group[group.attrs['weight_names'][0].decode()].id).addr
    with open(path, 'r+b') as f:
        f.seek(header)
        f.write(b'\x07')
    _flip_the_stamp(path)
    with pytest.raises((ValueError, OSError, KeyError)) as info, \
            pytest.warns(RuntimeWarning):   # this damage passes the probe: warned, then named
        load_model(path)
    assert probed == [path]
    assert path in str(info.value)


def test_a_damaged_stamp_on_intact_content_loads_with_a_warning(tmp_path):
    path = _saved(tmp_path)
    _flip_the_stamp(path)
    with pytest.warns(RuntimeWarning, match='checksum does not match'):
        load_model(path)


def test_a_truncated_file_names_the_file(tmp_path):
    path = _saved(tmp_path)
    size = os.path.getsize(path)
    with open(path, 'r+b') as f:
        f.truncate(size // 2)
    with pytest.raises(OSError) as info:
        load_model(path)
    assert path in str(info.value)


def test_model_from_json_refuses_deep_nesting_without_recursion_error():
    deep = '[' * 100000 + ']' * 100000
    with pytest.raises(ValueError):
        model_from_json(deep)


# ------------------------------------------------------------------ disk full
FULL_DISK_CHILD = '''
import os, resource, signal, sys
import numpy as np
from kcore.layers import Dense
from kcore.models import Sequential
path = sys.argv[1] if len(sys.argv) > 1 else os.environ['TARGET']
small = Sequential([Dense(2, input_dim=2)])
small.save(path)
before = open(path, 'rb').read()
big = Sequential([Dense(1000, input_dim=1000)])
if os.environ.get('LIMIT'):
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    limit = int(os.environ['LIMIT'])
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
try:
    big.save(path)
except OSError as e:
    print('ERROR', str(e).replace(chr(10), ' '))
else:
    print('SAVED')
print('INTACT', open(path, 'rb').read() == before)
print('LEFT', sorted(n for n in os.listdir(os.path.dirname(path)) if n.startswith('.')))
'''


def _check_full_disk(out, path):
    lines = dict(line.split(' ', 1) for line in out.splitlines() if ' ' in line)
    assert 'ERROR' in lines, out
    assert path in lines['ERROR'], 'the error should name the file: ' + lines['ERROR']
    assert lines['INTACT'] == 'True', 'the file saved before was damaged'
    assert lines['LEFT'] == '[]', 'temporary files left behind: ' + lines['LEFT']


def test_a_file_size_limit_is_an_error_naming_the_file(tmp_path):
    path = str(tmp_path / 'model.h5')
    code, out, err = run_python(FULL_DISK_CHILD, TARGET=path, LIMIT=200000,
                                KCORE_BACKEND=BACKEND)
    assert code == 0, err[-3000:]
    _check_full_disk(out, path)


def _mount_tiny_tmpfs(folder):
    if os.geteuid() != 0 or shutil.which('mount') is None:
        pytest.skip('a tiny filesystem needs root and mount(8): running as uid %d'
                    % os.geteuid())
    result = subprocess.run(['mount', '-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', str(folder)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip('cannot mount a tmpfs here (%s)' % result.stderr.strip())


def test_a_full_disk_is_an_error_naming_the_file(tmp_path):
    folder = tmp_path / 'tiny'
    folder.mkdir()
    _mount_tiny_tmpfs(folder)
    try:
        path = str(folder / 'model.h5')
        code, out, err = run_python(FULL_DISK_CHILD, TARGET=path, KCORE_BACKEND=BACKEND)
        assert code == 0, err[-3000:]
        _check_full_disk(out, path)
    finally:
        subprocess.run(['umount', str(folder)], capture_output=True)
