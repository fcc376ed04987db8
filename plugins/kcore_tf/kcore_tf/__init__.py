"""kcore-tf: the TensorFlow backend of kcore, found through the ``kcore`` entry point.

Importing this package does not import TensorFlow: the backend class is named by
its import path and loaded the first time kcore needs it.
"""
from kcore.plugins import hookimpl

__version__ = '0.1.0'


@hookimpl
def register_backends(register):
    register('tensorflow', 'kcore_tf.backend:TensorFlowBackend', aliases=('tf',))
