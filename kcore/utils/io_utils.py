"""Input/output helpers (``keras.utils.io_utils``): an HDF5 dataset used like an array,
saving one array to a file, asking before overwriting a file, and the temporary files that
saves and downloads write beside their target."""
import hashlib
import os
import re
import time
import uuid

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
    from kcore.engine.saving import hdf5_format
    array = np.asarray(array)
    hdf5_format.write_atomically(name, lambda f: f.create_dataset(ARRAY_DATASET, data=array))


def load_array(name):
    """The numpy array :func:`save_array` wrote to the file ``name``."""
    from kcore.engine.saving import hdf5_format
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


# ------------------------------------------------------------ temporary files
# Saves write '.<name>.<8 chars>.tmp' and downloads '.<name>.<8 chars>.part' beside the
# file <name>, then rename. A process killed in between leaves that file behind; the next
# save or download of the same path removes it.
TEMP_SUFFIXES = ('.tmp', '.part')


def temporary_path(filepath, suffix):
    """A new hidden path beside ``filepath`` in kcore's temporary-file pattern."""
    if suffix not in TEMP_SUFFIXES:
        raise ValueError('temporary_path: suffix must be one of %s; got %r.'
                         % (', '.join(TEMP_SUFFIXES), suffix))
    folder, name = os.path.split(os.path.abspath(os.fspath(filepath)))
    # The writer's process id lets a later save tell a dead writer's file from a live one's.
    return os.path.join(folder, '.%s.%s-%d%s' % (name, uuid.uuid4().hex[:8], os.getpid(),
                                                 suffix))


def _temp_pattern(name):
    # 8 characters: uuid hex as written now, or tempfile.mkstemp's alphabet (older downloads);
    # then the writer's process id, absent from names written by older versions.
    return re.compile(r'\.%s\.[a-z0-9_]{8}(?:-(\d+))?(?:%s)\Z'
                      % (re.escape(name), '|'.join(re.escape(s) for s in TEMP_SUFFIXES)))


def _writer_alive(pid):
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:   # exists, owned by someone else
        return True
    return True


def process_start_time():
    """When the running process started (seconds since the epoch). On Linux it is read from
    /proc; elsewhere, the time this module was imported (later, so a little less is removed)."""
    try:
        with open('/proc/self/stat') as f:
            ticks = int(f.read().rsplit(')', 1)[1].split()[19])
        with open('/proc/stat') as f:
            boot = next(int(line.split()[1]) for line in f if line.startswith('btime'))
        return boot + ticks / os.sysconf('SC_CLK_TCK')
    except (OSError, ValueError, IndexError, StopIteration, AttributeError):
        return _IMPORTED


_IMPORTED = time.time()


def remove_stale_temporaries(filepath):
    """Remove the temporary files that interrupted saves or downloads of ``filepath`` left:
    only names in kcore's own pattern for that file, last written before this process
    started (a live writer's file is newer) or, for names that record their writer, written
    by a process that no longer runs. Returns the paths removed."""
    folder, name = os.path.split(os.path.abspath(os.fspath(filepath)))
    pattern = _temp_pattern(name)
    # One second of margin: /proc's start time has clock-tick precision.
    started = process_start_time() - 1.0
    removed = []
    try:
        entries = os.listdir(folder)
    except OSError:
        return removed
    for entry in entries:
        match = pattern.match(entry)
        if not match:
            continue
        path = os.path.join(folder, entry)
        writer = match.group(1)
        try:
            if writer is not None:
                stale = not _writer_alive(int(writer))
            else:
                stale = os.stat(path).st_mtime < started
            if stale and os.path.isfile(path) and not os.path.islink(path):
                os.remove(path)
                removed.append(path)
        except OSError:   # gone already, or not ours to remove: leave it
            continue
    return removed


# ------------------------------------------------------- checksummed HDF5 files
# kcore's HDF5 files start with a 512-byte user block (HDF5 readers, Keras 1.x's included,
# skip it) holding the SHA-256 of the rest of the file. A damaged file is then refused
# before libhdf5 parses it: on some damaged files libhdf5 loops forever or crashes.
USERBLOCK_SIZE = 512
_CHECKSUM_MARK = b'kcore-sha256 '
_HDF5_SIGNATURE = b'\x89HDF\r\n\x1a\n'   # where the superblock starts


def _digest(f):
    f.seek(USERBLOCK_SIZE)
    digest = hashlib.sha256()
    for chunk in iter(lambda: f.read(1 << 20), b''):
        digest.update(chunk)
    return digest.hexdigest().encode('ascii')


def stamp_checksum(filepath):
    """Write the SHA-256 of ``filepath`` (past its user block) into its user block; the file
    must have been created with ``userblock_size=USERBLOCK_SIZE``."""
    with open(filepath, 'r+b') as f:
        stamp = _CHECKSUM_MARK + _digest(f) + b'\n'
        f.seek(0)
        f.write(stamp)
        f.flush()
        os.fsync(f.fileno())


def checksum_matches(filepath):
    """True if the file's stamped checksum matches its content, False if it does not (or
    the stamp itself is damaged: a user block of kcore's size without a readable stamp),
    None for a file without one (written by Keras 1.x or an older kcore; not HDF5)."""
    with open(filepath, 'rb') as f:
        head = f.read(USERBLOCK_SIZE)
        if not head.startswith(_CHECKSUM_MARK):
            return False if f.read(len(_HDF5_SIGNATURE)) == _HDF5_SIGNATURE else None
        expected = head[len(_CHECKSUM_MARK):len(_CHECKSUM_MARK) + 64]
        return _digest(f) == expected


_PROBE = '''
import sys, h5py
def visit(name, obj):
    for key in obj.attrs:
        obj.attrs[key]
    if isinstance(obj, h5py.Dataset):
        obj[()]
with h5py.File(sys.argv[1], 'r') as f:
    for key in f.attrs:
        f.attrs[key]
    f.visititems(visit)
'''


def probe_hdf5(filepath, timeout=60):
    """Read every attribute and dataset of ``filepath`` in a separate interpreter; return
    None if that worked, else why not (a crash or a hang of libhdf5 stays there)."""
    import subprocess
    import sys
    try:
        result = subprocess.run([sys.executable, '-c', _PROBE, os.fspath(filepath)],
                                capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return 'reading it did not finish within %d s' % timeout
    if result.returncode == 0:
        return None
    if result.returncode < 0:
        return 'reading it crashed the HDF5 library (signal %d)' % -result.returncode
    lines = result.stderr.strip().splitlines()
    return lines[-1] if lines else 'reading it failed (exit code %d)' % result.returncode
