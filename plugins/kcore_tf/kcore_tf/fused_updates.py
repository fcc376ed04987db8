"""Optimizer steps as TensorFlow's fused training ops: one in-place pass over a variable
and its state instead of XLA-compiled elementwise ops and assignments (measured on the lstm
workload, whose Adam updates a 20000 x 128 embedding: 1.34x samples/s).
``KCORE_TF_FUSED_UPDATES=0`` turns them off.

Only Adam is offered: ``ResourceApplyAdam`` computes kcore's formula (Keras 1's bias
correction folded into the step size). RMSprop's op puts epsilon inside the square root,
kcore (Keras 1) adds it after; Adadelta's op matches but measured no faster on the cnn
workload (small weights, already one XLA cluster).
"""
import tensorflow as tf

from kcore.native import switched_off


def _scalar(value, dtype):
    return tf.cast(tf.convert_to_tensor(value), dtype)


def _adam(param, grad, state, lr, beta_1, beta_2, beta_1_power, beta_2_power, epsilon):
    m, v = state
    dtype = param.dtype.base_dtype
    return tf.raw_ops.ResourceApplyAdam(
        var=param.handle, m=m.handle, v=v.handle,
        beta1_power=_scalar(beta_1_power, dtype), beta2_power=_scalar(beta_2_power, dtype),
        lr=_scalar(lr, dtype), beta1=_scalar(beta_1, dtype), beta2=_scalar(beta_2, dtype),
        epsilon=_scalar(epsilon, dtype), grad=grad)


RULES = {'adam': _adam}


def fused_update(rule, param, grad, state, hyper):
    """The op that applies one step of ``rule`` to the resource variable ``param`` and its
    ``state`` variables in place, or None where there is no fused op for it (off, another
    rule, a variable or dtype the ops don't take)."""
    make = RULES.get(rule)
    if make is None or switched_off('KCORE_TF_FUSED_UPDATES'):
        return None
    variables = [param] + list(state)
    if not all(hasattr(v, 'handle') and v.dtype.base_dtype == tf.float32 for v in variables):
        return None
    grad = tf.convert_to_tensor(grad)   # an embedding's IndexedSlices: dense (see below)
    if grad.dtype != tf.float32:
        return None
    return make(param, grad, state, **hyper)
