"""``kcore run SCRIPT.py [args]`` and ``kcore run -m MODULE [args]``: run a Keras 1 program
with :mod:`kcore.compat.keras1` installed, as ``python SCRIPT.py`` would run it."""
import builtins
import importlib.machinery
import importlib.util
import io
import os
import runpy
import sys
import types

from kcore.compat import keras1

# Modules whose frames start the program: left out of its tracebacks.
_RUNNER_MODULES = frozenset({__name__, runpy.__name__})
USAGE = 'kcore run SCRIPT.py [args ...]  or  kcore run -m MODULE [args ...]'


def main(program):
    """Run ``program`` (``[SCRIPT.py, args...]`` or ``['-m', MODULE, args...]``); return the
    exit status."""
    if program[:1] == ['-m']:
        if len(program) < 2:
            return _usage_error('-m needs the name of a module.')
        return run_module(program[1], program[2:])
    if not program:
        return _usage_error('give the script to run.')
    return run_path(program[0], program[1:])


def _usage_error(message):
    print('kcore run: %s Usage: %s' % (message, USAGE), file=sys.stderr)
    return 2


def run_path(path, args=()):
    """Run the file ``path`` as ``__main__`` with ``sys.argv = [path, *args]`` and the file's
    folder first on ``sys.path``; return the exit status (a SystemExit passes through)."""
    if not os.path.exists(path):
        return _usage_error('cannot open file %r: no such file.' % path)
    keras1.install()
    sys.argv[:] = [path, *args]
    sys.path[0] = os.path.dirname(os.path.realpath(path))
    if not os.path.isfile(path):  # a folder or zip file with a __main__.py
        return _run(runpy.run_path, path, run_name='__main__')
    return _run(_run_file, path)


def _run_file(path):
    """Run the file ``path`` as module ``__main__``, as ``python path`` does (``__file__`` is
    absolute, ``sys.argv[0]`` stays as given, which runpy.run_path would change)."""
    filename = os.path.abspath(path)
    with io.open_code(filename) as f:
        code = compile(f.read(), filename, 'exec')
    main = types.ModuleType('__main__')
    main.__file__ = filename
    main.__builtins__ = builtins
    main.__loader__ = importlib.machinery.SourceFileLoader('__main__', filename)
    saved = sys.modules['__main__']
    sys.modules['__main__'] = main
    try:
        exec(code, vars(main))
    finally:
        sys.modules['__main__'] = saved


def run_module(name, args=()):
    """Run module ``name`` as ``python -m name`` would (the current folder first on
    ``sys.path``); return the exit status."""
    keras1.install()
    sys.path[0] = os.getcwd()
    try:
        found = importlib.util.find_spec(name) is not None
    except ImportError:
        found = False
    if not found:
        return _usage_error('no module named %r.' % name)
    sys.argv[:] = [name, *args]  # runpy replaces argv[0] with the module's file
    return _run(runpy.run_module, name, run_name='__main__', alter_sys=True)


def _run(runner, *args, **kwargs):
    try:
        runner(*args, **kwargs)
    except Exception as e:  # SystemExit and KeyboardInterrupt pass through as in python
        e.__traceback__ = _program_frames(e.__traceback__)
        sys.excepthook(type(e), e, e.__traceback__)
        return 1
    return 0


def _program_frames(tb):
    """The traceback from the program's first frame on; None where the error came before
    the program ran (a SyntaxError: Python shows only the error then)."""
    start = tb
    while start is not None and start.tb_frame.f_globals.get('__name__') in _RUNNER_MODULES:
        start = start.tb_next
    return start
