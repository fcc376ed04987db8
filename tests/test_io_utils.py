"""kcore.utils.io_utils: HDF5Matrix (an HDF5 dataset read like a numpy array),
save_array/load_array and the overwrite prompt."""
import os

import h5py
import numpy as np
import pytest

from kcore.utils.io_utils import (HDF5Matrix, ask_to_proceed_with_overwrite, load_array,
                                  save_array)


@pytest.fixture
def datafile(tmp_path):
    path = tmp_path / 'file.hdf5'
    with h5py.File(path, 'w') as f:
        f['data'] = np.arange(40, dtype='float32').reshape(10, 4)
        f.create_group('group')['labels'] = np.arange(10)
    return str(path)


def test_reads_the_whole_dataset_like_an_array(datafile):
    x = HDF5Matrix(datafile, 'data')
    assert len(x) == 10 and x.shape == (10, 4) and x.ndim == 2 and x.size == 40
    assert x.dtype == np.float32
    np.testing.assert_array_equal(np.asarray(x), np.arange(40).reshape(10, 4))
    x.close()


def test_start_and_end_select_rows(datafile):
    x = HDF5Matrix(datafile, 'data', start=2, end=6)
    reference = np.arange(40).reshape(10, 4)[2:6]
    assert x.shape == (4, 4)
    np.testing.assert_array_equal(x[0], reference[0])
    np.testing.assert_array_equal(x[-1], reference[-1])
    np.testing.assert_array_equal(x[1:3], reference[1:3])
    np.testing.assert_array_equal(x[1:], reference[1:])
    np.testing.assert_array_equal(x[::-2], reference[::-2])
    np.testing.assert_array_equal(x[:100], reference)
    np.testing.assert_array_equal(list(x)[2], reference[2])


def test_index_lists_in_any_order_as_shuffled_batches_use(datafile):
    x = HDF5Matrix(datafile, 'data', start=1)
    reference = np.arange(40).reshape(10, 4)[1:]
    np.testing.assert_array_equal(x[[5, 0, 5, 2]], reference[[5, 0, 5, 2]])
    np.testing.assert_array_equal(x[np.array([8, 1])], reference[[8, 1]])
    mask = np.zeros(9, dtype=bool)
    mask[[1, 4]] = True
    np.testing.assert_array_equal(x[mask], reference[mask])
    assert x[[]].shape == (0, 4)


def test_normalizer_is_applied_to_every_read(datafile):
    x = HDF5Matrix(datafile, 'data', normalizer=lambda rows: rows / 40.)
    np.testing.assert_allclose(x[1], np.arange(4, 8) / 40.)
    np.testing.assert_allclose(x[[3, 1]], np.arange(40).reshape(10, 4)[[3, 1]] / 40.)


def test_nested_dataset_paths(datafile):
    np.testing.assert_array_equal(HDF5Matrix(datafile, 'group/labels')[:3], [0, 1, 2])


def test_errors_name_the_file_the_dataset_and_the_rows(datafile, tmp_path):
    with pytest.raises(FileNotFoundError, match='missing.h5'):
        HDF5Matrix(str(tmp_path / 'missing.h5'), 'data')
    with pytest.raises(KeyError, match="no dataset 'nope'.*data, group/labels"):
        HDF5Matrix(datafile, 'nope')
    with pytest.raises(ValueError, match='start=3 to end=20.*10 rows'):
        HDF5Matrix(datafile, 'data', start=3, end=20)
    x = HDF5Matrix(datafile, 'data', end=5)
    with pytest.raises(IndexError, match='index 5 is out of range for 5 rows'):
        x[5]
    with pytest.raises(IndexError, match='out of range for 5 rows'):
        x[[0, 7]]
    with pytest.raises(IndexError, match='expected an int, a slice or a list'):
        x[[0.5]]


# ------------------------------------------------------------ save_array / load_array
def test_save_array_and_load_array_round_trip(tmp_path):
    path = str(tmp_path / 'features')
    x = np.arange(24, dtype='float16').reshape(2, 3, 4)
    save_array(x, path)
    loaded = load_array(path)
    assert loaded.dtype == np.float16
    np.testing.assert_array_equal(loaded, x)
    save_array([1, 2], path)                                # replaced whole
    np.testing.assert_array_equal(load_array(path), [1, 2])
    assert os.listdir(str(tmp_path)) == ['features']       # no temporary file left behind


def test_load_array_errors_name_the_file(tmp_path, datafile):
    with pytest.raises(ValueError, match=r"not written by save_array.*'array'.*data, group"):
        load_array(datafile)
    with pytest.raises(FileNotFoundError, match='nothing.h5'):
        load_array(str(tmp_path / 'nothing.h5'))
    with pytest.raises(FileNotFoundError, match='does not exist'):
        save_array(np.zeros(2), str(tmp_path / 'missing' / 'x'))


# --------------------------------------------------------------- overwrite prompt
@pytest.mark.parametrize('answers, expected', [(['y'], True), (['maybe', ' YES '], True),
                                               (['n'], False), (['', 'No'], False)])
def test_ask_to_proceed_with_overwrite(monkeypatch, answers, expected):
    prompts, replies = [], iter(answers)
    monkeypatch.setattr('builtins.input', lambda prompt: prompts.append(prompt) or next(replies))
    assert ask_to_proceed_with_overwrite('w.h5') is expected
    assert prompts[0] == '[WARNING] w.h5 already exists - overwrite? [y/n] '
    assert prompts[1:] == ['Enter "y" (overwrite) or "n" (cancel). '] * (len(answers) - 1)
