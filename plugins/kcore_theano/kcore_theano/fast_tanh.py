"""tanh with faster float32 C code than PyTensor's, for recurrent layers.

PyTensor compiles ``tanh`` as ``tanh((npy_float32)x)``: a libm call of about 40 ns per
element here, which made tanh most of an LSTM step (two tanh per unit per step, forward
and again in the gradient's loop). This op computes float32 tanh from one ``expf``:
``tanh|x| = (1 - e) / (1 + e)`` with ``e = exp(-2|x|)``, and below |x| = 1/4, where
``1 - e`` would lose digits, from the odd Taylor polynomial to x^11 (truncation error
under 1e-10 there). Both are computed and one is selected, so the loop has no jumps.
Results stay within a few float32 ulps of tanh (the tests compare with numpy); ±inf give
±1, NaN stays NaN, -0 stays -0. Other dtypes use PyTensor's own code.

Its gradient uses the op's output, ``1 - tanh(x)^2``, as PyTensor's tanh would but
without computing tanh again.
"""
import pytensor.scalar as ps
import pytensor.tensor as pt
from pytensor.scalar.basic import upgrade_to_float
from pytensor.tensor.elemwise import Elemwise


class FastTanh(ps.Tanh):
    """Scalar tanh whose float32 C code is branch-free and calls only expf."""

    def L_op(self, inputs, outputs, output_gradients):
        (x,), (z,), (gz,) = inputs, outputs, output_gradients
        if x.type in ps.complex_types or z.type in ps.discrete_types:
            return super().L_op(inputs, outputs, output_gradients)
        return (gz * (1 - ps.sqr(z)),)

    def c_code(self, node, name, inputs, outputs, sub):
        if node.inputs[0].type != ps.float32 or node.outputs[0].type != ps.float32:
            return super().c_code(node, name, inputs, outputs, sub)
        (x,), (z,) = inputs, outputs
        return f"""{{
            npy_float32 x_ = {x};
            npy_float32 x2_ = x_ * x_;
            npy_float32 small_ = x_ * (1.0f + x2_ * (-0.33333333f + x2_ * (0.13333333f
                + x2_ * (-0.053968254f + x2_ * (0.021869489f + x2_ * -0.0088632355f)))));
            npy_float32 e_ = expf(-2.0f * fabsf(x_));
            npy_float32 large_ = copysignf((1.0f - e_) / (1.0f + e_), x_);
            {z} = fabsf(x_) < 0.25f ? small_ : large_;
        }}"""

    def c_headers(self, **kwargs):
        return ['<math.h>']

    def c_code_cache_version(self):
        # PyTensor reuses compiled modules by this version, not by the code: bump it with
        # every change to c_code.
        return (2, *super().c_code_cache_version())


fast_tanh_scalar = FastTanh(upgrade_to_float, name='tanh')
_fast_tanh = Elemwise(fast_tanh_scalar, name='fast_tanh')


def tanh(x):
    """Element-wise tanh of a tensor (FastTanh's C code for float32)."""
    x = pt.as_tensor_variable(x)
    return _fast_tanh(x)
