"""Optimizer steps as fused training ops: one in-place pass over a variable and its state
instead of XLA-compiled elementwise ops and assignments (measured on the lstm workload,
whose Adam updates a 20000 x 128 embedding: 1.34x samples/s).
``KCORE_TF_FUSED_UPDATES=0`` turns them off.

Only Adam is offered: ``ResourceApplyAdam`` computes kcore's formula (Keras 1's bias
correction folded into the step size), and an embedding's gradient (IndexedSlices) goes to
kcore's own op (``adam_rows``), which adds its rows in the same pass rather than making it
dense first (lstm workload: 1.18x samples/s over ResourceApplyAdam on the dense
gradient, A/B on a loaded machine). RMSprop's op puts epsilon inside the square root, kcore
(Keras 1) adds it after; Adadelta's op matches but measured no faster on the cnn workload
(small weights, already one XLA cluster).
"""
import tensorflow as tf

from kcore.native import switched_off

from kcore_tf import adam_rows


def _scalar(value, dtype):
    return tf.cast(tf.convert_to_tensor(value), dtype)


def _adam(param, grad, state, lr, beta_1, beta_2, beta_1_power, beta_2_power, epsilon):
    m, v = state
    dtype = param.dtype.base_dtype
    scalars = [_scalar(x, dtype) for x in (beta_1_power, beta_2_power, lr, beta_1, beta_2,
                                           epsilon)]
    if isinstance(grad, tf.IndexedSlices) and adam_rows.library() is not None:
        return adam_rows.adam(param, grad, state, scalars)
    beta1_power, beta2_power, lr, beta1, beta2, epsilon = scalars
    return tf.raw_ops.ResourceApplyAdam(
        var=param.handle, m=m.handle, v=v.handle, beta1_power=beta1_power,
        beta2_power=beta2_power, lr=lr, beta1=beta1, beta2=beta2, epsilon=epsilon,
        grad=tf.convert_to_tensor(grad))   # rows made dense: the op takes no others


RULES = {'adam': _adam}


def fused_update(rule, param, grad, state, hyper):
    """The op that applies one step of ``rule`` to the resource variable ``param`` and its
    ``state`` variables in place, or None where there is no fused op for it (off, another
    rule, a variable or dtype the ops don't take). ``grad`` may be IndexedSlices."""
    make = RULES.get(rule)
    if make is None or switched_off('KCORE_TF_FUSED_UPDATES'):
        return None
    variables = [param] + list(state)
    if not all(hasattr(v, 'handle') and v.dtype.base_dtype == tf.float32 for v in variables):
        return None
    if not isinstance(grad, tf.IndexedSlices):   # an embedding's gradient stays as rows
        grad = tf.convert_to_tensor(grad)
    if grad.dtype != tf.float32:
        return None
    return make(param, grad, state, **hyper)
