"""The HDF5 layout of Keras 1.x weight and model files, read and written with h5py.

A weight group has the attribute ``layer_names`` (a list of byte strings) and one
sub-group per layer, each with the attribute ``weight_names`` and one dataset per
weight. kcore adds provenance attributes (``kcore_version``, ``backend``,
``image_dim_ordering``) and, on each kernel dataset, the ``dim_ordering`` of the layer
that owns it; Keras 1.x readers ignore them.
"""
import contextlib
import json
import os
import re
import sys
import warnings

import numpy as np

from kcore.utils import io_utils
from kcore.utils.io_utils import ask_to_proceed_with_overwrite

# HDF5 keeps attributes in the object header, which holds at most 64 KiB: longer
# name lists are split into key0, key1, ... (as later Keras versions do).
_ATTR_LIMIT = 64000

# The ':0' that TensorFlow appends to a variable's name (the index of its op's output).
_OUTPUT_INDEX = re.compile(r':\d+$')


def h5py():
    """The h5py module, or an ImportError that says how to get it."""
    try:
        import h5py as module
    except ImportError:
        raise ImportError('Saving and loading HDF5 files needs h5py: pip install h5py') from None
    return module


def text(value):
    """A str from an attribute value as h5py returns it (str, bytes, numpy bytes)."""
    if isinstance(value, np.ndarray) and value.shape == ():
        value = value[()]
    if isinstance(value, (bytes, np.bytes_)):
        return bytes(value).decode('utf8')
    return str(value)


def write_names(attrs, key, names):
    """Store a list of names as fixed-length byte strings, as Keras 1.x files do."""
    encoded = np.array([n.encode('utf8') for n in names], dtype='S') if names else \
        np.zeros((0,), dtype='S1')
    if encoded.nbytes <= _ATTR_LIMIT:
        attrs[key] = encoded
        return
    per_chunk = max(1, _ATTR_LIMIT // encoded.itemsize)
    for i, start in enumerate(range(0, len(encoded), per_chunk)):
        attrs['%s%d' % (key, i)] = encoded[start:start + per_chunk]


def read_names(attrs, key):
    """The list of names stored under ``key`` (or its chunks key0, key1, ...); None if absent."""
    if key in attrs:
        return [text(n) for n in np.atleast_1d(attrs[key])]
    if key + '0' not in attrs:
        return None
    names, i = [], 0
    while '%s%d' % (key, i) in attrs:
        names.extend(text(n) for n in np.atleast_1d(attrs['%s%d' % (key, i)]))
        i += 1
    return names


def json_default(obj):
    """Make configs JSON-serializable: kcore objects, numpy values, functions, classes."""
    if hasattr(obj, 'get_config'):
        return {'class_name': type(obj).__name__, 'config': obj.get_config()}
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, bytes):
        return obj.decode('utf8')
    if callable(obj) and hasattr(obj, '__name__'):
        return obj.__name__
    raise TypeError('Cannot write %r (%s) to a saved model: it is not JSON-serializable.'
                    % (obj, type(obj).__name__))


def write_json(attrs, key, value):
    attrs[key] = json.dumps(value, default=json_default).encode('utf8')


def read_json(attrs, key):
    """The JSON value stored under ``key``, or None if the attribute is absent."""
    raw = attrs.get(key)
    if raw is None:
        return None
    try:
        return json.loads(text(raw))
    except RecursionError:
        raise ValueError('attribute %r is nested too deeply to be a model file\'s JSON.'
                         % key) from None
    except (ValueError, TypeError) as e:   # UnicodeDecodeError is a ValueError
        raise ValueError('attribute %r is not valid JSON: %s' % (key, e)) from None


def write_provenance(attrs):
    """Record which kcore, backend and image ordering wrote the file."""
    import kcore
    from kcore import backend as K
    attrs['kcore_version'] = kcore.__version__.encode('utf8')
    attrs['backend'] = K.backend().encode('utf8')
    attrs['image_dim_ordering'] = K.image_dim_ordering().encode('utf8')


def read_provenance(*groups):
    """The writer record of a file: the first of ``groups`` that has an attribute wins.

    Returns {'backend', 'image_dim_ordering', 'kcore_version'}, None where unknown
    (files written by Keras 1.x record at most the backend).
    """
    source = {}
    for key in ('backend', 'image_dim_ordering', 'kcore_version'):
        found = [g.attrs[key] for g in groups if key in g.attrs]
        source[key] = text(found[0]) if found else None
    return source


def weight_names(weights):
    """Dataset names for ``weights``: each variable's name without a backend's output
    index (TensorFlow's ``dense_1_W:0`` is written ``dense_1_W``, as Keras 1.x wrote it),
    'param_<i>' for unnamed ones, with a suffix where two would collide. Files that carry
    the index still load: weights are read in the order ``weight_names`` lists them."""
    names, seen = [], set()
    for i, w in enumerate(weights):
        name = _OUTPUT_INDEX.sub('', str(getattr(w, 'name', None) or '')) or 'param_%d' % i
        if name in seen:
            name = '%s_%d' % (name, i)
        seen.add(name)
        names.append(name)
    return names


def write_weight_group(group, names, values, orderings=None):
    """Write one dataset per weight and the ``weight_names`` attribute."""
    write_names(group.attrs, 'weight_names', names)
    for i, (name, value) in enumerate(zip(names, values)):
        dataset = group.create_dataset(name, data=np.asarray(value))
        if orderings and orderings[i]:
            dataset.attrs['dim_ordering'] = orderings[i].encode('utf8')


def read_weight_group(group, filepath):
    """[(name, array, dim_ordering or None)] for the weights stored in ``group``."""
    names = read_names(group.attrs, 'weight_names')
    if names is None:
        raise ValueError("%r: group %r has no 'weight_names' attribute, so it is not a layer's "
                         'weight group.' % (filepath, group.name))
    weights = []
    for name in names:
        if name not in group:
            raise ValueError("%r: group %r lists weight %r in 'weight_names' but has no such "
                             'dataset.' % (filepath, group.name, name))
        dataset = group[name]
        ordering = dataset.attrs.get('dim_ordering')
        weights.append((name, dataset[()], text(ordering) if ordering is not None else None))
    return weights


@contextlib.contextmanager
def open_for_reading(filepath):
    """Open an HDF5 file read-only, with errors that name the file."""
    filepath = os.fspath(filepath)
    if not os.path.exists(filepath):
        raise FileNotFoundError('No such file: %r.' % filepath)
    _check_integrity(filepath)
    try:
        f = h5py().File(filepath, 'r')
    except OSError as e:
        raise OSError('Cannot read %r as an HDF5 file: %s' % (filepath, e)) from e
    with f, errors_naming(filepath):
        yield f


def _check_integrity(filepath):
    """A file whose stamped checksum does not match is read first in a child process, where
    a crash or hang of libhdf5 on damaged data stays; if that worked, it was changed on
    purpose (edited with h5py): load it with a warning."""
    try:
        matches = io_utils.checksum_matches(filepath)
    except OSError as e:
        raise OSError('Cannot read %r: %s' % (filepath, e)) from e
    if matches is not False:
        return
    problem = io_utils.probe_hdf5(filepath)
    if problem:
        raise OSError('Cannot load %r: the file is damaged (its content no longer matches the '
                      'checksum kcore stamped when saving it, and %s).' % (filepath, problem))
    warnings.warn('%r was changed after kcore saved it (its checksum does not match), but it '
                  'reads as a valid HDF5 file: loading it.' % filepath, RuntimeWarning,
                  stacklevel=4)


@contextlib.contextmanager
def errors_naming(filepath):
    """Re-raise the errors of reading ``filepath`` (h5py's and JSON's name no file) as
    errors that name it; other errors get a note naming it."""
    try:
        yield
    except RecursionError:
        raise ValueError('Cannot load %r: its content is nested too deeply.' % filepath) \
            from None
    except (KeyError, OSError, ValueError, TypeError) as e:
        message = e.args[0] if isinstance(e, KeyError) and e.args else str(e)
        if filepath in message:
            raise
        kind = OSError if isinstance(e, OSError) else \
            TypeError if isinstance(e, TypeError) else ValueError
        raise kind('Cannot load %r: %s' % (filepath, message)) from e
    except Exception as e:
        if filepath not in str(e) and hasattr(e, 'add_note'):
            e.add_note('(while loading %r)' % filepath)
        raise


def may_write(filepath, overwrite):
    """Whether to write ``filepath``: always with ``overwrite=True`` or a new file.

    With ``overwrite=False`` and an existing file, a person at a terminal is asked
    (as Keras 1 did); without a terminal this raises FileExistsError, so scripts
    never block on a prompt and never clobber a file silently.
    """
    if overwrite or not os.path.exists(filepath):
        return True
    interactive = all(s is not None and s.isatty() for s in (sys.stdin, sys.stdout))
    if not interactive:
        raise FileExistsError('%r already exists and overwrite=False; pass overwrite=True to '
                              'replace it.' % filepath)
    if ask_to_proceed_with_overwrite(filepath):
        return True
    print('Not saved: %s was left as it was.' % filepath)
    return False


def write_atomically(filepath, write):
    """Call ``write(h5_file)`` on a new file beside ``filepath``, then move it into place.

    If anything fails, the temporary file is removed and an existing ``filepath``
    is left untouched.
    """
    folder = os.path.dirname(os.path.abspath(filepath))
    if not os.path.isdir(folder):
        raise FileNotFoundError('Cannot save %r: the folder %r does not exist.'
                                % (filepath, folder))
    if os.path.isdir(filepath):
        raise IsADirectoryError('Cannot save to %r: it is a folder.' % filepath)
    io_utils.remove_stale_temporaries(filepath)
    tmp = io_utils.temporary_path(filepath, '.tmp')
    try:
        # The user block holds the checksum that loading checks before libhdf5 parses.
        with h5py().File(tmp, 'w-', userblock_size=io_utils.USERBLOCK_SIZE) as f:
            write(f)
        io_utils.stamp_checksum(tmp)
        os.replace(tmp, filepath)
    except BaseException as e:
        if os.path.exists(tmp):
            os.remove(tmp)
        # h5py may report a failed write as a RuntimeError while closing, after the OSError.
        cause = e if isinstance(e, OSError) else e.__context__
        if isinstance(cause, OSError) and str(filepath) not in str(e):
            # A full disk or a file size limit: say which save failed.
            message = 'Cannot save %r: %s' % (str(filepath), cause)
            raise (OSError(cause.errno, message) if cause.errno else OSError(message)) from e
        raise
