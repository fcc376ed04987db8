"""Test sessions, one per backend: ``nox`` runs them all, ``nox -s tests-theano`` one.

Each session installs kcore and one backend plugin in its own virtualenv and runs kcore's
whole test suite plus the plugin's own tests (the conformance suite) on that backend.
"""
import os

import nox

nox.options.reuse_existing_virtualenvs = True

# backend name -> the plugin folder that provides it
BACKENDS = {
    'tensorflow': 'plugins/kcore_tf',
    'theano': 'plugins/kcore_theano',
}
nox.options.sessions = ['tests-%s' % name for name in BACKENDS]
# PyTensor's compiled C code is cached here and reused by later runs.
PYTENSOR_CACHE = os.path.join(os.path.expanduser('~'), '.cache', 'kcore', 'pytensor')


def _tests_session(backend, plugin):
    @nox.session(name='tests-%s' % backend)
    def tests(session):
        """kcore's tests and the plugin's tests (the conformance suite) on one backend."""
        session.install('-e', '.', '-e', plugin, 'pytest')
        session.run('pytest', 'tests', plugin + '/tests', *session.posargs,
                    env={'KCORE_BACKEND': backend,
                         'PYTENSOR_FLAGS': 'base_compiledir=' + PYTENSOR_CACHE})
    return tests


for _backend, _plugin in BACKENDS.items():
    globals()['tests_' + _backend] = _tests_session(_backend, _plugin)


@nox.session
def demo(session):
    """Train an MLP on scikit-learn's digits, print the test accuracy, save the model."""
    session.install('-e', '.', '-e', 'plugins/kcore_tf', 'scikit-learn')
    session.run('python', 'examples/digits_mlp.py', *session.posargs)


@nox.session
def bench(session):
    """kcore against Keras 3 (TensorFlow and JAX), tf-keras and PyTorch: five workloads, a
    table of samples/s (benchmarks/README.md). The peers go into .bench-venv, apart from
    this session's virtualenv; options after ``--`` go to benchmarks/compare.py."""
    session.install('-e', '.', '-e', 'plugins/kcore_tf', '-e', 'plugins/kcore_theano')
    session.run('python', 'benchmarks/compare.py', '--install-peers', *session.posargs,
                env={'PYTENSOR_FLAGS': 'base_compiledir=' + PYTENSOR_CACHE})
