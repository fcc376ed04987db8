"""kcore.native.build: the compile cache for the backends' native kernels, with a fake
compiler (the real kernels are tested by the backends' conformance suites)."""
import os
import sys
import textwrap

import pytest

from kcore import native


@pytest.fixture
def fake_compiler(tmp_path, monkeypatch):
    """A 'compiler' that logs its arguments, fails on the flags in $FAIL_ON, and otherwise
    writes the -o file; the cache goes to a fresh folder. Returns the logged calls."""
    script = tmp_path / 'cxx'
    script.write_text(textwrap.dedent('''\
        #!%s
        import os, sys
        with open(os.environ['CXX_LOG'], 'a') as log:
            log.write(' '.join(sys.argv[1:]) + '\\n')
        if any(flag in sys.argv for flag in os.environ.get('FAIL_ON', '').split()):
            sys.exit('error: unsupported flag')
        open(sys.argv[sys.argv.index('-o') + 1], 'w').write('built')
        ''' % sys.executable))
    script.chmod(0o755)
    log = tmp_path / 'log'
    monkeypatch.setenv('CXX', str(script))
    monkeypatch.setenv('CXX_LOG', str(log))
    monkeypatch.setenv('KCORE_CACHE_DIR', str(tmp_path / 'cache'))
    source = tmp_path / 'kernel.cc'
    source.write_text('int kernel() { return 1; }\n')
    return str(source), lambda: log.read_text().splitlines() if log.exists() else []


def test_built_once_then_cached(fake_compiler, tmp_path):
    source, calls = fake_compiler
    path = native.build('demo', [source], ['-lm'], key_parts=['1.0'])
    assert os.path.dirname(path) == str(tmp_path / 'cache')
    assert native.build('demo', [source], ['-lm'], key_parts=['1.0']) == path
    assert len(calls()) == 1
    assert '-march=native' in calls()[0] and native.HEADERS in calls()[0]
    assert os.listdir(tmp_path / 'cache') == [os.path.basename(path)]   # no partial files


def test_the_key_covers_source_flags_and_key_parts(fake_compiler):
    source, calls = fake_compiler
    first = native.build('demo', [source], ['-lm'], key_parts=['1.0'])
    assert native.build('demo', [source], ['-lm'], key_parts=['2.0']) != first
    assert native.build('demo', [source], ['-lz'], key_parts=['1.0']) != first
    with open(source, 'a') as changed:
        changed.write('// changed\n')
    assert native.build('demo', [source], ['-lm'], key_parts=['1.0']) != first
    assert len(calls()) == 4


def test_plainer_flags_when_the_first_fail(fake_compiler, monkeypatch, tmp_path):
    source, calls = fake_compiler
    monkeypatch.setenv('FAIL_ON', '-march=native')
    path = native.build('demo', [source])
    assert len(calls()) == 3 and '-march' not in calls()[2]
    assert os.listdir(tmp_path / 'cache') == [os.path.basename(path)]


def test_failure_reports_the_compiler_messages(fake_compiler, monkeypatch, tmp_path):
    source, calls = fake_compiler
    monkeypatch.setenv('FAIL_ON', '-shared')
    with pytest.raises(RuntimeError, match='unsupported flag') as error:
        native.build('demo', [source])
    assert 'kernel.cc' in str(error.value)
    assert os.listdir(tmp_path / 'cache') == []


def test_no_compiler(monkeypatch, tmp_path):
    monkeypatch.setenv('CXX', str(tmp_path / 'missing-compiler'))
    monkeypatch.setenv('KCORE_CACHE_DIR', str(tmp_path / 'cache'))
    with pytest.raises(RuntimeError, match='cannot run the C.. compiler'):
        native.build('demo', [__file__])


def test_cache_folder(monkeypatch, tmp_path):
    monkeypatch.delenv('KCORE_CACHE_DIR', raising=False)
    monkeypatch.setenv('XDG_CACHE_HOME', str(tmp_path))
    assert native.cache_dir() == str(tmp_path / 'kcore')
    monkeypatch.setenv('KCORE_CACHE_DIR', str(tmp_path / 'elsewhere'))
    assert native.cache_dir() == str(tmp_path / 'elsewhere')


@pytest.mark.parametrize('value, off', [(None, False), ('1', False), ('yes', False),
                                        ('0', True), (' Off ', True), ('false', True),
                                        ('no', True)])
def test_switched_off(monkeypatch, value, off):
    if value is None:
        monkeypatch.delenv('KCORE_DEMO_KERNEL', raising=False)
    else:
        monkeypatch.setenv('KCORE_DEMO_KERNEL', value)
    assert native.switched_off('KCORE_DEMO_KERNEL') is off
