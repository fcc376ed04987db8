"""kcore: the Keras 1.1.2 API as a small core with plugins.

``import kcore`` is cheap: no backend (TensorFlow, PyTensor) is imported until
the backend is first used, and plugins are loaded on first need.
"""
__version__ = '0.1.0'
