"""Locally-connected layers (``kcore.layers.local``): convolutions with unshared weights."""
from kcore.layers.local.locally_connected1d import LocallyConnected1D
from kcore.layers.local.locally_connected2d import LocallyConnected2D

LAYERS = (LocallyConnected1D, LocallyConnected2D)

__all__ = [layer.__name__ for layer in LAYERS]
