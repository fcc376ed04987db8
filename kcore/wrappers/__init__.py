"""Wrappers that let kcore models stand in other libraries' APIs (``keras.wrappers``):
``scikit_learn`` (``KerasClassifier``, ``KerasRegressor``)."""
from kcore.lazy import lazy_submodules

__getattr__, __dir__ = lazy_submodules(__name__, ('scikit_learn',))
