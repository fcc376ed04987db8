"""Where PyTensor keeps its compiled C code, found the way PyTensor finds it but without
importing PyTensor (so ``kcore info`` stays fast): ``compiledir`` or ``base_compiledir`` in
``PYTENSOR_FLAGS``, else in the ``PYTENSORRC`` files (default ``~/.pytensorrc``), else
PyTensor's default ``~/.pytensor``. kcore-theano itself sets neither.
"""
import configparser
import os
import shlex


def _flags():
    """PYTENSOR_FLAGS as a dict (comma-separated key=value; a later key wins)."""
    splitter = shlex.shlex(os.environ.get('PYTENSOR_FLAGS', ''), posix=True)
    splitter.whitespace, splitter.whitespace_split = ',', True
    pairs = (item.strip().split('=', 1) for item in splitter)
    return {pair[0]: pair[1] for pair in pairs if len(pair) == 2}


def _rc_files():
    """The PYTENSORRC files' ``[global]`` section (files to the right win)."""
    paths = [os.path.expanduser(p)
             for p in os.environ.get('PYTENSORRC', '~/.pytensorrc').split(os.pathsep)]
    parser = configparser.RawConfigParser()
    try:
        parser.read(paths)
    except configparser.Error:
        return {}
    return dict(parser['global']) if parser.has_section('global') else {}


def location():
    """``(folder, how it was chosen)``: PyTensor's compiledir where it is set explicitly,
    else its base_compiledir (which holds one compiledir per platform and Python)."""
    for source, values in (('PYTENSOR_FLAGS', _flags()), ('PYTENSORRC', _rc_files())):
        for key in ('compiledir', 'base_compiledir'):
            if values.get(key):
                return os.path.abspath(os.path.expanduser(values[key])), '%s %s' % (source, key)
    return os.path.join(os.path.expanduser('~'), '.pytensor'), "PyTensor's default"
