"""Keras 1.1.2's ``keras.backend.theano_backend``: the Theano-family backend's functions,
on PyTensor (``from kcore.backend import theano_backend as KTH``), usable whatever backend
is active and beside ``kcore.backend.tensorflow_backend``. PyTensor is imported on first
use; without the kcore-theano plugin, first use says to install it."""
from kcore.backend.per_backend import backend_module

__getattr__, __dir__, __all__ = backend_module('theano', {
    'Function': 'kcore_theano.session:Function'})
