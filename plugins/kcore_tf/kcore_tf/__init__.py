"""kcore-tf: the TensorFlow backend of kcore, found through the ``kcore`` entry point.

Importing this package does not import TensorFlow: the backend class and TFOptimizer are
named by their import paths and loaded the first time kcore needs them.
"""
from kcore.plugins import hookimpl, installed_versions

__version__ = '0.1.0'


@hookimpl
def register_backends(register):
    register('tensorflow', 'kcore_tf.backend:TensorFlowBackend', aliases=('tf',))


@hookimpl
def register_optimizers(register):
    register('TFOptimizer', 'kcore_tf.tf_optimizer:TFOptimizer')


@hookimpl
def report_versions():
    return installed_versions('tensorflow-cpu', 'tensorflow')
