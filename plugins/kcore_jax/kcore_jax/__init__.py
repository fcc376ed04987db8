"""kcore-jax: the JAX/XLA backend of kcore, found through the ``kcore`` entry point.

Importing this package does not import JAX: the backend class is named by its import
path and loaded the first time kcore needs it.
"""
from kcore.native import aligned_arrays
from kcore.plugins import hookimpl, installed_versions

__version__ = '0.1.0'


@hookimpl
def register_backends(register):
    register('jax', 'kcore_jax.backend:JaxBackend')


@hookimpl
def report_versions():
    return installed_versions('jax', 'jaxlib')


@hookimpl
def native_libraries():
    return [aligned_arrays.declaration()]
