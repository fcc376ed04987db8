"""rnn on PyTensor: a ``scan`` loop over the time steps, or a graph unrolled in Python; and
the scan helpers that the other loops (folds, map_fn, CTC) share.

For scan the step function is called once, on stand-ins for a step's input and states, and
that graph becomes the loop's body. What the step uses but computes without the loop's
values (the gates' recurrent weights joined into one matrix, the dropout masks given as
``constants``) goes to scan as explicit non-sequences, computed once before the loop.
Left implicit, scan would rebuild such values from the weights inside the loop and
differentiate them there: the gradient then sums per-gate pieces at every step, which keeps
PyTensor from moving the sum of the recurrent weights' gradient out of the loop (one
large matrix product after it instead of one small product per step), and random masks
in the loop break scan's gradient. Random draws made inside a step stay in the loop.
"""
import pytensor
import pytensor.tensor as pt
from pytensor.compile.sharedvalue import SharedVariable
from pytensor.graph.basic import Constant
from pytensor.graph.replace import graph_replace
from pytensor.graph.traversal import toposort
from pytensor.tensor.random.op import RandomVariable
from pytensor.tensor.random.type import RandomType

from kcore.backend.arguments import step_results
from kcore.backend.rnn_loops import unrolled


def _tensor(x):
    return x if isinstance(x, pt.TensorVariable) else pt.as_tensor_variable(x)


def scan(fn, **kwargs):
    """pytensor.scan's outputs as a list. The updates of shared variables created in the
    loop (the random streams of a step function) become their default updates, which
    ``function`` applies: each call draws new numbers."""
    outputs, updates = pytensor.scan(fn, return_list=True, **kwargs)
    for variable, new_value in updates.items():
        if getattr(variable, 'default_update', None) is None:
            variable.default_update = new_value
    return outputs


def match(new, old):
    """``new`` in the dtype of ``old`` (scan needs each loop value to keep its dtype; it
    accepts static shapes that differ but agree)."""
    new = _tensor(new)
    if new.ndim != old.ndim:
        raise ValueError('a loop value changed from %d to %d axes; it must keep its shape.'
                         % (old.ndim, new.ndim))
    for a, b in zip(new.type.shape, old.type.shape):
        if a is not None and b is not None and a != b:
            raise ValueError('a loop value changed its shape from %s to %s; it must keep its '
                             'shape.' % (old.type.shape, new.type.shape))
    return new if new.dtype == old.dtype else pt.cast(new, old.dtype)


def rnn(backend, step_function, inputs, initial_states, go_backwards=False, mask=None,
        constants=None, unroll=False, input_length=None):
    """K.rnn of ``backend``: (last output, outputs (samples, time, ...), last states)."""
    inputs = _tensor(inputs)
    ndim = inputs.ndim
    if ndim < 3:
        raise ValueError('rnn: inputs must have at least 3 axes (samples, time, ...); got '
                         'shape %s.' % (inputs.type.shape,))
    constants = [_tensor(c) for c in (constants or [])]
    states = [_tensor(s) for s in initial_states]
    x = inputs.dimshuffle((1, 0) + tuple(range(2, ndim)))
    mask = None if mask is None else _time_major_mask(mask, inputs)
    if go_backwards:
        x = x[::-1]
        mask = None if mask is None else mask[::-1]
    phase_flag = []

    def step(x_t, states, keep=None, previous=None):
        output, new_states = _call_step(step_function, x_t, states, constants, phase_flag)
        if keep is None:
            return output, new_states
        previous = pt.zeros_like(output) if previous is None else previous
        return _masked(keep, output, new_states, previous, states)

    if unroll:
        last, outputs, states = unrolled(backend, step, x, states, mask, input_length)
    else:
        last, outputs, states = _scanned(step, x, states, mask, constants)
    outputs = outputs.dimshuffle((1, 0) + tuple(range(2, outputs.ndim)))
    if phase_flag:
        last._uses_learning_phase = outputs._uses_learning_phase = True
    return last, outputs, states


def _time_major_mask(mask, inputs):
    mask = _tensor(mask)
    if mask.ndim == 3 and mask.type.shape[2] in (None, 1):
        mask = mask[:, :, 0]
    elif mask.ndim != 2:
        raise ValueError('rnn: mask must have shape (samples, time) or (samples, time, 1) '
                         'matching inputs %s; got %d axes.' % (inputs.type.shape, mask.ndim))
    keep = mask if mask.dtype == 'bool' else pt.neq(mask, 0)
    return keep.dimshuffle(1, 0)


def _call_step(step_function, x_t, states, constants, phase_flag):
    """One step: (output, new states, each in the dtype of its state). ``phase_flag`` (a
    list) gets True appended when the output uses the learning phase."""
    output, new_states = step_function(x_t, list(states) + list(constants))
    output = _tensor(output)
    new_states = step_results(output, new_states, states, phase_flag)
    return output, [match(new, old) for new, old in zip(new_states, states)]


def _where(keep, new, old):
    """``new`` where the per-sample bool ``keep`` (samples,) holds, else ``old``."""
    pattern = [0] + ['x'] * (new.ndim - 1)
    return pt.switch(keep.dimshuffle(pattern), new, old)


def _masked(keep, output, new_states, prev_output, states):
    """On samples whose ``keep`` is False the previous output and states carry over."""
    output = _where(keep, output, match(prev_output, output))
    new_states = [match(_where(keep, new, old), old) for new, old in zip(new_states, states)]
    return output, new_states


def _scanned(step, x, states, mask, constants):
    """The loop on scan: the step traced once on stand-ins (see the module docstring)."""
    x_in = x[0].type()
    states_in = [s.type() for s in states]
    output, new_states = step(x_in, states_in)
    traced = [output] + new_states
    stand_ins = [x_in] + states_in
    invariants = loop_invariants(traced, stand_ins, given=constants)

    def body_of(x_t, states_t):
        values = graph_replace(traced, dict(zip(stand_ins, [x_t] + list(states_t))),
                               strict=False)
        return values[0], values[1:]

    n_states = len(states)
    if mask is None:
        def body(x_t, *rest):
            output_t, states_t = body_of(x_t, rest[:n_states])
            return [output_t] + states_t

        results = scan(body, sequences=[x], outputs_info=[None] + states,
                       non_sequences=invariants)
    else:
        # The output carried over masked steps starts at zeros shaped like a step's output.
        initial = pt.zeros_like(body_of(x[0], states)[0])

        def body(x_t, keep_t, prev_output, *rest):
            output_t, states_t = body_of(x_t, rest[:n_states])
            output_t, states_t = _masked(keep_t, output_t, states_t, prev_output,
                                         rest[:n_states])
            return [match(output_t, prev_output)] + states_t

        results = scan(body, sequences=[x, mask], outputs_info=[initial] + states,
                       non_sequences=invariants)
    outputs = results[0]
    return outputs[-1], outputs, [r[-1] for r in results[1:1 + n_states]]


def loop_invariants(outputs, loop_inputs, given=()):
    """The values that ``outputs`` read from outside a loop over ``loop_inputs``: the
    inputs of the computations that depend on the loop's values or draw random numbers,
    where such an input depends on neither. ``given`` (the rnn's constants) count as
    computed outside even when they are random. Constants, shared variables and random
    generators are left out: scan embeds the first and follows the others itself (a
    generator's updates included)."""
    variant = set(loop_inputs)
    invariants = []
    for node in toposort(outputs, blockers=list(loop_inputs) + list(given)):
        if not (isinstance(node.op, RandomVariable) or any(i in variant for i in node.inputs)):
            continue
        variant.update(node.outputs)
        for i in node.inputs:
            if (i not in variant and i not in invariants
                    and not isinstance(i, (Constant, SharedVariable))
                    and not isinstance(i.type, RandomType)):
                invariants.append(i)
    return invariants
