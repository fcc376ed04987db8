"""kcore-apps as an installed plugin: what ``kcore plugins`` and ``kcore datasets`` show."""
from kcore import cli

DATASETS = ['mnist', 'cifar10', 'cifar100', 'imdb', 'reuters', 'digits', 'cifar']


def test_kcore_plugins_shows_what_kcore_apps_registered(capsys):
    assert cli.main(['plugins']) == 0
    out = capsys.readouterr().out
    assert 'apps  (kcore-apps 0.1.0)  ok' in out
    assert '    datasets: %s' % ', '.join(DATASETS) in out


def test_kcore_datasets_shows_cache_state(homes, capsys):
    (homes / 'datasets').mkdir(parents=True)
    (homes / 'datasets' / 'mnist.pkl.gz').write_bytes(b'x')
    assert cli.main(['datasets']) == 0
    rows = {tuple(line.split()[:2]): line for line in capsys.readouterr().out.splitlines()}
    assert ' downloaded ' in rows[('mnist', 'mnist.pkl.gz')]
    assert 'not downloaded' in rows[('imdb', 'imdb_word_index.pkl')]
    assert 'not downloaded' in rows[('cifar10', 'cifar-10-batches-py')]
    assert 'no download needed' in rows[('digits', '-')]
    assert not [key for key in rows if key[0] == 'cifar']   # a helper module, not a dataset
