"""The TensorFlow backend class: the protocol's functions from the modules beside it."""
import functools

from kcore.backend.protocol import Backend, protocol_functions
from kcore.native import aligned_arrays

from kcore_tf import control, distribute, nn, ops, session

# TensorFlow feeds a numpy array in place only where it starts at a 64-byte boundary.
aligned_arrays.use()

# Functions that build no ops, so they need no graph context.
_NO_GRAPH = {'backend', 'epsilon', 'set_epsilon', 'floatx', 'set_floatx', 'cast_to_floatx',
             'image_dim_ordering', 'set_image_dim_ordering', 'normalize_dim_ordering',
             'get_uid', 'reset_uids', 'clear_session', 'set_session', 'get_session',
             'manual_variable_initialization', 'set_learning_phase'}


def _in_graph(method):
    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        with session.graph_context():
            return method(*args, **kwargs)
    return wrapper


class TensorFlowBackend(session.SessionOps, ops.TensorOps, nn.NNOps, control.ControlOps,
                        distribute.DistributeOps, Backend):
    """kcore's backend protocol on TensorFlow 2.x in graph mode (tf.compat.v1)."""

    name = 'tensorflow'


for _name in protocol_functions():
    if _name not in _NO_GRAPH:
        setattr(TensorFlowBackend, _name, _in_graph(getattr(TensorFlowBackend, _name)))
