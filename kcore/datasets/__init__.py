"""Datasets (``keras.datasets``): each ``kcore.datasets.<name>`` is the module that a
plugin registered through ``register_datasets`` (kcore-apps registers mnist, cifar10,
cifar100, imdb, reuters and digits). ``kcore datasets`` lists them and their cache.
"""
from kcore.plugins.namespace import RegistryNamespace

_namespace = RegistryNamespace(__name__, 'datasets', providers={
    name: 'kcore-apps' for name in ('mnist', 'cifar10', 'cifar100', 'imdb', 'reuters', 'digits')})
_namespace.install()


def __getattr__(name):
    return _namespace.getattr(name)


def __dir__():
    return sorted(set(globals()) | set(_namespace.names()))
