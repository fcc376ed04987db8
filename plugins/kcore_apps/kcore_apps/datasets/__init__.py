"""The datasets kcore-apps registers: ``kcore.datasets.<name>`` for each module here.

Each dataset module has ``load_data`` with Keras 1.1.2's signature and ``FILES``, the
cache names of what it downloads (``kcore datasets`` shows whether they are there).
Helper modules are registered too, so that their Keras 1 paths import.
"""
NAMES = ('mnist', 'cifar10', 'cifar100', 'imdb', 'reuters', 'digits')
# Keras 1.1.2 also has keras.datasets.cifar (load_batch), a helper module, not a dataset.
HELPERS = ('cifar',)
