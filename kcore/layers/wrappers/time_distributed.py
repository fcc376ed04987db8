"""TimeDistributed: apply a layer (or a model) to every timestep of its input."""
from kcore import backend as K
from kcore.engine.tensors import call_layer
from kcore.engine.topology import InputSpec
from kcore.layers.wrappers.base import Wrapper


class TimeDistributed(Wrapper):
    """Apply ``layer`` to every temporal slice (axis 1) of an input of at least 3 axes:
    ``TimeDistributed(Dense(8), input_shape=(10, 16))`` outputs (None, 10, 8), the same
    Dense (same weights) on each of the 10 steps.

    With an unknown batch size the input is reshaped to (samples * timesteps, ...), run
    once and reshaped back; with a fixed batch size (e.g. a stateful or batch-sized inner
    layer) the layer runs step by step through ``K.rnn``, as in Keras 1.1.2. An input mask
    passes through unchanged. The wrapped layer's activity regularizer applies to the
    whole output.
    """

    def __init__(self, layer, **kwargs):
        super().__init__(layer, **kwargs)
        self.supports_masking = True
        self.input_spec = [InputSpec(ndim='3+')]

    @property
    def dim_ordering(self):
        """The wrapped layer's dim_ordering (kernel conversions read it)."""
        try:
            return self.layer.dim_ordering
        except AttributeError:
            raise AttributeError('dim_ordering') from None

    def _check(self, input_shape):
        if input_shape is None or len(input_shape) < 3:
            raise ValueError('Layer %s (TimeDistributed) expects input of shape (samples, '
                             'timesteps, ...) with at least 3 axes; got shape %s.'
                             % (self.name, input_shape))
        return (input_shape[0],) + tuple(input_shape[2:])

    def build(self, input_shape):
        step_shape = self._check(input_shape)
        self.input_spec = [InputSpec(shape=(None, None) + tuple(input_shape[2:]))]
        self._build_inner(self.layer, step_shape)
        self.built = True

    def get_output_shape_for(self, input_shape):
        step_output = self.layer.get_output_shape_for(self._check(input_shape))
        return (step_output[0], input_shape[1]) + tuple(step_output[1:])

    def call(self, x, mask=None):
        if K.int_shape(x)[0] is not None:
            def step(x_t, states):
                return call_layer(self.layer, x_t, None), []
            _, outputs, _ = K.rnn(step, x, [], input_length=K.int_shape(x)[1])
            return outputs
        shape = K.int_shape(x)
        y = call_layer(self.layer, K.reshape(x, [-1] + _dims(x, shape, 2)), None)
        steps = shape[1] if shape[1] is not None else K.shape(x)[1]
        return K.reshape(y, [-1, steps] + _dims(y, K.int_shape(y), 1))

    def _call_losses(self, outputs):
        """The wrapped layer's activity penalty (a model's: those of its inner calls)."""
        return self.layer._call_losses(outputs)


def _dims(x, static, start):
    """The sizes of the axes of ``x`` from ``start`` on: static where known, else dynamic."""
    return [d if d is not None else K.shape(x)[i] for i, d in enumerate(static) if i >= start]
