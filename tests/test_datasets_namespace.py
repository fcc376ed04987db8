"""kcore.datasets.<name> comes from the dataset registry: any plugin can add one, and a
dataset kcore knows but no plugin provides says what to install."""
import importlib
import json
import sys

import pytest

import kcore.datasets
from kcore import cli

MY_DATASET = '''
"""A dataset shipped by a plugin."""
from kcore.plugins import hookimpl

FILES = ('mine.npz', 'mine_index.json')

def load_data():
    return 'my data'

@hookimpl
def register_datasets(register):
    import sys
    register('mine', sys.modules[__name__])
'''


@pytest.fixture(autouse=True)
def forget_dataset_modules(monkeypatch):
    """Registered modules imported under kcore.datasets by another test are forgotten."""
    for name in [n for n in sys.modules if n.startswith('kcore.datasets.')]:
        monkeypatch.delitem(sys.modules, name)
    for name in [n for n in vars(kcore.datasets) if not n.startswith('_')]:
        monkeypatch.delattr(kcore.datasets, name)


def test_a_plugin_dataset_is_importable_every_way(fake_dists):
    module = importlib.import_module(fake_dists('kcore-mine', MY_DATASET))
    from kcore.datasets import mine
    assert mine is module and mine.load_data() == 'my data'
    import kcore.datasets.mine as same
    from kcore.datasets.mine import load_data
    assert same is module and load_data is module.load_data
    assert module.__spec__.name == module.__name__   # its own spec, not the second name's
    assert 'mine' in dir(kcore.datasets)


def test_a_known_dataset_without_its_plugin_says_what_to_install(monkeypatch):
    monkeypatch.setenv('KCORE_DISABLE_PLUGINS', 'kcore-apps')
    with pytest.raises(ImportError, match='kcore.datasets.mnist comes from the kcore-apps plugin, '
                                          'which is not installed: pip install kcore-apps'):
        from kcore.datasets import mnist   # noqa: F401
    with pytest.raises(ModuleNotFoundError, match='pip install kcore-apps'):
        import kcore.datasets.cifar10   # noqa: F401


def test_an_unknown_dataset_suggests_a_name(fake_dists):
    fake_dists('kcore-mine', MY_DATASET)
    with pytest.raises(ImportError, match="Unknown dataset 'mien'. Did you mean 'mine'"):
        from kcore.datasets import mien   # noqa: F401
    assert not hasattr(kcore.datasets, '_private')


def test_cli_lists_datasets_their_files_and_cache(fake_dists, kcore_home, capsys):
    fake_dists('kcore-mine', MY_DATASET)
    (kcore_home / 'datasets').mkdir(parents=True)
    (kcore_home / 'datasets' / 'mine.npz').write_bytes(b'x')
    assert cli.main(['datasets']) == 0
    lines = [line.split() for line in capsys.readouterr().out.splitlines()]
    assert lines[0][:4] == ['dataset', 'file', 'status', 'path']
    mine = [line for line in lines if line[0] == 'mine']
    assert mine[0][:4] == ['mine', 'mine.npz', 'downloaded', str(kcore_home / 'datasets' /
                                                                  'mine.npz')]
    assert mine[1][:5] == ['mine', 'mine_index.json', 'not', 'downloaded',
                           str(kcore_home / 'datasets' / 'mine_index.json')]
    assert cli.main(['datasets', '--json']) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {'dataset': 'mine', 'file': 'mine.npz', 'status': 'downloaded'}.items() <= [
        r for r in rows if r['file'] == 'mine.npz'][0].items()


def test_cli_without_datasets_says_what_to_install(monkeypatch, capsys):
    monkeypatch.setenv('KCORE_DISABLE_PLUGINS', 'kcore-apps')
    assert cli.main(['datasets']) == 1
    assert 'pip install kcore-apps' in capsys.readouterr().out
