"""The jax backend class: the protocol's functions from the modules beside it."""
import jax

from kcore.backend.protocol import Backend
from kcore.native import aligned_arrays

# float64 variables and placeholders are part of the protocol; floatx stays float32.
jax.config.update('jax_enable_x64', True)

from kcore_jax import control, ctc, host_memory, nn, ops, session  # noqa: E402

host_memory.keep_heap()
# A numpy array that starts at a 64-byte boundary is passed to a program without a copy.
aligned_arrays.use()


class JaxBackend(session.SessionOps, ops.TensorOps, nn.NNOps, control.ControlOps, ctc.CTCOps,
                 Backend):
    """kcore's backend protocol on JAX: a symbolic graph whose functions are compiled by
    ``jax.jit`` (one XLA program per ``K.function`` and learning phase)."""

    name = 'jax'
