"""A graph rewrite that folds a convolution's bias, its relu and, in predict, the pooling
that follows into one native Op (native_conv.Conv2dFused): TensorFlow's oneDNN fuses conv +
bias + relu, while PyTensor would write the convolution's output, read it again in an
element-wise loop, and keep the pre-activation for relu's gradient.

Patterns, in channels-last (a 'th' graph has them behind Transpose{0, 3, 1, 2}):
- ``conv(x, W) + b``, b broadcast over all but the channel axis -> Conv2dFused(x, W, b);
- ``maximum(conv, 0)`` (conv a Conv2d or a linear Conv2dFused) -> its 'relu' form. The
  gradient PyTensor built for the maximum, ``eq(maximum(z, 0), z)``, becomes ``gt(y, 0)``:
  relu's gradient at a pre-activation of exactly 0 is then 0, TensorFlow's convention,
  where PyTensor's maximum gives 1;
- ``pool2d(conv)`` where the convolution's output has no other use (predict; training keeps
  it for the pooling gradient) -> the Op with its pooling;
- in a gradient, the kernel's gradient of dz, the input's and the bias's sum of the same dz,
  where dz is ``gt(y, 0) * dy`` (y that relu's output) or any other tensor ->
  Conv2dBackward, which computes dz per sample in cache instead of storing it, and with
  it the gradient of a native pooling of that convolution's output ('tf' graphs: a 'th'
  gradient goes through transposes and keeps the separate Ops).

Each is done only where the intermediate results have no other use. It runs after the
canonicalization, before PyTensor's element-wise fusion. ``KCORE_THEANO_CONV_FUSION=0``
switches it off.
"""
import pytensor.scalar as ps
import pytensor.tensor as pt
from pytensor.graph.rewriting.basic import GraphRewriter
from pytensor.tensor.elemwise import DimShuffle, Elemwise
from pytensor.tensor.math import Sum
from pytensor.tensor.exceptions import NotScalarConstantError

from kcore.native import switched_off
from kcore_theano import native_conv

# After canonicalize (1), specialize (2) and uncanonicalize (3); before the element-wise
# fusion (48).
REWRITE_POSITION = 10.5

_TH = (0, 3, 1, 2)   # channels-last to 'th'


def enabled():
    return not switched_off('KCORE_THEANO_CONV_FUSION')


def _clients(fgraph, var):
    return [node for node, _ in fgraph.clients[var]]


def _producer(fgraph, var):
    """(the fusable native convolution node, the permutation) behind ``var`` when it is the
    output of a Conv2d or a linear Conv2dFused without pooling, directly or transposed to
    'th' (the transpose its only use); else None. The rules check the uses of ``var``."""
    order = None
    node = var.owner
    if node is not None and isinstance(node.op, DimShuffle) and node.op.new_order == _TH:
        order, var = _TH, node.inputs[0]
        node = var.owner
        if len(_clients(fgraph, var)) != 1:
            return None
    if node is None:
        return None
    op = node.op
    if type(op) is native_conv.Conv2d or (type(op) is native_conv.Conv2dFused
                                          and op.activation == 'linear' and op.pool is None):
        return node, order
    return None


def _layout(var, order):
    return var if order is None else var.dimshuffle(order)


def _bias_vector(bias, channel_axis, filters):
    """The (filters,) float32 vector that ``bias`` broadcasts along ``channel_axis``, or
    None when it is not one."""
    shape = bias.type.shape
    if bias.ndim != 4 or bias.dtype != 'float32' or filters is None:
        return None
    if shape[channel_axis] != filters or any(s != 1 for a, s in enumerate(shape)
                                               if a != channel_axis):
        return None
    owner = bias.owner
    if owner is not None and isinstance(owner.op, DimShuffle) and owner.inputs[0].ndim == 1:
        return owner.inputs[0]    # the layer's vector, expanded
    return bias.flatten()


def _spatial_props(op):
    return op.window, op.strides, op.dilation, op.border_mode


def _fuse_bias(fgraph, node):
    """conv + b -> Conv2dFused; the replacements or None."""
    if not (isinstance(node.op, Elemwise) and type(node.op.scalar_op) is ps.Add
            and len(node.inputs) == 2 and node.outputs[0].dtype == 'float32'):
        return None
    for conv_side, bias in (node.inputs, node.inputs[::-1]):
        found = _producer(fgraph, conv_side)
        if found is None or len(_clients(fgraph, conv_side)) != 1:
            continue
        conv, order = found
        if type(conv.op) is native_conv.Conv2dFused:
            continue    # it has a bias already
        x, kernel = conv.inputs
        vector = _bias_vector(bias, 3 if order is None else 1, kernel.type.shape[3])
        if vector is None:
            continue
        fused = native_conv.Conv2dFused(*_spatial_props(conv.op))(x, kernel, vector)
        return [(node.outputs[0], _layout(fused, order))]
    return None


def _is_zero(var):
    try:
        return pt.get_underlying_scalar_constant_value(var) == 0
    except NotScalarConstantError:
        return False


def _fuse_relu(fgraph, node):
    """maximum(conv, 0) -> the relu Conv2dFused, and the maximum's gradient masks."""
    if not (isinstance(node.op, Elemwise) and type(node.op.scalar_op) is ps.ScalarMaximum
            and len(node.inputs) == 2):
        return None
    z, zero = node.inputs
    if not _is_zero(zero):
        z, zero = zero, z
    if not _is_zero(zero) or z.type.shape != node.outputs[0].type.shape:
        return None
    found = _producer(fgraph, z)
    if found is None:
        return None
    conv, order = found
    y = node.outputs[0]
    masks = [client for client in _clients(fgraph, z) if client is not node]
    for mask in masks:   # eq(y, z): the gradient of the maximum w.r.t. z
        if not (isinstance(mask.op, Elemwise) and type(mask.op.scalar_op) is ps.EQ
                and set(mask.inputs) == {y, z}):
            return None
    inputs = list(conv.inputs)
    if len(inputs) == 2:
        inputs.append(pt.zeros((conv.inputs[1].type.shape[3],), 'float32'))
    if inputs[2].type.shape[0] is None:
        return None
    fused = _layout(native_conv.Conv2dFused(*_spatial_props(conv.op), 'relu')(*inputs), order)
    return [(y, fused)] + [(mask.outputs[0], pt.gt(fused, 0)) for mask in masks]


def _fuse_pool(fgraph, node):
    """pool2d(conv) -> Conv2dFused with its pooling, where the convolution's output (linear
    or relu) has no other use."""
    if type(node.op) is not native_conv.Pool2d:
        return None
    conv = node.inputs[0].owner
    if conv is None or type(conv.op) is not native_conv.Conv2dFused or conv.op.pool is not None \
            or len(_clients(fgraph, node.inputs[0])) != 1:
        return None
    op = node.op
    pool = (op.window, op.strides, op.border_mode, op.mode)
    fused = native_conv.Conv2dFused(*_spatial_props(conv.op), conv.op.activation, pool)
    return [(node.outputs[0], fused(*conv.inputs))]


def _relu_mask(fgraph, dz, x, kernel):
    """(y, dy) where ``dz`` is ``gt(y, 0) * dy``, y the output of the relu Conv2dFused of
    x and kernel; else None."""
    node = dz.owner
    if not (node is not None and isinstance(node.op, Elemwise)
            and type(node.op.scalar_op) is ps.Mul and len(node.inputs) == 2):
        return None
    for mask, dy in (node.inputs, node.inputs[::-1]):
        gt = mask.owner
        if not (gt is not None and isinstance(gt.op, Elemwise)
                and type(gt.op.scalar_op) is ps.GT and _is_zero(gt.inputs[1])):
            continue
        conv = gt.inputs[0].owner
        if (conv is not None and type(conv.op) is native_conv.Conv2dFused
                and conv.op.activation == 'relu' and conv.op.pool is None
                and conv.inputs[0] is x and conv.inputs[1] is kernel
                and dy.type.shape == dz.type.shape and dy.dtype == 'float32'):
            return gt.inputs[0], dy
    return None


def _pool_gradient(fgraph, dy, single_use, x, kernel):
    """(y, the pooling's output gradient, the pooling) where ``dy`` is the native pooling
    gradient of y, the output of a Conv2dFused of x and kernel (and, with ``single_use``,
    dy has no other use); else None."""
    node = dy.owner
    if node is None or type(node.op) is not native_conv.Pool2dGrad or (
            single_use and len(_clients(fgraph, dy)) != 1):
        return None
    y, grad = node.inputs
    conv = y.owner
    if conv is None or type(conv.op) is not native_conv.Conv2dFused or conv.op.pool is not None \
            or conv.inputs[0] is not x or conv.inputs[1] is not kernel:
        return None
    op = node.op
    return y, grad, (op.window, op.strides, op.border_mode, op.mode)


def _fuse_backward(fgraph, node):
    """The kernel's gradient, the input's (if any) and the bias's sum of one dz (through a
    relu mask where there is one) -> one Conv2dBackward."""
    if type(node.op) is not native_conv.Conv2dGradKernel:
        return None
    x, kernel, dz = node.inputs
    grad_input, bias_sum = None, None
    for client in _clients(fgraph, dz):
        op = client.op
        if client is node:
            continue
        if type(op) is native_conv.Conv2dGradInput and op == native_conv.Conv2dGradInput(
                *_spatial_props(node.op)) and client.inputs[:2] == [x, kernel] \
                and grad_input is None:
            grad_input = client
        elif isinstance(op, Sum) and tuple(sorted(op.axis or ())) == (0, 1, 2) \
                and client.outputs[0].dtype == 'float32' and bias_sum is None:
            bias_sum = client
        else:
            return None
    found = _relu_mask(fgraph, dz, x, kernel)
    activation, (y, dy) = ('relu', found) if found else ('linear', (dz, dz))
    pool, unpooled = None, _pool_gradient(fgraph, dy, found is not None, x, kernel)
    if unpooled is not None and (found is None or unpooled[0] is y):
        y, dy, pool = unpooled
    op = native_conv.Conv2dBackward(*_spatial_props(node.op), activation,
                                    grad_input is not None, pool)
    outs = op(x, kernel, y, dy)
    pairs = [(node.outputs[0], outs[0])]
    if bias_sum is not None:
        pairs.append((bias_sum.outputs[0], outs[1]))
    if grad_input is not None:
        pairs.append((grad_input.outputs[0], outs[2]))
    return pairs


_RULES = (_fuse_bias, _fuse_relu, _fuse_pool, _fuse_backward)


class ConvFusion(GraphRewriter):
    """Applies the rules above until none applies (see the module docstring)."""

    def apply(self, fgraph):
        changed = enabled()
        while changed:
            changed = False
            for node in fgraph.toposort():
                for rule in _RULES:
                    pairs = rule(fgraph, node)
                    if pairs:
                        fgraph.replace_all_validate(pairs, reason='kcore_conv_fusion')
                        changed = True
                        break
                if changed:
                    break

    def add_requirements(self, fgraph):
        from pytensor.graph.features import ReplaceValidate
        fgraph.attach_feature(ReplaceValidate())


conv_fusion = ConvFusion()
