"""SimpleRNN: a fully connected recurrent layer whose output is fed back."""
from kcore import backend as K
from kcore.layers.recurrent._dense_base import DenseRecurrent, activation_name


class SimpleRNN(DenseRecurrent):
    """``h_t = activation(x_t.W + h_{t-1}.U + b)``.

    Weights [W (input_dim, output_dim), U (output_dim, output_dim), b (output_dim,)].
    Decision: the doc lists the third as (output_dim, output_dim); it is the
    bias, (output_dim,), as in Keras 1.1.2.
    """

    def recur(self, x, initial_states, mask):
        """``K.simple_rnn``, which a backend may run as one fused op, with the layer's
        dropout masks; the generic loop when unrolled or with another activation."""
        name = activation_name(self.activation)
        if self.unroll or name is None:
            return super().recur(x, initial_states, mask)
        return K.simple_rnn(self.fused_input(x), self.U, initial_states, name,
                            go_backwards=self.go_backwards, mask=mask,
                            dropout=self.recurrent_dropout_mask(x))

    def step(self, x, states):
        (h_tm1,), masks_U, masks_W = self.split_states(states)
        (x_h,) = self.input_parts(x, masks_W)
        (u_h,) = self.recurrent_parts(h_tm1, masks_U)
        h = self.activation(x_h + u_h)
        return h, [h]
