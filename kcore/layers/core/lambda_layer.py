"""Lambda: wrap any backend expression as a layer."""
import importlib
import inspect

import numpy as np

from kcore import backend as K
from kcore.engine import serialization
from kcore.engine.tensors import shape_of
from kcore.engine.topology import Layer


class Lambda(Layer):
    """Apply ``function(x, **arguments)`` to the input (a tensor or a list of tensors).

    ``output_shape``: a tuple (without the batch axis), a function of the input shape
    (with the batch axis; a list of shapes for a list input), or None: the shape the
    function produces, batch axis included, as Keras 1.1.2 on TensorFlow, on every backend
    (the VAE blog says it is not needed on TensorFlow). It is the static shape of the
    output on placeholders of the input shape; where that leaves an axis other than the
    batch axis unknown (PyTensor has no static length for ``x[:, ::-1]``), the function is
    run on zeros of the input shape, its unknown axes 1, 2 and 5 long in turn, and an
    axis that is the same length in all three runs is known (a dependence on an unknown
    input axis shows as a change; only a slice such as ``x[:1]`` of such an axis passes
    for fixed).

    Decisions: the doc says the function takes one argument, the previous
    output, but the VAE blog applies a Lambda to a list of two tensors: a list input
    reaches the function as one list. A function with a ``mask`` parameter receives the
    input mask. In configs a module-level function is stored by name (with its module),
    a lambda or closure as bytecode, which loads only with ``safe_mode=False``.
    """

    def __init__(self, function, output_shape=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        if not callable(function):
            raise TypeError('Layer %s: function must be callable; got %r.' % (self.name, function))
        self.function = function
        self.arguments = dict(arguments) if arguments else {}
        if output_shape is not None and not callable(output_shape):
            try:
                output_shape = tuple(output_shape)
            except TypeError:
                raise TypeError('Layer %s: output_shape must be a tuple, a function of the input '
                                'shape or None; got %r.' % (self.name, output_shape)) from None
        self._output_shape = output_shape

    def call(self, x, mask=None):
        xs = x if isinstance(x, list) else [x]
        arguments = dict(self.arguments)
        if 'mask' in _parameters(self.function):
            arguments['mask'] = mask
        y = self.function(x, **arguments)
        # what get_output_shape_for needs without running the function again
        self._last_call = ([shape_of(t) for t in xs], [K.dtype(t) for t in xs], y)
        return y

    def get_output_shape_for(self, input_shape):
        if self._output_shape is None:
            return self._inferred_shape(input_shape)
        if isinstance(self._output_shape, tuple):
            first = input_shape[0] if isinstance(input_shape, list) else input_shape
            return (first[0] if first else None,) + self._output_shape
        shape = self._output_shape(input_shape)
        if not isinstance(shape, (list, tuple)):
            raise ValueError('Layer %s: the output_shape function returned %r for input shape '
                             '%s; it must return a tuple.' % (self.name, shape, input_shape))
        if isinstance(shape, list) and shape and all(isinstance(s, (list, tuple)) for s in shape):
            return [tuple(s) for s in shape]     # one shape per output
        return tuple(shape)

    def _inferred_shape(self, input_shape):
        """The shape(s) of the function's output for ``input_shape`` (see the class
        docstring): the static shape of the last call's output when it had these input
        shapes, else of the output on new placeholders (in the last call's dtypes); None
        when the function cannot run on them (the engine then reads the output tensor)."""
        several = isinstance(input_shape, list) and all(
            isinstance(s, (list, tuple)) for s in input_shape)
        shapes = [tuple(s) for s in (input_shape if several else [input_shape])]
        last_shapes, dtypes, y = getattr(self, '_last_call', ([], [], None))
        if len(dtypes) != len(shapes):
            dtypes = [None] * len(shapes)
        try:
            xs = None
            if last_shapes != shapes:
                xs = [K.placeholder(shape=s, dtype=d) for s, d in zip(shapes, dtypes)]
                y = self.call(xs if several else xs[0])
            outputs = y if isinstance(y, list) else [y]
            static = [tuple(K.int_shape(t)) for t in outputs]
            if any(None in s[1:] for s in static):
                if xs is None:   # trace the function alone, not the model behind the call
                    xs = [K.placeholder(shape=s, dtype=d) for s, d in zip(shapes, dtypes)]
                    y = self.call(xs if several else xs[0])
                    outputs = y if isinstance(y, list) else [y]
                try:
                    static = _traced(xs, outputs, static)
                except Exception:   # the function fails on zeros: keep the static shape
                    pass
            return static if isinstance(y, list) else static[0]
        except Exception:   # any error of the user's function on a placeholder: not ours
            return None

    def get_config(self):
        function, function_type = serialization.serialize_function(self.function)
        config = {'function': function, 'function_type': function_type,
                  'function_module': _module(self.function, function_type),
                  'arguments': self.arguments}
        shape = self._output_shape
        if shape is None or isinstance(shape, tuple):
            config.update(output_shape=shape, output_shape_type='raw')
        else:
            value, kind = serialization.serialize_function(shape)
            config.update(output_shape=value, output_shape_type=kind,
                          output_shape_module=_module(shape, kind))
        return dict(super().get_config(), **config)

    @classmethod
    def from_config(cls, config):
        """Rebuild the layer; a function stored as bytecode needs safe_mode=False."""
        config = dict(config)
        owner = 'The function of Lambda layer %r' % config.get('name', '?')
        function = _load(config.pop('function'), config.pop('function_type', 'lambda'),
                         config.pop('function_module', None), owner)
        owner = 'The output_shape of Lambda layer %r' % config.get('name', '?')
        shape = _load(config.pop('output_shape', None), config.pop('output_shape_type', 'raw'),
                      config.pop('output_shape_module', None), owner)
        if isinstance(shape, list):
            shape = tuple(shape)
        return cls(function, output_shape=shape, **config)


def _traced(inputs, outputs, static):
    """``static`` (the outputs' static shapes) completed by running the function: the
    outputs' shapes on zeros of the inputs' shapes, their unknown axes of each trial
    length; an axis is known where all trials agree (see the Lambda docstring)."""
    shape_of_outputs = K.function(inputs, [K.shape(t) for t in outputs])
    trials = []
    for length in _TRIAL_LENGTHS:
        values = [np.zeros([length if d is None else d for d in K.int_shape(x)],
                           dtype=K.dtype(x)) for x in inputs]
        trials.append([tuple(int(d) for d in s) for s in shape_of_outputs(values)])
    shapes = []
    for i, known in enumerate(static):
        runs = [trial[i] for trial in trials]
        shapes.append(tuple(d if d is not None or len({run[a] for run in runs}) > 1
                            else runs[0][a] for a, d in enumerate(known)))
    return shapes


def _parameters(function):
    try:
        return inspect.signature(function).parameters
    except (TypeError, ValueError):
        return {}


# Lengths given to the unknown input axes when the function is traced: 1 shows slices
# such as x[:2] of such an axis as depending on it.
_TRIAL_LENGTHS = (1, 2, 5)


def _module(function, kind):
    """The module a function stored by name comes from (the backend's methods count as
    'kcore.backend')."""
    if kind != 'function':
        return None
    from kcore.backend.protocol import Backend
    if isinstance(getattr(function, '__self__', None), Backend):
        return 'kcore.backend'
    return getattr(function, '__module__', None)


# kcore's own functions a config may name even in safe mode: the activations and the
# backend's tensor functions (not those that change the session or the configuration).
_UNSAFE_BACKEND_PREFIXES = ('set_', 'clear_', 'reset_', 'manual_', 'get_session', 'print_')


def _load(value, kind, module, owner):
    """Resolve a stored function: custom_objects, then kcore's own activations and backend
    functions, then (only with safe_mode=False) the module it came from."""
    if kind != 'function' or value in serialization.custom_objects():
        return serialization.deserialize_function(value, kind, owner)
    if module == 'kcore.activations':
        return serialization.get_object(value, 'activations')
    if module == 'kcore.backend' and _safe_backend_function(value):
        from kcore import backend as K
        return getattr(K, value)
    if module and not serialization.safe_mode():
        try:
            return getattr(importlib.import_module(module), value)
        except (ImportError, AttributeError) as e:
            raise ValueError('%s is the function %r of module %r, which cannot be imported here '
                             '(%s); pass custom_objects={%r: ...}.'
                             % (owner, value, module, e, value)) from None
    if module:
        owner += ' (module %r; safe_mode=False would import it from there)' % module
    return serialization.deserialize_function(value, kind, owner)


def _safe_backend_function(name):
    from kcore.backend.protocol import protocol_functions
    return name in protocol_functions() and not name.startswith(_UNSAFE_BACKEND_PREFIXES)
