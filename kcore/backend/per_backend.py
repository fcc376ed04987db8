"""What Keras 1.1.2's per-backend modules (``kcore.backend.tensorflow_backend``,
``kcore.backend.theano_backend``) share: module attributes that are one named backend's
functions, whatever backend is active, loaded on first use."""
import builtins
import importlib

from kcore.backend.protocol import protocol_functions


def backend_module(backend_name, extras):
    """``(__getattr__, __dir__, __all__)`` for a module of the backend registered as
    ``backend_name``: the protocol's functions, ``py_all``, ``atrous_conv2d`` and the
    ``extras`` ({name: 'module:attribute'}, imported on first use)."""
    names = sorted(set(protocol_functions()) | set(extras) | {'py_all', 'atrous_conv2d'})

    def __getattr__(name):
        if name not in names:
            raise AttributeError('kcore.backend.%s_backend has no attribute %r; it has the '
                                 'functions of kcore.backend.protocol.' % (backend_name, name))
        if name == 'py_all':
            return builtins.all
        backend = _backend(backend_name)
        if name == 'atrous_conv2d':
            return _atrous_conv2d(backend)
        if name in extras:
            module, attribute = extras[name].split(':')
            return getattr(importlib.import_module(module), attribute)
        return getattr(backend, name)

    def __dir__():
        return list(names)
    return __getattr__, __dir__, list(names)


def _backend(name):
    """The backend instance; a BackendError naming the package to install when missing."""
    from kcore.backend import get_backend
    return get_backend(name)


def _atrous_conv2d(backend):
    def atrous_conv2d(x, kernel, rate=1, border_mode='valid', dim_ordering='default',
                      image_shape=None, filter_shape=None):
        """Keras 1.1.2's atrous (dilated) 2D convolution: ``conv2d`` with
        ``filter_dilation=(rate, rate)``."""
        return backend.conv2d(x, kernel, border_mode=border_mode, dim_ordering=dim_ordering,
                              image_shape=image_shape, filter_shape=filter_shape,
                              filter_dilation=(rate, rate))
    return atrous_conv2d
