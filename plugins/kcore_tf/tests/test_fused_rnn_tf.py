"""The fused GRU and SimpleRNN ops of kcore-tf (kcore.testing.fused_rnn_checks)."""
import pytest
import tensorflow as tf

from kcore.layers import GRU, SimpleRNN
from kcore.testing.fused_rnn_checks import FusedRnnChecks
from kcore_tf import fused_rnn

pytestmark = pytest.mark.skipif(fused_rnn.library('KCORE_TF_FUSED_GRU') is None,
                                reason='the fused RNN kernels could not be built here')

OPS = {GRU: 'KcoreGru', SimpleRNN: 'KcoreSimpleRnn'}


class TestFusedRnnTensorFlow(FusedRnnChecks):
    switches = {GRU: 'KCORE_TF_FUSED_GRU', SimpleRNN: 'KCORE_TF_FUSED_SIMPLE_RNN'}
    shape_error = (tf.errors.InvalidArgumentError,
                   r'recurrent dropout mask must be \(batch, 3 units\)')

    def uses(self, tensor, cell, gradient=False):
        op_type = OPS[cell] + ('Grad' if gradient else '')
        seen, stack = set(), [tensor.op]
        while stack:
            op = stack.pop()
            if op.type == op_type:
                return True
            if op.name not in seen:
                seen.add(op.name)
                stack.extend(t.op for t in op.inputs)
        return False

    def break_build(self, monkeypatch):
        def fail():
            raise RuntimeError('no compiler here')
        monkeypatch.setattr(fused_rnn, '_build', fail)
        monkeypatch.setattr(fused_rnn._library, '_state', {})
        return 'fused GRU and SimpleRNN'

