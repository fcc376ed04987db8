import json
import re

from kcore_test_helpers.session import BACKEND, DISTRIBUTION
from kcore_test_helpers.processes import run_cli, run_python
from test_plugins import BROKEN_IMPORT


def test_plugins_lists_the_backend_with_distribution_and_version():
    result = run_cli('plugins')
    assert result.returncode == 0, result.stderr
    assert '%s 0.1.0' % DISTRIBUTION in result.stdout
    assert 'backends: %s' % BACKEND in result.stdout
    assert 'activations: softmax' in result.stdout


def test_plugins_json():
    report = json.loads(run_cli('plugins', '--json').stdout)
    found = [p for p in report if p['distribution'] == DISTRIBUTION][0]
    assert found['registered']['backends'] == [BACKEND] and found['error'] is None
    assert found['status'] == 'ok' and found['conflicts'] == []


def test_a_broken_plugin_does_not_break_import_or_the_cli(fake_dists):
    fake_dists('kcore-broken', BROKEN_IMPORT)
    result = run_cli('plugins')
    assert result.returncode == 0, result.stderr
    assert 'kcore_broken  (kcore-broken 1.2.3)  FAILED' in result.stdout
    assert 'RuntimeError: this plugin is broken on purpose' in result.stdout
    result = run_python('import kcore; from kcore import plugins; plugins.get_manager()')
    assert result.returncode == 0
    assert 'kcore-broken' in result.stderr and 'broken on purpose' in result.stderr


def test_backends_marks_the_active_one(kcore_home, monkeypatch):
    monkeypatch.delenv('KCORE_BACKEND')
    kcore_home.mkdir()
    (kcore_home / 'kcore.json').write_text(json.dumps({'backend': BACKEND}))
    result = run_cli('backends')
    assert result.returncode == 0
    assert ('* %s (aliases: ' % BACKEND in result.stdout
            or '* %s  from plugin' % BACKEND in result.stdout)   # a backend without aliases
    assert 'active: %s (chosen by the config file' % BACKEND in result.stdout


def test_info_says_which_backend_and_why():
    result = run_cli('info')
    assert result.returncode == 0
    assert 'backend: %s (chosen by environment variable KCORE_BACKEND)' % BACKEND in result.stdout
    library = {'tensorflow': 'tensorflow', 'theano': 'pytensor', 'jax': 'jax'}[BACKEND]
    assert re.search(r'\n  %s\S* \d[\w.]* installed' % library, result.stdout)   # from the plugin
    assert 'config file: ' in result.stdout and 'image_dim_ordering: tf' in result.stdout


def test_invalid_config_is_reported_with_exit_2(kcore_home):
    kcore_home.mkdir()
    (kcore_home / 'kcore.json').write_text('{"floatx": "float128"}')
    result = run_cli('info')
    assert result.returncode == 2
    assert '"floatx" has value \'float128\'' in result.stderr
