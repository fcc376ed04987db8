"""Weight files in the layout of Keras 1.1.2's published application weights, written
from lists of arrays: ``layer_names``, and per layer ``weight_names`` and one dataset
per weight; no kcore provenance."""
import io

import h5py

from kcore import backend as K
from kcore.engine.saving import hdf5_format


def weight_file_bytes(layers):
    """A Keras 1.x weight file: ``layers`` is [(layer name, [(weight name, array)])]."""
    buffer = io.BytesIO()
    with h5py.File(buffer, 'w') as f:
        hdf5_format.write_names(f.attrs, 'layer_names', [name for name, _ in layers])
        for name, weights in layers:
            hdf5_format.write_weight_group(f.create_group(name), [n for n, _ in weights],
                                           [v for _, v in weights])
    return buffer.getvalue()


def published_layers(model, theano_kernels):
    """[(layer name, [(weight name, array)])] of ``model`` (a 'th' model), kernels
    flipped as Keras 1 on Theano stored them when ``theano_kernels``."""
    layers = []
    for layer in model.layers:
        values = K.batch_get_value(layer.weights) if layer.weights else []
        if theano_kernels:
            values = [v[:, :, ::-1, ::-1] if v.ndim == 4 else v for v in values]
        layers.append((layer.name, [(w.name.split(':')[0], v)
                                    for w, v in zip(layer.weights, values)]))
    return layers


def tf_layout(layers):
    """The weights of a 'th' file with Theano kernels as a 'tf' file with TensorFlow
    kernels, converted in numpy: each kernel (filters, stack, rows, cols) flipped and
    moved to (rows, cols, stack, filters)."""
    return [(name, [(w, v[:, :, ::-1, ::-1].transpose(2, 3, 1, 0) if v.ndim == 4 else v)
                    for w, v in weights]) for name, weights in layers]
