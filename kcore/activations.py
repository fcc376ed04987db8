"""Activation functions (``kcore.activations``), registered through the plugin hooks."""
from kcore import backend as K
from kcore.plugins import hookimpl
from kcore.utils.generic_utils import get_from_module  # noqa: F401 (a Keras 1 name here)


def softmax(x):
    """Softmax over the last axis."""
    return K.softmax(x)


def softplus(x):
    return K.softplus(x)


def softsign(x):
    return K.softsign(x)


def relu(x, alpha=0.0, max_value=None):
    return K.relu(x, alpha=alpha, max_value=max_value)


def elu(x, alpha=1.0):
    """x where x > 0, else alpha * (exp(x) - 1)."""
    return K.elu(x, alpha)


def tanh(x):
    return K.tanh(x)


def sigmoid(x):
    return K.sigmoid(x)


def hard_sigmoid(x):
    return K.hard_sigmoid(x)


def linear(x):
    """The identity."""
    return x


def get(identifier):
    """An activation by name (custom objects first, then any registered one), or
    ``identifier`` itself if callable; None means linear."""
    if identifier is None:
        return linear
    if callable(identifier):
        return identifier
    from kcore.engine.serialization import get_object
    return get_object(identifier, 'activations')


@hookimpl
def register_activations(register):
    for function in (softmax, softplus, softsign, relu, elu, tanh, sigmoid, hard_sigmoid,
                     linear):
        register(function.__name__, function)
