"""GRU: the gated recurrent unit (Cho et al. 2014)."""
from kcore import backend as K
from kcore.layers.base import activation_config, get_activation
from kcore.layers.recurrent._dense_base import DenseRecurrent, activation_name, masked


class GRU(DenseRecurrent):
    """Update gate z, reset gate r, candidate hh::

        z = inner_activation(x.W_z + h_{t-1}.U_z + b_z)
        r = inner_activation(x.W_r + h_{t-1}.U_r + b_r)
        hh = activation(x.W_h + (r * h_{t-1}).U_h + b_h)
        h_t = z * h_{t-1} + (1 - z) * hh

    Weights (Keras 1.1.2): W_z, U_z, b_z, W_r, U_r, b_r, W_h, U_h, b_h; with
    ``consume_less='gpu'``: W, U, b with the gates in the order z, r, h.
    """

    gates = ('z', 'r', 'h')
    weight_order = ('z', 'r', 'h')

    def __init__(self, output_dim, init='glorot_uniform', inner_init='orthogonal',
                 activation='tanh', inner_activation='hard_sigmoid', W_regularizer=None,
                 U_regularizer=None, b_regularizer=None, dropout_W=0., dropout_U=0., **kwargs):
        self.inner_activation = get_activation(inner_activation)
        super().__init__(output_dim, init=init, inner_init=inner_init, activation=activation,
                         W_regularizer=W_regularizer, U_regularizer=U_regularizer,
                         b_regularizer=b_regularizer, dropout_W=dropout_W,
                         dropout_U=dropout_U, **kwargs)

    def recur(self, x, initial_states, mask):
        """``K.gru``, which a backend may run as one fused op, with the layer's dropout
        masks; the generic loop when unrolled or with other activations."""
        names = [activation_name(f) for f in (self.activation, self.inner_activation)]
        if self.unroll or None in names:
            return super().recur(x, initial_states, mask)
        return K.gru(self.fused_input(x), self.fused_weight('U'), initial_states, *names,
                     go_backwards=self.go_backwards, mask=mask,
                     dropout=self.recurrent_dropout_mask(x))

    def step(self, x, states):
        (h_tm1,), masks_U, masks_W = self.split_states(states)
        x_z, x_r, x_h = self.input_parts(x, masks_W)
        u_z, u_r = self.recurrent_parts(h_tm1, masks_U, count=2)
        z = self.inner_activation(x_z + u_z)
        r = self.inner_activation(x_r + u_r)
        U_h = self.gate_weights('U')[2]
        hh = self.activation(x_h + K.dot(masked(r * h_tm1, masks_U[2]), U_h))
        h = z * h_tm1 + (1 - z) * hh
        return h, [h]

    def get_config(self):
        return dict(super().get_config(),
                    inner_activation=activation_config(self.inner_activation))
