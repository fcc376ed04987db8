"""Reading the datasets' pickle files without running code they might carry.

The files are pickles written by Python 2 (lists, dicts, ints, strings, numpy arrays).
A pickle can name any importable function and have it called while loading; this
unpickler resolves only the numpy and builtin types such files use and refuses
everything else, naming the file and what it asked for.
"""
import gzip
import pickle

import numpy as np

try:   # numpy 2 keeps the array machinery in numpy._core; pickles may name either
    from numpy._core import multiarray as _multiarray
except ImportError:   # numpy 1
    from numpy.core import multiarray as _multiarray


def _allowed():
    import codecs
    names = {}
    for package in ('numpy.core.multiarray', 'numpy._core.multiarray'):
        names[(package, '_reconstruct')] = _multiarray._reconstruct
        names[(package, 'scalar')] = _multiarray.scalar
    names[('numpy', 'ndarray')] = np.ndarray
    names[('numpy', 'dtype')] = np.dtype
    # Python 3 writes bytes for protocol 2 as _codecs.encode(text, 'latin1').
    names[('_codecs', 'encode')] = codecs.encode
    for module in ('builtins', '__builtin__'):
        for name, value in (('set', set), ('frozenset', frozenset), ('bytearray', bytearray),
                            ('complex', complex)):
            names[(module, name)] = value
    return names


ALLOWED = _allowed()


class UnsafePickleError(pickle.UnpicklingError):
    """A pickle asked for a function or class outside the allowed data types."""

    def __init__(self, path, module, name):
        self.path, self.module, self.name = path, module, name
        super().__init__(
            '%s names %s.%s, which is not one of the numpy or builtin types dataset files use; '
            'it was not loaded (a pickle can run code when loaded). If you trust this file, '
            'load it yourself with pickle.' % (path, module, name))


class _Unpickler(pickle.Unpickler):
    def __init__(self, file, path):
        super().__init__(file, encoding='latin1')
        self._path = path

    def find_class(self, module, name):
        try:
            return ALLOWED[(module, name)]
        except KeyError:
            raise UnsafePickleError(self._path, module, name) from None


def load(path):
    """The object pickled in ``path`` (gzip-compressed if it ends with .gz). Python 2
    strings load as text (latin-1), as Keras 1 read them."""
    opener = gzip.open if str(path).endswith('.gz') else open
    with opener(path, 'rb') as f:
        try:
            return _Unpickler(f, path).load()
        except UnsafePickleError:
            raise
        except (pickle.UnpicklingError, EOFError, ValueError, TypeError, OSError) as e:
            raise ValueError('%s is not a readable dataset pickle: %s: %s'
                             % (path, type(e).__name__, e)) from None
