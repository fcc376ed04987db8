"""Native libraries: the first-use build line, the plugins' ``native_libraries`` hook,
``kcore build`` and the cache folders in ``kcore info``. Builds use a tiny C++ source (the real
TensorFlow kernel takes a minute); kcore-theano's real library is built once (seconds)."""
import importlib.util
import os
import re

import pytest

from kcore import cli, native, plugins
from kcore_test_helpers.processes import run_python
from kcore_test_helpers.session import BACKEND

TINY = 'extern "C" int kcore_tiny() { return 42; }\n'

# Two fake plugins: one backend with a library that builds, one whose library fails to compile.
GOOD_PLUGIN = '''
import os
from kcore import native
from kcore.plugins import hookimpl

def build():
    return native.build('kcore_fake_tiny', [os.environ['TINY_SOURCE']])

@hookimpl
def register_backends(register):
    register('fakeback', 'json:dumps')

@hookimpl
def native_libraries():
    return [native.Library('kcore_fake_tiny', 'the tiny test kernel', build, seconds=7)]
'''

BAD_PLUGIN = '''
import os
from kcore.native import Library, build as native_build
from kcore.plugins import hookimpl

def build():
    return native_build('kcore_fake_broken', [os.environ['BROKEN_SOURCE']])

@hookimpl
def native_libraries():
    # the builder as an import path, imported when built
    return [Library('kcore_fake_broken', 'a kernel that does not compile',
                    'kcore_fake_broken:build')]
'''


@pytest.fixture
def tiny(tmp_path, monkeypatch):
    """A fresh kernel cache, a C++ source that compiles and one that does not."""
    monkeypatch.setenv('KCORE_CACHE_DIR', str(tmp_path / 'cache'))
    source, broken = tmp_path / 'tiny.cc', tmp_path / 'broken.cc'
    source.write_text(TINY)
    broken.write_text('int broken( { return }\n')
    monkeypatch.setenv('TINY_SOURCE', str(source))
    monkeypatch.setenv('BROKEN_SOURCE', str(broken))
    return str(source)


@pytest.fixture
def fake_libraries(fake_dists, tiny, monkeypatch):
    """Only the two fake plugins are loaded (not the real backends' minute-long builds)."""
    fake_dists('kcore-fake-good', GOOD_PLUGIN)
    fake_dists('kcore-fake-broken', BAD_PLUGIN)
    monkeypatch.setenv('KCORE_PLUGINS', 'kcore-fake-good,kcore-fake-broken')
    plugins.reset()


def test_the_first_build_prints_one_line_and_a_cache_hit_prints_nothing(tiny, capsys, tmp_path):
    path = native.build('kcore_test_tiny', [tiny])
    err = capsys.readouterr().err.splitlines()
    assert err[0] == ('kcore: building the native library kcore_test_tiny: built once per '
                      'machine, cached in %s' % (tmp_path / 'cache'))
    assert re.fullmatch(r'kcore: built kcore_test_tiny in \d+ s\.', err[1]) and len(err) == 2
    assert native.build('kcore_test_tiny', [tiny]) == path
    assert capsys.readouterr() == ('', '')


def test_a_declared_library_is_named_with_its_plugin_and_time(fake_libraries, capsys, tmp_path):
    library = next(lib for lib in native.libraries()[0] if lib.name == 'kcore_fake_tiny')
    library.build()
    err = capsys.readouterr().err.splitlines()
    assert err[0] == ('kcore-fake-good: building the tiny test kernel: native code, built once '
                      'per machine (about 7 s), cached in %s' % (tmp_path / 'cache'))
    assert err[1].startswith('kcore-fake-good: built the tiny test kernel in ')


@pytest.mark.parametrize('plugin, name, backend', [
    ('kcore-tf', 'kcore_tf_lstm', 'tensorflow'),
    ('kcore-theano', 'kcore_theano_native', 'theano')])
def test_the_backends_declare_the_libraries_their_builders_build(plugin, name, backend,
                                                                 monkeypatch):
    if importlib.util.find_spec(plugin.replace('-', '_')) is None:
        pytest.skip('%s is not installed' % plugin)
    libraries, failed = native.libraries()
    assert not failed and name in [lib.name for lib in libraries]
    if backend != BACKEND:   # the builder imports its backend's library: checked in its run
        return
    library = next(lib for lib in libraries if lib.name == name)
    assert library.plugin == plugin and library.description and library.seconds > 0
    built = []
    monkeypatch.setattr(native, 'build', lambda name, *args, **kwargs: built.append(name))
    library.build()   # imports the builder (and its backend library), builds nothing
    assert built == [name]


def test_kcore_build_builds_once_then_reports_cached(fake_libraries, capsys, tmp_path):
    assert cli.main(['build', '--backend', 'fakeback']) == 0
    out, err = capsys.readouterr()
    assert out.splitlines()[0] == 'cache: %s' % (tmp_path / 'cache')
    assert re.fullmatch(r'kcore-fake-good: the tiny test kernel \[kcore_fake_tiny\]: built in '
                        r'\d+ s', out.splitlines()[1])
    assert 'broken' not in out and err == ''   # --backend limits it; no first-use line
    assert cli.main(['build', '--backend', 'fakeback']) == 0
    assert capsys.readouterr().out.splitlines()[1].endswith('[kcore_fake_tiny]: already cached')


def test_kcore_build_reports_a_failed_build_with_its_reason(fake_libraries, capsys):
    assert cli.main(['build']) == 1
    out = capsys.readouterr().out
    assert '[kcore_fake_tiny]: built in ' in out   # the others still build
    failed = re.search(r'kcore-fake-broken: a kernel that does not compile \[kcore_fake_broken\]: '
                       r'failed: building kcore_fake_broken from \S*broken.cc failed', out)
    assert failed and 'error' in out[failed.end():]   # the compiler's message follows


def test_kcore_build_reports_a_hook_that_fails_and_an_unknown_backend(fake_dists, tiny, capsys,
                                                                       monkeypatch):
    fake_dists('kcore-fake-hook', '''
        from kcore.plugins import hookimpl

        @hookimpl
        def native_libraries():
            raise ImportError('no compiler toolkit here')
        ''')
    monkeypatch.setenv('KCORE_PLUGINS', 'kcore-fake-hook')
    assert cli.main(['build']) == 1
    assert ('kcore-fake-hook: could not list its native libraries: ImportError: no compiler '
            'toolkit here' in capsys.readouterr().out)
    assert cli.main(['build', '--backend', 'nosuch']) == 2
    assert "no backend 'nosuch' is installed" in capsys.readouterr().err


@pytest.mark.skipif(BACKEND != 'theano', reason='built in the PyTensor run (~10 s)')
def test_kcore_build_builds_the_real_theano_library(tiny, capsys):
    assert cli.main(['build', '--backend', 'theano']) == 0
    assert re.search(r'kcore-theano: .* \[kcore_theano_native\]: built in \d+ s',
                     capsys.readouterr().out)
    assert cli.main(['build', '--backend', 'theano']) == 0
    assert '[kcore_theano_native]: already cached' in capsys.readouterr().out
    assert [f for f in os.listdir(os.environ['KCORE_CACHE_DIR'])
            if f.startswith('kcore_theano_native-') and f.endswith('.so')]


def test_info_lists_the_cache_folders_and_their_sizes(tmp_path, monkeypatch):
    cache = tmp_path / 'cache'
    cache.mkdir()
    (cache / 'a.so').write_bytes(b'x' * 1500)
    (cache / 'b.so').write_bytes(b'x' * 500)
    (cache / 'pytensor').mkdir()   # another cache inside it is not counted as kernels
    (cache / 'pytensor' / 'mod.so').write_bytes(b'x' * 100)
    monkeypatch.setenv('KCORE_CACHE_DIR', str(cache))
    monkeypatch.setenv('PYTENSOR_FLAGS', 'floatX=float32,base_compiledir=%s' % (cache / 'pytensor'))
    # In a fresh process: kcore info imports neither TensorFlow nor PyTensor, and builds nothing.
    result = run_python('import sys\nfrom kcore import cli\ncli.main(["info"])\n'
                        'print(sorted({"tensorflow", "pytensor", "jax"} & set(sys.modules)))')
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[-1] == '[]'
    assert '  kcore: native kernels: %s (2 files, 2.0 KB)' % cache in lines
    if importlib.util.find_spec('kcore_theano') is not None:
        assert ("  kcore-theano: PyTensor's compiled C code (PYTENSOR_FLAGS base_compiledir): "
                '%s (1 file, 100 bytes)' % (cache / 'pytensor') in lines)
    assert sorted(os.listdir(cache)) == ['a.so', 'b.so', 'pytensor']


def test_info_says_when_a_cache_folder_is_not_there_yet(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv('KCORE_CACHE_DIR', str(tmp_path / 'nothing'))
    assert cli.main(['info']) == 0
    assert ('  kcore: native kernels: %s (not there yet)' % (tmp_path / 'nothing')
            in capsys.readouterr().out.splitlines())


def test_pytensors_folder_as_pytensor_finds_it(tmp_path, monkeypatch):
    compiledir = pytest.importorskip('kcore_theano.compiledir')
    monkeypatch.delenv('PYTENSOR_FLAGS', raising=False)
    monkeypatch.setenv('PYTENSORRC', str(tmp_path / 'missing.rc'))
    monkeypatch.setenv('HOME', str(tmp_path))
    assert compiledir.location() == (str(tmp_path / '.pytensor'), "PyTensor's default")
    rc = tmp_path / 'pytensorrc'
    rc.write_text('[global]\nbase_compiledir = ~/from_rc\n')
    monkeypatch.setenv('PYTENSORRC', str(rc))
    assert compiledir.location() == (str(tmp_path / 'from_rc'), 'PYTENSORRC base_compiledir')
    monkeypatch.setenv('PYTENSOR_FLAGS', 'compiledir=%s,base_compiledir=/elsewhere' % tmp_path)
    assert compiledir.location() == (str(tmp_path), 'PYTENSOR_FLAGS compiledir')
