"""The Theano-family backend class: the protocol's functions from the modules beside it."""
from kcore.backend.protocol import Backend

from kcore_theano import blas, control, nn, ops, session

blas.configure()  # before any function is compiled: a BLAS when PyTensor finds none


class TheanoBackend(session.SessionOps, ops.TensorOps, nn.NNOps, control.ControlOps, Backend):
    """kcore's backend protocol on PyTensor (symbolic graphs compiled by its C backend)."""

    name = 'theano'
