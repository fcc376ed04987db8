"""The parts of ``rnn`` that backends share, written with protocol functions."""


def unrolled(K, step, x, states, mask, input_length):
    """``rnn``'s loop unrolled in Python over the time-major ``x`` (time, samples, ...):
    ``step(x_t, states, keep_t, previous_output) -> (output, new_states)``, where keep_t
    is the time-major ``mask``'s row (None without a mask) and previous_output is None at
    the first step. Returns (last output, the outputs stacked on axis 0, last states)."""
    steps = K.int_shape(x)[0]
    if steps is None:
        steps = input_length
    if steps is None:
        raise ValueError('rnn: unroll=True needs a known number of time steps: give '
                         'inputs a static time axis or pass input_length.')
    outputs, output = [], None
    for t in range(int(steps)):
        output, states = step(x[t], states, None if mask is None else mask[t], output)
        outputs.append(output)
    return output, K.stack(outputs), states
