"""Ray Train starts the workers (2, on 127.0.0.1 only, no token written in HOME). Runs only
where Ray Train is installed: the optional nox session ``distribute-ray``."""
import importlib.util
import json
import os

import numpy as np
import pytest

import distribute_procs as procs
from kcore_test_helpers.session import BACKEND

pytestmark = [
    pytest.mark.skipif(importlib.util.find_spec('ray') is None,
                       reason='Ray Train is not installed (nox -s distribute-ray installs it)'),
    pytest.mark.skipif(BACKEND != 'tensorflow',
                       reason='training on several workers needs TensorFlow')]


def test_ray_train_runs_two_workers_on_loopback(tmp_path):
    home = tmp_path / 'home'
    home.mkdir()
    pythonpath = os.pathsep.join(filter(None, [procs.HERE, os.environ.get('PYTHONPATH')]))
    env = procs.worker_env(HOME=str(home), PYTHONPATH=pythonpath)
    run = procs.run_together([procs.python(os.path.join(procs.HERE, 'distribute_ray_driver.py'),
                                           tmp_path)], tmp_path, 540, env=env)
    assert run.codes == [0], run.report()
    ranks = [np.load(str(tmp_path / ('ray%d.npz' % r))) for r in (0, 1)]
    for i in range(4):
        np.testing.assert_array_equal(ranks[0]['arr_%d' % i], ranks[1]['arr_%d' % i])
    for rank, saved in enumerate(ranks):
        config = json.loads(str(saved['tf_config']))
        assert config['task'] == {'type': 'worker', 'index': rank}
        assert all(a.startswith('127.0.0.1:') for a in config['cluster']['worker'])
    assert not (home / '.ray').exists() or not any((home / '.ray').rglob('*token*'))
