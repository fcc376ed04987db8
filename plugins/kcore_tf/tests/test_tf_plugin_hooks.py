"""What kcore-tf registers besides its backend, and what it reports to ``kcore info``."""
from importlib import metadata

from kcore import optimizers, plugins


def test_tf_optimizer_is_registered_by_kcore_tf_and_importable_from_kcore_optimizers():
    entry = plugins.registry('optimizers').entry('TFOptimizer')
    assert entry.plugin == 'tensorflow' and 'kcore-tf' in entry.origin
    from kcore_tf.tf_optimizer import TFOptimizer
    assert optimizers.TFOptimizer is TFOptimizer
    from kcore.optimizers import TFOptimizer as keras1_name
    assert keras1_name is TFOptimizer


def test_kcore_tf_reports_the_tensorflow_it_runs_on():
    versions = plugins.get_manager().versions('tensorflow')
    name = 'tensorflow-cpu' if 'tensorflow-cpu' in versions else 'tensorflow'
    assert versions[name] == metadata.version(name)


def test_loading_the_backend_makes_numpy_arrays_start_at_64_bytes():
    # TensorFlow feeds such arrays (and first-axis slices of them) without a copy.
    import numpy as np
    import kcore_tf.backend  # noqa: F401
    assert np._core.multiarray.get_handler_name() == 'kcore_aligned_64'
    assert np.random.rand(1000, 784).astype('float32').ctypes.data % 64 == 0
