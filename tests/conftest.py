"""Fixtures for kcore's own tests: an isolated KCORE_HOME and fake installed plugins."""
import os
import sys
import textwrap

import pytest

import kcore.backend as K
from kcore import config, plugins
from kcore_test_helpers.session import BACKEND


@pytest.fixture(autouse=True)
def kcore_home(tmp_path, monkeypatch):
    """Each test gets an empty KCORE_HOME and KERAS_HOME, freshly loaded config and plugins, and
    ``KCORE_BACKEND`` naming the run's backend (tests of the choice itself unset it)."""
    home = tmp_path / 'kcore_home'
    monkeypatch.setenv('KCORE_HOME', str(home))
    # The user's real ~/.keras/keras.json (Keras 3 writes one) must not answer.
    monkeypatch.setenv('KERAS_HOME', str(tmp_path / 'keras_home'))
    for var in ('KERAS_BACKEND', 'KCORE_PLUGINS', 'KCORE_DISABLE_PLUGINS',
                'KCORE_DISABLE_PLUGIN_AUTOLOAD'):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv('KCORE_BACKEND', BACKEND)
    config.reset()
    plugins.reset()
    monkeypatch.setattr(K, '_active', None)
    yield home
    config.reset()
    plugins.reset()


@pytest.fixture
def fake_dists(tmp_path, monkeypatch):
    """make(dist_name, module_source, entry_name=None): an installed distribution with a
    ``kcore`` entry point, in a folder on sys.path and on PYTHONPATH for subprocesses."""
    site = tmp_path / 'site'
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.setenv('PYTHONPATH', os.pathsep.join(filter(None, [
        str(site), os.environ.get('PYTHONPATH')])))

    def make(dist_name, module_source, entry_name=None):
        module = dist_name.replace('-', '_')
        (site / (module + '.py')).write_text(textwrap.dedent(module_source))
        info = site / ('%s-1.2.3.dist-info' % module)
        info.mkdir()
        (info / 'METADATA').write_text('Metadata-Version: 2.1\nName: %s\nVersion: 1.2.3\n'
                                       % dist_name)
        (info / 'entry_points.txt').write_text('[kcore]\n%s = %s\n'
                                               % (entry_name or module, module))
        sys.modules.pop(module, None)
        return module

    yield make
