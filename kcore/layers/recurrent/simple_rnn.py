"""SimpleRNN: a fully connected recurrent layer whose output is fed back."""
from kcore.layers.recurrent._dense_base import DenseRecurrent


class SimpleRNN(DenseRecurrent):
    """``h_t = activation(x_t.W + h_{t-1}.U + b)``.

    Weights [W (input_dim, output_dim), U (output_dim, output_dim), b (output_dim,)].
    Decision: the doc lists the third as (output_dim, output_dim); it is the
    bias, (output_dim,), as in Keras 1.1.2.
    """

    def step(self, x, states):
        (h_tm1,), masks_U, masks_W = self.split_states(states)
        (x_h,) = self.input_parts(x, masks_W)
        (u_h,) = self.recurrent_parts(h_tm1, masks_U)
        h = self.activation(x_h + u_h)
        return h, [h]
