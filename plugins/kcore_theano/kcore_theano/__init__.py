"""kcore-theano: the Theano-family backend of kcore on PyTensor, found through the ``kcore``
entry point. Importing this package does not import PyTensor."""
from kcore.plugins import hookimpl, installed_versions

__version__ = '0.1.0'


@hookimpl
def register_backends(register):
    register('theano', 'kcore_theano.backend:TheanoBackend', aliases=('pytensor',))


@hookimpl
def report_versions():
    return installed_versions('pytensor', 'scipy-openblas32')
