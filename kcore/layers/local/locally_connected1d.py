"""LocallyConnected1D: a 1D convolution whose filters differ at each output step."""
from kcore import backend as K
from kcore.engine.topology import InputSpec
from kcore.layers import base
from kcore.layers.local._patches import pad_same_1d, patches_1d


def require_known(layer, input_shape, wanted):
    """ValueError naming the layer unless every axis but the batch axis is known."""
    if len(input_shape) != len(wanted) or any(n is None for n in input_shape[1:]):
        raise ValueError('Layer %s needs a fully known input shape %s; got %s. Its weights '
                         'differ at each position, so give the first layer a complete '
                         'input_shape.' % (layer.name, '(' + ', '.join(wanted) + ')',
                                           tuple(input_shape)))


class LocallyConnected1D(base.WeightedLayer):
    """Unshared-weights Convolution1D: (samples, steps, input_dim) -> (samples, new_steps,
    nb_filter), with W (new_steps, filter_length * input_dim, nb_filter) (each patch
    flattened step-major) and b (new_steps, nb_filter), as Keras 1.1.2 stores them.

    Decision: the doc offers border_mode 'same' (Keras 1.1.2 refused it): the input is
    padded as for a 'same' convolution, so new_steps = ceil(steps / subsample_length).
    """

    conv_kernel_attributes = ()   # applied by dot products: nothing to flip between backends

    def __init__(self, nb_filter, filter_length, init='uniform', activation='linear',
                 weights=None, border_mode='valid', subsample_length=1, W_regularizer=None,
                 b_regularizer=None, activity_regularizer=None, W_constraint=None,
                 b_constraint=None, bias=True, input_dim=None, input_length=None, **kwargs):
        if input_dim is not None and 'input_shape' not in kwargs \
                and 'batch_input_shape' not in kwargs:
            kwargs['input_shape'] = (input_length, input_dim)
        super().__init__(init, activation, W_regularizer, b_regularizer, activity_regularizer,
                         W_constraint, b_constraint, bias, weights=weights, **kwargs)
        self.nb_filter = base.positive_int(self, 'nb_filter', nb_filter)
        self.filter_length = base.positive_int(self, 'filter_length', filter_length)
        self.border_mode = base.border_mode(self, border_mode)
        self.subsample_length = base.positive_int(self, 'subsample_length',
                                                       subsample_length)
        self.input_dim, self.input_length = input_dim, input_length
        self.input_spec = [InputSpec(ndim=3)]

    def build(self, input_shape):
        require_known(self, input_shape, ('samples', 'steps', 'input_dim'))
        self.input_length, self.input_dim = input_shape[1], input_shape[2]
        self.input_spec = [InputSpec(shape=(None,) + tuple(input_shape[1:]))]
        self.output_length = self.get_output_shape_for(input_shape)[1]
        self.W = self._weight('W', (self.output_length, self.filter_length * self.input_dim,
                                    self.nb_filter))
        self.b = self._weight('b', (self.output_length, self.nb_filter), 'zero') \
            if self.bias else None
        self.built = True

    def get_output_shape_for(self, input_shape):
        steps, = base.output_lengths(self, input_shape, input_shape[1:2], (self.filter_length,),
                                self.border_mode, (self.subsample_length,), 'filter_length')
        return (input_shape[0], steps, self.nb_filter)

    def call(self, x, mask=None):
        if self.border_mode == 'same':
            x = pad_same_1d(x, self.input_length, self.filter_length, self.subsample_length)
        patches = patches_1d(x, self.output_length, self.filter_length, self.subsample_length)
        output = K.permute_dimensions(K.batch_dot(patches, self.W), (1, 0, 2))
        if self.bias:
            output = output + K.expand_dims(self.b, 0)
        return self.activation(output)

    def get_config(self):
        return dict(super().get_config(), nb_filter=self.nb_filter,
                    filter_length=self.filter_length, border_mode=self.border_mode,
                    subsample_length=self.subsample_length, input_dim=self.input_dim,
                    input_length=self.input_length)
