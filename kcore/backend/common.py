"""Keras 1.1.2's ``keras.backend.common``: the settings every backend shares, in plain Python.

The values live in :mod:`kcore.config` (``$KCORE_HOME/kcore.json``); nothing here imports a
backend library.
"""
import numpy as np

from kcore import config

__all__ = ['epsilon', 'set_epsilon', 'floatx', 'set_floatx', 'cast_to_floatx',
           'image_dim_ordering', 'set_image_dim_ordering', 'get_uid', 'reset_uids',
           'is_keras_tensor', 'legacy_weight_ordering', 'set_legacy_weight_ordering']

epsilon = config.epsilon
set_epsilon = config.set_epsilon
floatx = config.floatx
set_floatx = config.set_floatx
image_dim_ordering = config.image_dim_ordering
set_image_dim_ordering = config.set_image_dim_ordering

_uids = {}
_legacy_weight_ordering = False


def cast_to_floatx(x):
    """``x`` (a numpy array or number) as a numpy array of ``floatx()``."""
    return np.asarray(x, dtype=floatx())


def get_uid(prefix=''):
    """1, 2, 3... per ``prefix``: the number in automatic layer names ('dense_1')."""
    _uids[prefix] = _uids.get(prefix, 0) + 1
    return _uids[prefix]


def reset_uids():
    """Restart every prefix's numbering at 1."""
    _uids.clear()


def is_keras_tensor(x):
    """True if ``x`` carries a Keras shape (``_keras_shape``), as the tensors of ``Input``
    and of layer outputs do; False for numpy arrays and variables."""
    return hasattr(x, '_keras_shape')


def legacy_weight_ordering():
    """True if models list the layers of equal depth by name (Keras 1.0's order) rather
    than in the order they were called; False by default."""
    return _legacy_weight_ordering


def set_legacy_weight_ordering(value):
    """Set ``legacy_weight_ordering()`` to True or False."""
    global _legacy_weight_ordering
    if value not in (True, False):
        raise ValueError('set_legacy_weight_ordering: expected True or False; got %r.'
                         % (value,))
    _legacy_weight_ordering = bool(value)
