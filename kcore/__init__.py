"""kcore: the Keras 1.1.2 API as a small core with plugins.

``import kcore`` is cheap: no backend (TensorFlow, PyTensor) is imported until
the backend is first used, and plugins are loaded on first need. As with Keras 1's
``keras`` package, the API modules are attributes of the package (``kcore.layers.Dense``);
each is imported the first time it is used.
"""
from kcore.lazy import lazy_submodules

__version__ = '0.1.0'

__getattr__, __dir__ = lazy_submodules(__name__, (
    'activations', 'applications', 'backend', 'callbacks', 'constraints', 'datasets', 'engine',
    'initializations', 'layers', 'metrics', 'models', 'objectives', 'optimizers',
    'preprocessing', 'regularizers', 'utils', 'wrappers'))
