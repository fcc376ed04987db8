"""LSTM: long short-term memory (Hochreiter & Schmidhuber 1997; Gers et al. 2000)."""
from kcore import backend as K
from kcore import initializations
from kcore.layers.base import activation_config, get_activation
from kcore.layers.recurrent._dense_base import DenseRecurrent, activation_name


class LSTM(DenseRecurrent):
    """Input gate i, forget gate f, cell c, output gate o::

        i = inner_activation(x.W_i + h_{t-1}.U_i + b_i)
        f = inner_activation(x.W_f + h_{t-1}.U_f + b_f)
        c_t = f * c_{t-1} + i * activation(x.W_c + h_{t-1}.U_c + b_c)
        o = inner_activation(x.W_o + h_{t-1}.U_o + b_o)
        h_t = o * activation(c_t)

    Weights in Keras 1.1.2's order: W_i, U_i, b_i, W_c, U_c, b_c, W_f, U_f, b_f, W_o, U_o,
    b_o; with ``consume_less='gpu'``: W, U, b with the gates in the order i, f, c, o.
    ``forget_bias_init`` initializes b_f ('one', as Jozefowicz et al. recommend).
    """

    gates = ('i', 'f', 'c', 'o')
    weight_order = ('i', 'c', 'f', 'o')
    state_count = 2

    def __init__(self, output_dim, init='glorot_uniform', inner_init='orthogonal',
                 forget_bias_init='one', activation='tanh', inner_activation='hard_sigmoid',
                 W_regularizer=None, U_regularizer=None, b_regularizer=None, dropout_W=0.,
                 dropout_U=0., **kwargs):
        self.forget_bias_init = initializations.get(forget_bias_init)
        self.inner_activation = get_activation(inner_activation)
        super().__init__(output_dim, init=init, inner_init=inner_init, activation=activation,
                         W_regularizer=W_regularizer, U_regularizer=U_regularizer,
                         b_regularizer=b_regularizer, dropout_W=dropout_W,
                         dropout_U=dropout_U, **kwargs)

    def bias_init(self, gate):
        return self.forget_bias_init if gate == 'f' else 'zero'

    def preprocess_input(self, x):
        # In 'cpu' mode without recurrent dropout, the step makes one product h.U with the
        # gates' U side by side, joined here once rather than at every step.
        self._joined_U = (self.fused_weight('U') if self.consume_less == 'cpu'
                          and not self._mask_count('U') else None)
        return super().preprocess_input(x)

    def recur(self, x, initial_states, mask):
        """``K.lstm``, which a backend may run as one fused op, unless the layer needs the
        generic loop: unrolled or with other activations. Dropout keeps the masks the
        step would draw: on the input one per gate ('cpu', 'mem') or one for all ('gpu'),
        applied before x.W; on h as many, passed to ``K.lstm`` as its ``dropout``."""
        names = [activation_name(f) for f in (self.activation, self.inner_activation)]
        if self.unroll or None in names:
            return super().recur(x, initial_states, mask)
        return K.lstm(self.fused_input(x), self.fused_weight('U'), initial_states, *names,
                      go_backwards=self.go_backwards, mask=mask,
                      dropout=self.recurrent_dropout_mask(x))

    def step(self, x, states):
        (h_tm1, c_tm1), masks_U, masks_W = self.split_states(states)
        joined_U = getattr(self, '_joined_U', None)
        if joined_U is not None:  # x holds x.W + b of all gates: one sum, then the gates
            z_i, z_f, z_c, z_o = self.split(x + K.dot(h_tm1, joined_U), 4)
        else:
            x_i, x_f, x_c, x_o = self.input_parts(x, masks_W)
            u_i, u_f, u_c, u_o = self.recurrent_parts(h_tm1, masks_U)
            z_i, z_f, z_c, z_o = x_i + u_i, x_f + u_f, x_c + u_c, x_o + u_o
        i = self.inner_activation(z_i)
        f = self.inner_activation(z_f)
        c = f * c_tm1 + i * self.activation(z_c)
        o = self.inner_activation(z_o)
        h = o * self.activation(c)
        return h, [h, c]

    def get_config(self):
        return dict(super().get_config(),
                    forget_bias_init=self.forget_bias_init.__name__,
                    inner_activation=activation_config(self.inner_activation))

