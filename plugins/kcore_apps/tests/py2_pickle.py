"""Pickles as Python 2's cPickle wrote the Keras dataset files (protocol 2): a Python 2
``str`` is a byte string (``Str``), numpy arrays name ``numpy.core.multiarray._reconstruct``.
Python 3 cannot write these itself, so the tests build them opcode by opcode."""
import struct

import numpy as np


class Str(bytes):
    """A Python 2 ``str`` (bytes on the wire, read back as text with latin-1)."""


def dumps(obj):
    out = [b'\x80\x02']   # PROTO 2
    _write(obj, out)
    out.append(b'.')      # STOP
    return b''.join(out)


def _global(module, name):
    return b'c' + module.encode() + b'\n' + name.encode() + b'\n'


def _string(data):
    if len(data) < 256:
        return b'U' + bytes([len(data)]) + data        # SHORT_BINSTRING
    return b'T' + struct.pack('<i', len(data)) + data   # BINSTRING


def _write(obj, out):
    if obj is None:
        out.append(b'N')
    elif isinstance(obj, bool):
        out.append(b'\x88' if obj else b'\x89')
    elif isinstance(obj, (int, np.integer)):
        out.append(b'J' + struct.pack('<i', int(obj)))   # BININT
    elif isinstance(obj, float):
        out.append(b'G' + struct.pack('>d', obj))
    elif isinstance(obj, Str):
        out.append(_string(bytes(obj)))
    elif isinstance(obj, str):
        data = obj.encode('utf-8')
        out.append(b'X' + struct.pack('<I', len(data)) + data)   # BINUNICODE
    elif isinstance(obj, tuple):
        out.append(b'(')
        for item in obj:
            _write(item, out)
        out.append(b't')
    elif isinstance(obj, list):
        out.append(b'](')
        for item in obj:
            _write(item, out)
        out.append(b'e')
    elif isinstance(obj, dict):
        out.append(b'}(')
        for key, value in obj.items():
            _write(key, out)
            _write(value, out)
        out.append(b'u')
    elif isinstance(obj, np.ndarray):
        _write_array(obj, out)
    else:
        raise TypeError('py2_pickle cannot write %r' % type(obj))


def _write_array(array, out):
    # _reconstruct(ndarray, (0,), 'b') then __setstate__((1, shape, dtype, False, raw bytes))
    out.append(_global('numpy.core.multiarray', '_reconstruct'))
    out.append(b'(' + _global('numpy', 'ndarray'))
    _write((0,), out)
    out.append(_string(b'b') + b't' + b'R')
    out.append(b'(')
    _write(1, out)
    _write(tuple(array.shape), out)
    out.append(_global('numpy', 'dtype') + b'(')   # dtype(str, 0, 1) then its state
    out.append(_string(array.dtype.str[1:].encode()))
    _write(0, out)
    _write(1, out)
    out.append(b't' + b'R')
    _write((3, Str(array.dtype.str[0].replace('=', '|').encode()), None, None, None, -1, -1, 0),
           out)
    out.append(b'b')
    out.append(b'\x89')   # not Fortran-ordered
    out.append(_string(np.ascontiguousarray(array).tobytes()))
    out.append(b't' + b'b')   # BUILD
