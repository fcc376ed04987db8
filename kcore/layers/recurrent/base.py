"""Recurrent: the base of the recurrent layers (``keras.layers.recurrent.Recurrent``).

A subclass defines ``build`` (weights, via :meth:`Recurrent.build` for the shared part),
``step(x_t, states) -> (output_t, new_states)``, ``state_shapes(input_shape)`` and
optionally ``get_constants`` / ``preprocess_input``; the base runs ``K.rnn`` over the
time axis with masks, go_backwards, unroll and stateful states.
"""
import numpy as np

from kcore import backend as K
from kcore.engine.topology import InputSpec, Layer

CONSUME_LESS = ('cpu', 'mem', 'gpu')


class Recurrent(Layer):
    """Abstract base class; use SimpleRNN, GRU or LSTM.

    Input (samples, timesteps, input_dim); output (samples, timesteps, output_dim) with
    ``return_sequences=True``, else (samples, output_dim). Decision: the doc's
    comment that ``LSTM(32, input_shape=(10, 64))`` outputs (None, 10, 32) is a slip; the
    stated rule (the last output only, (None, 32)) holds.

    ``stateful=True`` keeps the final states of each batch as the initial states of the
    next: the states are variables, updated through ``layer.updates`` by the model's
    functions; they need a fixed batch size (``batch_input_shape``).

    Decisions: ``unroll=True`` unrolls on every backend (the doc calls it a no-op on
    TensorFlow) and needs a known number of timesteps. ``consume_less``
    takes 'cpu', 'mem' and also 'gpu', which upstream's benchmarks used.
    """

    state_count = 1
    input_ndim = 3

    def __init__(self, weights=None, return_sequences=False, go_backwards=False, stateful=False,
                 unroll=False, consume_less='cpu', input_dim=None, input_length=None, **kwargs):
        if type(self) is Recurrent:
            raise TypeError('Recurrent is an abstract base class: use SimpleRNN, GRU or LSTM, '
                            'or subclass it and define build, step and state_shapes.')
        if consume_less not in CONSUME_LESS:
            raise ValueError("%s: consume_less must be one of %s; got %r."
                             % (type(self).__name__, ', '.join(map(repr, CONSUME_LESS)),
                                consume_less))
        if input_dim is not None and 'input_shape' not in kwargs \
                and 'batch_input_shape' not in kwargs:
            kwargs['input_shape'] = (input_length, input_dim)
        self.return_sequences = bool(return_sequences)
        self.go_backwards = bool(go_backwards)
        self.stateful = bool(stateful)
        self.unroll = bool(unroll)
        self.consume_less = consume_less
        self.input_dim, self.input_length = input_dim, input_length
        self.supports_masking = True
        self.input_spec = [InputSpec(ndim=self.input_ndim)]
        self.states = [None] * self.state_count
        super().__init__(weights=weights, **kwargs)
        shape = getattr(self, 'batch_input_shape', None)
        if shape and len(shape) == 3:
            self.input_length, self.input_dim = shape[1], shape[2]

    # ----------------------------------------------------------------- shapes
    input_description = '(samples, timesteps, input_dim)'

    def check_input_shape(self, input_shape):
        """ValueError naming the layer unless ``input_shape`` has ``input_ndim`` axes."""
        if input_shape is None or len(input_shape) != self.input_ndim:
            raise ValueError('Layer %s (%s) expects input of shape %s (%d axes); got shape %s.'
                             % (self.name, type(self).__name__, self.input_description,
                                self.input_ndim, input_shape))

    def get_output_shape_for(self, input_shape):
        self.check_input_shape(input_shape)
        if self.return_sequences:
            return (input_shape[0], input_shape[1], self.output_dim)
        return (input_shape[0], self.output_dim)

    def compute_mask(self, input, mask=None):
        return mask if self.return_sequences else None

    def state_shapes(self, input_shape):
        """The shape of each state for inputs of ``input_shape``."""
        return [(input_shape[0], self.output_dim)] * self.state_count

    # ------------------------------------------------------------------ build
    def build(self, input_shape):
        """Record the input spec and create the states of a stateful layer; subclasses
        create their weights after calling this."""
        self.check_input_shape(input_shape)
        batch_size = input_shape[0] if self.stateful else None
        self.input_spec = [InputSpec(shape=(batch_size, None) + tuple(input_shape[2:]))]
        if self.stateful:
            self.states = self._create_states(input_shape)
        else:
            self.states = [None] * self.state_count

    def _create_states(self, input_shape):
        if input_shape[0] is None:
            raise ValueError(
                'Layer %s is stateful, so it needs a fixed batch size, but its input shape is '
                '%s. Give the first layer batch_input_shape=(batch_size, timesteps, ...) '
                '(e.g. batch_input_shape=(32, 10, 16)), or use Input(batch_shape=...) in the '
                'functional API.' % (self.name, tuple(input_shape)))
        return [K.zeros(shape, name='%s_state_%d' % (self.name, index))
                for index, shape in enumerate(self.state_shapes(input_shape))]

    # ---------------------------------------------------------- computation
    def get_initial_states(self, x):
        """All-zero states, one (samples, output_dim) tensor per state."""
        zeros = K.expand_dims(K.zeros_like(x[:, 0, 0]), 1)   # (samples, 1)
        return [K.tile(zeros, (1, self.output_dim))] * self.state_count

    def get_constants(self, x):
        """Tensors given to every step after the states (e.g. dropout masks)."""
        return []

    def preprocess_input(self, x):
        """The input as the steps read it (e.g. already projected)."""
        return x

    def step(self, x, states):
        raise NotImplementedError('%s must define step(x, states).' % type(self).__name__)

    def call(self, x, mask=None):
        timesteps = K.int_shape(x)[1]
        if self.unroll and timesteps is None:
            raise ValueError(
                'Layer %s cannot unroll: the number of timesteps of its input %s is unknown. '
                'Give it with input_shape/batch_input_shape (or input_length) on the first '
                'layer, or Input(shape=(timesteps, ...)).' % (self.name, K.int_shape(x)))
        initial = list(self.states) if self.stateful else self.get_initial_states(x)
        last, outputs, states = self.recur(x, initial, mask)
        if self.stateful:
            self.add_update(list(zip(self.states, states)), inputs=x)
        return outputs if self.return_sequences else last

    def recur(self, x, initial_states, mask):
        """(last output, outputs, final states) of the steps over ``x``: ``K.rnn`` of
        ``step`` on the preprocessed input."""
        return K.rnn(self.step, self.preprocess_input(x), initial_states,
                     go_backwards=self.go_backwards, mask=mask,
                     constants=self.get_constants(x), unroll=self.unroll,
                     input_length=K.int_shape(x)[1])

    # ----------------------------------------------------------------- states
    def reset_states(self, states=None):
        """Set the states of a stateful layer to zeros, or to ``states`` (an array, or a
        list with one array per state)."""
        if not self.stateful:
            raise ValueError('Layer %s is not stateful: reset_states applies to recurrent '
                             'layers created with stateful=True.' % (self.name,))
        if not self.built or self.states[0] is None:
            raise ValueError('Layer %s has no states yet: they are created when the layer is '
                             'built (called on its first input).' % (self.name,))
        shapes = [tuple(K.int_shape(s)) for s in self.states]
        if states is None:
            values = [np.zeros(shape) for shape in shapes]
        else:
            values = [np.asarray(v) for v in (states if isinstance(states, (list, tuple))
                                              else [states])]
        got = [v.shape for v in values]
        if got != shapes:
            raise ValueError('Layer %s: reset_states got arrays of shapes %s; its states have '
                             'shapes %s.' % (self.name, got, shapes))
        K.batch_set_value(list(zip(self.states, values)))

    # ----------------------------------------------------------------- config
    def get_config(self):
        config = {'return_sequences': self.return_sequences,
                  'go_backwards': self.go_backwards,
                  'stateful': self.stateful,
                  'unroll': self.unroll,
                  'consume_less': self.consume_less}
        shape = getattr(self, 'batch_input_shape', None)
        known = shape is not None and len(shape) == 3
        config['input_dim'] = shape[2] if known else None
        config['input_length'] = shape[1] if known else None
        return dict(super().get_config(), **config)
