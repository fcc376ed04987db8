"""kcore-theano: the Theano-family backend of kcore on PyTensor, found through the ``kcore``
entry point. Importing this package does not import PyTensor."""
from kcore.native import Library
from kcore.plugins import hookimpl, installed_versions

__version__ = '0.1.0'


@hookimpl
def register_backends(register):
    register('theano', 'kcore_theano.backend:TheanoBackend', aliases=('pytensor',))


@hookimpl
def report_versions():
    return installed_versions('pytensor', 'scipy-openblas32')


@hookimpl
def native_libraries():
    # Every .cc file beside native.py goes into this one library. Built in 4 s on an idle
    # 2-core Zen 4 VM, 15-30 s with other work running.
    return [Library('kcore_theano_native', 'its native kernels (recurrent layers, convolutions, '
                    'denormal control)', 'kcore_theano.native:_build', seconds=5)]


@hookimpl
def cache_folders():
    from kcore_theano import compiledir
    folder, chosen = compiledir.location()
    return {"PyTensor's compiled C code (%s)" % chosen: folder}
