"""The backend this test run uses: ``KCORE_BACKEND`` as nox sets it per session, else
TensorFlow when installed, else the first installed backend."""
import os

DISTRIBUTIONS = {'tensorflow': 'kcore-tf', 'theano': 'kcore-theano', 'jax': 'kcore-jax'}


def _choose():
    chosen = os.environ.get('KCORE_BACKEND')
    if chosen:
        return chosen
    from kcore import plugins
    names = plugins.registry('backends').names()
    plugins.reset()
    return 'tensorflow' if 'tensorflow' in names or not names else names[0]


BACKEND = _choose()
DISTRIBUTION = DISTRIBUTIONS.get(BACKEND)
