"""InputSpec: what a layer accepts, checked each time the layer is called."""
from kcore import backend as K
from kcore.engine.tensors import shape_of


class InputSpec:
    """The dtype, shape (None entries match anything) and/or number of axes a layer
    expects of one input. ``ndim`` may be an int or a string 'N+' (at least N axes)."""

    def __init__(self, dtype=None, shape=None, ndim=None):
        self.dtype = dtype
        self.shape = None if shape is None else tuple(shape)
        if self.shape is not None and ndim is None:
            ndim = len(self.shape)
        self.ndim = ndim

    def __repr__(self):
        parts = ['%s=%r' % (k, v) for k, v in
                 (('dtype', self.dtype), ('shape', self.shape), ('ndim', self.ndim))
                 if v is not None]
        return 'InputSpec(%s)' % ', '.join(parts)

    def problem(self, x):
        """What is wrong with tensor ``x`` for this spec, or None."""
        shape = shape_of(x)
        ndim = len(shape)
        if isinstance(self.ndim, str):
            least = int(self.ndim.rstrip('+'))
            if ndim < least:
                return 'expected at least %d axes, got shape %s (%d axes)' % (least, shape, ndim)
        elif self.ndim is not None and ndim != self.ndim:
            return 'expected %d axes%s, got shape %s (%d axes)' % (
                self.ndim, '' if self.shape is None else ' (shape %s)' % (self.shape,),
                shape, ndim)
        if self.dtype is not None and K.dtype(x) != self.dtype:
            return 'expected dtype %s, got dtype %s' % (self.dtype, K.dtype(x))
        if self.shape is not None:
            for want, got in zip(self.shape, shape):
                if want is not None and got is not None and want != got:
                    return 'expected shape %s, got shape %s' % (self.shape, shape)
        return None


def layer_specs(layer):
    """The layer's list of InputSpec (``input_spec``, or the doc's ``input_specs``)."""
    specs = getattr(layer, 'input_spec', None)
    if specs is None:
        specs = getattr(layer, 'input_specs', None)
    if specs is None:
        return []
    return list(specs) if isinstance(specs, (list, tuple)) else [specs]


def check_inputs(layer, inputs):
    """Raise ValueError naming the layer if ``inputs`` do not match its input specs."""
    specs = layer_specs(layer)
    if not specs:
        return
    if len(specs) > 1 and len(specs) != len(inputs):
        raise ValueError('Layer %s expects %d inputs, but it was called on %d: %s.'
                         % (layer.name, len(specs), len(inputs),
                            ', '.join(str(shape_of(x)) for x in inputs)))
    for index, (x, spec) in enumerate(zip(inputs, specs)):
        problem = None if spec is None else spec.problem(x)
        if problem:
            raise ValueError('Input %d is incompatible with layer %s: %s.'
                             % (index, layer.name, problem))
