"""Keras 1.1.2's ``keras.backend.tensorflow_backend``: the TensorFlow backend's functions
(``from kcore.backend import tensorflow_backend as KTF``), usable whatever backend is active
and beside ``kcore.backend.theano_backend``. TensorFlow is imported on first use; without
the kcore-tf plugin, first use says to install it."""
from kcore.backend.per_backend import backend_module

__getattr__, __dir__, __all__ = backend_module('tensorflow', {
    'Function': 'kcore_tf.session:Function',
    'ctc_label_dense_to_sparse': 'kcore_tf.control:ctc_label_dense_to_sparse'})
