"""Test sessions per backend, each in its own virtualenv with kcore, one backend plugin
and kcore-apps.

``tests-<backend>`` runs kcore's whole test suite, the backend plugin's own tests (the
backend conformance suite) and kcore-apps' tests on that backend; ``conformance-<backend>``
runs only the backend plugin's tests; ``reliability`` is the fault and fuzz suite;
``parity`` installs the three backend plugins and checks that the backends predict alike; ``demo`` trains the README's convnet on the digits;
``examples`` runs every script of examples/ with ``--smoke`` on each backend.
``nox`` runs the default sessions below.
"""
import os

import nox

nox.options.reuse_existing_virtualenvs = True

# backend name -> the plugin folder that provides it
BACKENDS = {
    'tensorflow': 'plugins/kcore_tf',
    'theano': 'plugins/kcore_theano',
    'jax': 'plugins/kcore_jax',
}
APPS = 'plugins/kcore_apps'
# What the optional parts need: image preprocessing, plots, the scikit-learn wrappers and
# the digits dataset, sparse checks (scipy).
TEST_EXTRAS = ('pytest', 'scipy', 'pillow', 'pydot', 'scikit-learn')
nox.options.sessions = ['tests-tensorflow', 'tests-theano', 'tests-jax', 'reliability',
                        'parity', 'demo', 'examples']
# PyTensor's compiled C code is cached here and reused by later runs.
PYTENSOR_CACHE = os.path.join(os.path.expanduser('~'), '.cache', 'kcore', 'pytensor')
# traceback__limit=0: PyTensor records no stack trace per graph node (ResNet50's graph has
# ~195,000 nodes; recording them took a third of its build time).
PYTENSOR_ENV = {'PYTENSOR_FLAGS': 'base_compiledir=%s,traceback__limit=0' % PYTENSOR_CACHE}


def _install_and_test(session, backend, plugin, paths):
    session.install('-e', '.', '-e', plugin, '-e', APPS, *TEST_EXTRAS)
    # The backend's native kernels, built ahead (as CI and Docker images should), so the
    # build's line and time show here rather than inside the first test that needs them.
    session.run('kcore', 'build', '--backend', backend)
    session.run('pytest', *paths, *session.posargs, env=dict(PYTENSOR_ENV, KCORE_BACKEND=backend))


def _sessions(backend, plugin):
    @nox.session(name='tests-%s' % backend)
    def tests(session):
        """kcore's tests, the plugin's tests (the conformance suite) and kcore-apps' tests
        on one backend."""
        _install_and_test(session, backend, plugin, ['tests', '--ignore=tests/reliability',
                                                     plugin + '/tests', APPS + '/tests'])

    @nox.session(name='conformance-%s' % backend)
    def conformance(session):
        """The backend conformance suite (the plugin's own tests) on one backend."""
        _install_and_test(session, backend, plugin, [plugin + '/tests'])

    return tests, conformance


for _backend, _plugin in BACKENDS.items():
    globals()['tests_' + _backend], globals()['conformance_' + _backend] = _sessions(
        _backend, _plugin)


@nox.session
def reliability(session):
    """The fault and fuzz suite (tests/reliability) on TensorFlow: bad arguments, non-finite
    data, generators, threads, sessions, killed saves and downloads, fuzzed config and HDF5
    files. It prints its counts (kills, byte flips, fuzz examples, threads) at the end."""
    session.install('-e', '.', '-e', BACKENDS['tensorflow'], '-e', APPS, 'pytest', 'hypothesis')
    session.run('pytest', 'tests/reliability', *session.posargs,
                env={'KCORE_BACKEND': 'tensorflow'})


@nox.session(name='distribute-ray')
def distribute_ray(session):
    """Not in the default run: Ray Train starts 2 kcore workers on 127.0.0.1 (kcore-tf[ray]),
    with the rest of tests/distribute."""
    session.install('-e', '.', '-e', BACKENDS['tensorflow'] + '[ray]', 'pytest')
    session.run('pytest', 'tests/distribute', *session.posargs,
                env={'KCORE_BACKEND': 'tensorflow'})


@nox.session
def parity(session):
    """Every backend plugin installed: the same models and saved files predict alike on each,
    and Keras 1's per-backend modules (kcore.backend.tensorflow_backend, .theano_backend)
    work side by side."""
    session.install('-e', '.', *[arg for plugin in BACKENDS.values() for arg in ('-e', plugin)],
                    'pytest')
    session.run('pytest', 'tests/test_backend_parity.py', 'tests/test_backend_modules.py',
                *session.posargs, env=PYTENSOR_ENV)


@nox.session
def demo(session):
    """Train a convnet on kcore.datasets.digits, print the test accuracy, save the model."""
    session.install('-e', '.', '-e', 'plugins/kcore_tf', '-e', APPS + '[digits]')
    session.run('python', 'examples/digits_cnn.py', '--out',
                os.path.join(session.create_tmp(), 'digits_cnn.h5'), *session.posargs)


@nox.session
@nox.parametrize('backend', ['tensorflow', 'theano'], ids=['tensorflow', 'theano'])
def examples(session, backend):
    """The documentation's examples with --smoke (synthetic data, offline) on one backend.

    Each runs in its own process with a timeout; ``--durations=0`` shows each one's time."""
    session.install('-e', '.', '-e', BACKENDS[backend], '-e', APPS, *TEST_EXTRAS)
    session.run('pytest', 'examples/test_examples_smoke.py', '--durations=0', *session.posargs,
                env=dict(PYTENSOR_ENV, KCORE_BACKEND=backend))


@nox.session
def bench(session):
    """kcore against Keras 3 (TensorFlow and JAX), tf-keras and PyTorch: five workloads, a
    table of samples/s (benchmarks/README.md). The peers go into .bench-venv, apart from
    this session's virtualenv; options after ``--`` go to benchmarks/compare.py."""
    session.install('-e', '.', '-e', 'plugins/kcore_tf', '-e', 'plugins/kcore_theano')
    session.run('python', 'benchmarks/compare.py', '--install-peers', *session.posargs,
                env=PYTENSOR_ENV)
