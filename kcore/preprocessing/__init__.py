"""Data preprocessing (``keras.preprocessing``): ``sequence`` (padding, skip-grams),
``text`` (tokenizing) and ``image`` (loading and real-time augmentation).

Submodules load on first use (``from kcore.preprocessing import image``), so importing
this package costs nothing.
"""
from kcore.lazy import lazy_submodules

__getattr__, __dir__ = lazy_submodules(__name__, ('sequence', 'text', 'image'))
