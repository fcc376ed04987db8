"""Test sessions, one per backend: ``nox`` runs them all, ``nox -s tests-tensorflow`` one."""
import nox

nox.options.reuse_existing_virtualenvs = True
nox.options.sessions = ['tests-tensorflow']

# backend name -> the plugin folder that provides it
BACKENDS = {
    'tensorflow': 'plugins/kcore_tf',
}


def _tests_session(backend, plugin):
    @nox.session(name='tests-%s' % backend)
    def tests(session):
        """kcore's tests and the plugin's tests (the conformance suite) on one backend."""
        session.install('-e', '.', '-e', plugin, 'pytest')
        session.run('pytest', 'tests', plugin + '/tests', *session.posargs,
                    env={'KCORE_BACKEND': backend})
    return tests


for _backend, _plugin in BACKENDS.items():
    globals()['tests_' + _backend] = _tests_session(_backend, _plugin)


@nox.session
def demo(session):
    """Train a small network on scikit-learn's digits with the backend functions."""
    session.install('-e', '.', '-e', 'plugins/kcore_tf', 'scikit-learn')
    session.run('python', 'examples/digits_backend.py', *session.posargs)
