"""Activations and small tensor operations in numpy."""
import numpy as np


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def hard_sigmoid(x):
    """Keras' piecewise-linear sigmoid: clip(0.2 x + 0.5, 0, 1)."""
    return np.clip(0.2 * x + 0.5, 0.0, 1.0)


def softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def log_softmax(x, axis=-1):
    z = x - x.max(axis=axis, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=axis, keepdims=True))


ACTIVATIONS = {'tanh': np.tanh, 'sigmoid': sigmoid, 'hard_sigmoid': hard_sigmoid,
               'relu': lambda x: np.maximum(x, 0), 'linear': lambda x: x}


def activation(name_or_function):
    """The numpy activation a name stands for; a function is returned as it is."""
    if callable(name_or_function):
        return name_or_function
    return ACTIVATIONS[name_or_function]


def batch_dot(x, y, axes):
    """Per-sample np.tensordot over ``axes`` (axes count the batch axis); at least 2D."""
    if isinstance(axes, int):
        axes = (axes, axes)
    out = np.stack([np.tensordot(a, b, axes=(axes[0] - 1, axes[1] - 1)) for a, b in zip(x, y)])
    return out.reshape(out.shape + (1,)) if out.ndim == 1 else out
