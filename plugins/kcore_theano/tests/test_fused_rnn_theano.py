"""The fused GRU and SimpleRNN Ops of kcore-theano (kcore.testing.fused_rnn_checks)."""
import pytest
from pytensor.graph.traversal import ancestors

from kcore.layers import GRU, SimpleRNN
from kcore.testing.fused_rnn_checks import FusedRnnChecks
from kcore_theano import fused_rnn, native

pytestmark = pytest.mark.skipif(fused_rnn.library('gru') is None,
                                reason='the fused RNN kernels could not be built here')


class TestFusedRnnTheano(FusedRnnChecks):
    switches = {GRU: 'KCORE_THEANO_FUSED_GRU', SimpleRNN: 'KCORE_THEANO_FUSED_SIMPLE_RNN'}
    shape_error = (ValueError, r'recurrent dropout mask must be \(2, 6\)')

    def uses(self, variable, cell, gradient=False):
        name = 'gru' if cell is GRU else 'simple_rnn'
        op_type = fused_rnn.CellGradOp if gradient else fused_rnn.CellOp
        return any(v.owner is not None and isinstance(v.owner.op, op_type)
                   and v.owner.op.cell == name for v in ancestors([variable]))

    def break_build(self, monkeypatch):
        def fail():
            raise RuntimeError('no compiler here')
        monkeypatch.setattr(native, '_build', fail)
        monkeypatch.setattr(native.library, '_state', {})
        return 'native code could not be built'

