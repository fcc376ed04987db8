"""kcore-tf: the TensorFlow backend of kcore, found through the ``kcore`` entry point.

Importing this package does not import TensorFlow: the backend class and TFOptimizer are
named by their import paths and loaded the first time kcore needs them.
"""
from kcore.native import Library, aligned_arrays
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


@hookimpl
def native_libraries():
    # Build times on a 2-core Zen 4 VM: 18 and 20 s idle, 50-170 s with other work running.
    return [Library('kcore_tf_lstm', 'the fused LSTM kernel', 'kcore_tf.fused_lstm:_build',
                    seconds=20),
            Library('kcore_tf_rnn', 'the fused GRU and SimpleRNN kernels',
                    'kcore_tf.fused_rnn:_build', seconds=20),
            Library('kcore_tf_adam_rows', 'the Adam kernel for embedding gradients',
                    'kcore_tf.adam_rows:_build', seconds=20),
            Library('kcore_tf_narrow_dense', 'the narrow Dense kernel',
                    'kcore_tf.narrow_dense:_build', seconds=20),
            aligned_arrays.declaration()]
