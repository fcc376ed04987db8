"""Input/output helpers (``keras.utils.io_utils``): an HDF5 dataset used like an array,
saving one array to a file, and asking before overwriting a file."""
import os

import numpy as np


class HDF5Matrix:
    """Rows ``start:end`` of an HDF5 dataset, usable where a numpy array is expected.

    ``HDF5Matrix('input/file.hdf5', 'data')`` reads rows on demand: ``len``,
    ``shape``, integer, slice and index-list access (any order, as shuffled
    batches need). ``normalizer``, if given, is applied to every slice read.
    The file is opened read-only; ``close()`` releases it.
    """

    def __init__(self, datapath, dataset, start=0, end=None, normalizer=None):
        import h5py
        self.datapath = os.fspath(datapath)
        if not os.path.exists(self.datapath):
            raise FileNotFoundError('HDF5Matrix: no such file: %r.' % self.datapath)
        self._file = h5py.File(self.datapath, 'r')
        if dataset not in self._file or not isinstance(self._file[dataset], h5py.Dataset):
            names = []
            self._file.visititems(
                lambda name, obj: names.append(name) if isinstance(obj, h5py.Dataset) else None)
            self._file.close()
            raise KeyError('HDF5Matrix: %r has no dataset %r; its datasets are: %s.'
                           % (self.datapath, dataset, ', '.join(names) or 'none'))
        self.data = self._file[dataset]
        total = len(self.data)
        end = total if end is None else end
        if not 0 <= start <= end <= total:
            self._file.close()
            raise ValueError('HDF5Matrix: rows start=%r to end=%r do not fit dataset %r of %r, '
                             'which has %d rows.' % (start, end, dataset, self.datapath, total))
        self.start, self.end = int(start), int(end)
        self.normalizer = normalizer

    def __len__(self):
        return self.end - self.start

    @property
    def shape(self):
        return (len(self),) + tuple(self.data.shape[1:])

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def ndim(self):
        return len(self.shape)

    @property
    def size(self):
        return int(np.prod(self.shape))

    def __getitem__(self, key):
        if isinstance(key, slice):
            rows = self._read_slice(key)
        elif isinstance(key, (int, np.integer)):
            rows = self.data[self._row(int(key))]
        else:
            rows = self._read_rows(key)
        return self.normalizer(rows) if self.normalizer is not None else rows

    def __array__(self, dtype=None, copy=None):
        rows = self[:]
        return np.asarray(rows, dtype=dtype)

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    def close(self):
        """Close the HDF5 file; the matrix cannot be read afterwards."""
        self._file.close()

    def _row(self, index):
        if not -len(self) <= index < len(self):
            raise IndexError('HDF5Matrix: index %d is out of range for %d rows.'
                             % (index, len(self)))
        return self.start + index % len(self)

    def _read_slice(self, key):
        begin, stop, step = key.indices(len(self))
        if step < 0:
            return self._read_rows(np.arange(begin, stop, step))
        return self.data[self.start + begin:self.start + max(begin, stop):step]

    def _read_rows(self, key):
        """Read arbitrary rows: h5py wants increasing unique indices, so sort and reorder."""
        index = np.asarray(key)
        if index.dtype == bool:
            if index.shape != (len(self),):
                raise IndexError('HDF5Matrix: a boolean index needs %d entries; got shape %s.'
                                 % (len(self), index.shape))
            index = np.flatnonzero(index)
        if index.ndim != 1 or (index.size and not np.issubdtype(index.dtype, np.integer)):
            raise IndexError('HDF5Matrix: expected an int, a slice or a list of row indices; '
                             'got %r.' % (key,))
        n = len(self)
        if index.size and (index.min() < -n or index.max() >= n):
            raise IndexError('HDF5Matrix: indices from %d to %d are out of range for %d rows.'
                             % (index.min(), index.max(), n))
        rows = self.start + np.mod(index.astype('int64'), max(n, 1))
        unique, inverse = np.unique(rows, return_inverse=True)
        if not unique.size:
            return np.empty((0,) + self.shape[1:], dtype=self.dtype)
        return self.data[unique.tolist()][inverse]


# The dataset save_array writes. Keras 1 used a bcolz folder; kcore writes one HDF5 file
# with h5py, which kcore already needs for weights.
ARRAY_DATASET = 'array'


def save_array(array, name):
    """Write ``array`` to the HDF5 file ``name`` (one dataset), replacing it whole: the
    data goes to a temporary file beside it that is then renamed."""
    from kcore.engine import hdf5_format
    array = np.asarray(array)
    hdf5_format.write_atomically(name, lambda f: f.create_dataset(ARRAY_DATASET, data=array))


def load_array(name):
    """The numpy array :func:`save_array` wrote to the file ``name``."""
    from kcore.engine import hdf5_format
    with hdf5_format.open_for_reading(name) as f:
        if ARRAY_DATASET not in f:
            raise ValueError('%r was not written by save_array: it has no dataset %r (its top '
                             'level holds: %s).' % (os.fspath(name), ARRAY_DATASET,
                                                   ', '.join(f.keys()) or 'nothing'))
        return f[ARRAY_DATASET][()]


def ask_to_proceed_with_overwrite(filepath):
    """Ask on the terminal whether to overwrite ``filepath``; True for yes, False for no.
    Asks again until the answer is y, yes, n or no (any case)."""
    answer = input('[WARNING] %s already exists - overwrite? [y/n] ' % filepath)
    while answer.strip().lower() not in ('y', 'yes', 'n', 'no'):
        answer = input('Enter "y" (overwrite) or "n" (cancel). ')
    return answer.strip().lower() in ('y', 'yes')
