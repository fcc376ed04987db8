"""Adam's dense step from a gradient given as rows (``adam_rows.cc``): an embedding's
gradient arrives as IndexedSlices, and ResourceApplyAdam would first need it as a dense
tensor of the whole table (a zero fill and a scatter of every row, each step). This op adds
the rows where they occur, in the same pass that decays every row's moments, so the result
is Keras 1's dense Adam. Built on first use with kcore.native.build and cached; where it
cannot be built, fused_updates warns once and uses ResourceApplyAdam on the dense gradient.
``KCORE_TF_ADAM_ROWS=0`` turns it off.
"""
import os

import tensorflow as tf

from kcore import native

SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'adam_rows.cc')

_library = native.OnFirstUse(
    lambda: tf.load_op_library(_build()),
    'kcore-tf: the Adam kernel for embedding gradients could not be built, so Adam first '
    'makes those gradients dense (slower). Set KCORE_TF_ADAM_ROWS=0 to skip the attempt.',
    errors=(OSError, RuntimeError, tf.errors.OpError))


def library():
    """The loaded op library, or None (with a warning, once) where it can't be built."""
    return None if native.switched_off('KCORE_TF_ADAM_ROWS') else _library()


def _build():
    # -fno-math-errno: the step's square roots vectorize (kcore never reads errno).
    flags = ['-fno-math-errno'] + tf.sysconfig.get_compile_flags() + tf.sysconfig.get_link_flags()
    return native.build('kcore_tf_adam_rows', [SOURCE], flags, key_parts=[tf.__version__])


def adam(param, grad, state, scalars):
    """The in-place Adam step of ``param`` and its moments ``state`` from the IndexedSlices
    ``grad``; ``scalars`` are the op's float32 scalars beta_1_power, beta_2_power, lr,
    beta_1, beta_2, epsilon."""
    m, v = state
    return library().kcore_adam_from_rows(param.handle, m.handle, v.handle, *scalars,
                                          indices=grad.indices, values=grad.values)
