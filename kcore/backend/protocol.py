"""The backend protocol: every function of ``kcore.backend`` (``K``), defined once.

A backend plugin subclasses :class:`Backend` and implements each abstract
method; an incomplete subclass cannot be instantiated. Conventions all backends
share:

- ``dim_ordering='default'`` means the config's ``image_dim_ordering``. 'th' is
  (samples, channels, rows, cols), 'tf' is (samples, rows, cols, channels).
- Convolutions are cross-correlations (the kernel is not flipped). 2D kernels are
  (nb_filter, stack, rows, cols) in 'th' and (rows, cols, stack, nb_filter) in 'tf';
  3D kernels likewise with three spatial axes; 1D kernels are (length, input_dim,
  nb_filter) on inputs (samples, steps, input_dim).
- ``border_mode='same'`` pads as TensorFlow does (the odd pixel at the end);
  average pooling with 'same' averages only the pixels inside the image.
- Masks are 1 (or True) on the steps to keep and 0 on the masked steps.
- ``dtype=None`` means ``floatx()``.

Functions with a body here are defaults written with other protocol functions; a backend
overrides them where it has something better. Optional hooks complete the defaults:
``_phase_tensor`` (the symbolic flag that ``learning_phase`` returns while no phase is fixed),
``_fused_lstm_kernel`` (a whole-loop LSTM that ``lstm`` runs where it applies; likewise
``_fused_gru_kernel`` and ``_fused_simple_rnn_kernel`` for ``gru`` and ``simple_rnn``) and
``_fused_update`` (an optimizer step as one op of the backend).
"""
import abc
import numbers

import numpy as np

from kcore import config
import kcore.backend.common as common
from kcore.backend.arguments import check_ndim, positive_ints

#: The activations ``Backend.lstm`` takes, by name.
LSTM_ACTIVATIONS = ('tanh', 'sigmoid', 'hard_sigmoid', 'relu', 'linear')


class Backend(abc.ABC):
    """Base class of every backend; the config functions are implemented here."""

    #: The name the backend is registered under (``K.backend()`` returns it).
    name = None

    # ----------------------------------------------------------- configuration
    def backend(self):
        """Return the name of the active backend, e.g. 'tensorflow'."""
        return self.name

    def epsilon(self):
        """Return the fuzz factor used in numeric expressions (a small float)."""
        return config.epsilon()

    def set_epsilon(self, e):
        """Set the fuzz factor to ``e``."""
        config.set_epsilon(e)

    def floatx(self):
        """Return the default float type as a string, e.g. 'float32'."""
        return config.floatx()

    def set_floatx(self, floatx):
        """Set the default float type: 'float16', 'float32' or 'float64'."""
        config.set_floatx(floatx)

    def cast_to_floatx(self, x):
        """Cast a numpy array (or number) to a numpy array of ``floatx()``."""
        return common.cast_to_floatx(x)

    def image_dim_ordering(self):
        """Return the default image ordering, 'tf' or 'th'."""
        return config.image_dim_ordering()

    def set_image_dim_ordering(self, dim_ordering):
        """Set the default image ordering to 'tf' or 'th'."""
        config.set_image_dim_ordering(dim_ordering)

    def normalize_dim_ordering(self, dim_ordering):
        """Resolve 'default' to the configured ordering; reject anything but 'tf'/'th'."""
        if dim_ordering in (None, 'default'):
            return self.image_dim_ordering()
        if dim_ordering not in ('tf', 'th'):
            raise ValueError("Unknown dim_ordering %r: expected 'tf', 'th' or 'default'."
                             % (dim_ordering,))
        return dim_ordering

    def get_uid(self, prefix=''):
        """Return 1, 2, 3... per prefix: the number used in automatic layer names (one
        count per process, shared by all backends: ``kcore.backend.common.get_uid``)."""
        return common.get_uid(prefix)

    def reset_uids(self):
        """Restart every prefix's numbering."""
        common.reset_uids()

    # ------------------------------------------------------ session and phase
    @abc.abstractmethod
    def clear_session(self):
        """Destroy the current graph and session and start new ones (reset uids too)."""

    @abc.abstractmethod
    def manual_variable_initialization(self, value):
        """True: the user initializes variables; False (default): variables start at their values."""

    @abc.abstractmethod
    def get_session(self):
        """Return the session that runs the graph (backends without sessions return None)."""

    @abc.abstractmethod
    def set_session(self, session):
        """Use ``session`` (and its graph) from now on."""

    #: The int given to ``set_learning_phase``; None while the phase is symbolic. A
    #: backend's ``clear_session`` sets it back to None.
    _fixed_phase = None

    def learning_phase(self):
        """Return the learning-phase flag: a scalar tensor (bool or int, backend's choice) that
        ``function`` feeds with 0 (test, the default when not fed) or 1 (train), or the int
        set by ``set_learning_phase``."""
        if self._fixed_phase is not None:
            return self._fixed_phase
        return self._phase_tensor()

    def _phase_tensor(self):
        """The symbolic learning-phase flag of the current graph (see ``learning_phase``): a
        backend that keeps the default ``learning_phase`` provides it."""
        raise NotImplementedError('The %s backend provides neither _phase_tensor() nor its '
                                  'own learning_phase().' % (self.name,))

    def set_learning_phase(self, value):
        """Fix the learning phase to 0 (test) or 1 (train) until ``clear_session``."""
        if not isinstance(value, numbers.Number) or value not in (0, 1):
            raise ValueError('set_learning_phase expects 0 (test) or 1 (train); got %r.'
                             % (value,))
        self._fixed_phase = int(value)

    @abc.abstractmethod
    def name_scope(self, name):
        """Return a context manager that groups the ops built inside it under ``name``."""

    # --------------------------------------------------- variables and tensors
    @abc.abstractmethod
    def variable(self, value, dtype=None, name=None):
        """Return a variable holding ``value`` (a numpy array or number)."""

    @abc.abstractmethod
    def constant(self, value, dtype=None, shape=None, name=None):
        """Return a constant tensor holding ``value`` (broadcast to ``shape`` if given)."""

    @abc.abstractmethod
    def placeholder(self, shape=None, ndim=None, dtype=None, sparse=False, name=None):
        """Return a placeholder of ``shape`` (ints or None) or of ``ndim`` unknown axes;
        ``shape`` wins if both are given."""

    @abc.abstractmethod
    def is_sparse(self, tensor):
        """Return True if ``tensor`` is a sparse tensor."""

    @abc.abstractmethod
    def to_dense(self, tensor):
        """Return the dense form of a sparse tensor (a dense tensor is returned as is)."""

    @abc.abstractmethod
    def shape(self, x):
        """Return the symbolic shape of ``x`` (a 1D int tensor)."""

    @abc.abstractmethod
    def int_shape(self, x):
        """Return the static shape of ``x`` as a tuple of ints and None (None if even the
        number of axes is unknown)."""

    @abc.abstractmethod
    def ndim(self, x):
        """Return the number of axes of ``x`` as an int."""

    @abc.abstractmethod
    def dtype(self, x):
        """Return the dtype of ``x`` as a string, e.g. 'float32'."""

    @abc.abstractmethod
    def eval(self, x):
        """Evaluate ``x`` (no placeholders) and return a numpy array."""

    @abc.abstractmethod
    def zeros(self, shape, dtype=None, name=None):
        """Return an all-zeros variable of ``shape``."""

    @abc.abstractmethod
    def ones(self, shape, dtype=None, name=None):
        """Return an all-ones variable of ``shape``."""

    @abc.abstractmethod
    def eye(self, size, dtype=None, name=None):
        """Return an identity-matrix variable of ``size`` x ``size``."""

    @abc.abstractmethod
    def zeros_like(self, x, dtype=None, name=None):
        """Return a zeros tensor with the shape of ``x`` (and its dtype when ``dtype`` is None)."""

    @abc.abstractmethod
    def ones_like(self, x, dtype=None, name=None):
        """Return a ones tensor with the shape of ``x`` (and its dtype when ``dtype`` is None)."""

    @abc.abstractmethod
    def random_uniform_variable(self, shape, low, high, dtype=None, name=None, seed=None):
        """Return a variable drawn from U(low, high)."""

    @abc.abstractmethod
    def random_normal_variable(self, shape, mean, scale, dtype=None, name=None, seed=None):
        """Return a variable drawn from N(mean, scale**2)."""

    def count_params(self, x):
        """Return the number of scalars in ``x`` (static shape)."""
        shape = self.int_shape(x)
        if shape is None or None in shape:
            raise ValueError('count_params needs a fully known static shape; got %s.' % (shape,))
        return int(np.prod(shape, dtype=np.int64))

    def identity(self, x):
        """Return a new tensor with the value, dtype and static shape of ``x``, never ``x``
        itself. A kcore addition: the engine tags a layer's output with its history, and an
        output that is the layer's input (or another layer's output) needs a tensor of its
        own. This default is an identity transpose; a backend whose transpose gives back
        its input for that overrides it."""
        return self.permute_dimensions(x, tuple(range(self.ndim(x))))

    @abc.abstractmethod
    def cast(self, x, dtype):
        """Return ``x`` cast to ``dtype``."""

    @abc.abstractmethod
    def get_value(self, x):
        """Return the value of variable ``x`` as a numpy array."""

    @abc.abstractmethod
    def batch_get_value(self, xs):
        """Return the values of the variables ``xs`` as a list of numpy arrays."""

    @abc.abstractmethod
    def set_value(self, x, value):
        """Load the numpy ``value`` into variable ``x``."""

    @abc.abstractmethod
    def batch_set_value(self, tuples):
        """Load many values at once: ``tuples`` is a list of (variable, numpy value)."""

    @abc.abstractmethod
    def get_variable_shape(self, x):
        """Return the shape of variable ``x`` as a tuple of ints."""

    @abc.abstractmethod
    def print_tensor(self, x, message=''):
        """Return ``x`` unchanged; evaluating the result prints ``message`` and its value."""

    # The updates default to (variable, new value) pairs, which ``function`` applies after
    # computing its outputs; a backend with assignment ops of its own overrides them.
    def update(self, x, new_x):
        """Return an update that assigns ``new_x`` to variable ``x`` (usable in ``function``)."""
        return (x, new_x)

    def update_add(self, x, increment):
        """Return an update that adds ``increment`` to variable ``x``."""
        return (x, x + increment)

    def update_sub(self, x, decrement):
        """Return an update that subtracts ``decrement`` from variable ``x``."""
        return (x, x - decrement)

    def moving_average_update(self, variable, value, momentum):
        """Return an update: variable = variable * momentum + value * (1 - momentum)."""
        return (variable, variable * momentum + value * (1.0 - momentum))

    def _fused_update(self, rule, param, grad, state, **hyper):
        """One optimizer step as a single update op of the backend, or None (this default:
        the optimizer builds the step from its formulas). ``rule`` names the optimizer
        ('adam', with hyper lr, beta_1, beta_2, beta_1_power, beta_2_power, epsilon);
        ``state`` is its variables for ``param`` in the order of its ``weights``. The op
        must compute the optimizer's own formula on ``param`` and ``state`` in place."""
        return None

    # ------------------------------------------------ linear algebra, reductions
    @abc.abstractmethod
    def dot(self, x, y):
        """Tensor product as Theano's dot: (2, 3) . (4, 3, 5) -> (2, 4, 5) contracts the last
        axis of x with the second-to-last axis of y."""

    @abc.abstractmethod
    def batch_dot(self, x, y, axes=None):
        """Per-sample dot product of x and y (ndim >= 2) over ``axes`` (int or pair); the
        result has at least 2 axes, e.g. (n, 2) . (n, 2) with axes=1 -> (n, 1). ``axes=None``
        contracts the last axis of x with the second-to-last of y (the last when y is 2D)."""

    @abc.abstractmethod
    def transpose(self, x):
        """Reverse the axes of ``x`` (the matrix transpose for 2D)."""

    @abc.abstractmethod
    def gather(self, reference, indices):
        """Return the rows of ``reference`` at the integer ``indices``
        (shape indices.shape + reference.shape[1:])."""

    @abc.abstractmethod
    def max(self, x, axis=None, keepdims=False):
        """Maximum over ``axis`` (int, list or None for all)."""

    @abc.abstractmethod
    def min(self, x, axis=None, keepdims=False):
        """Minimum over ``axis``."""

    @abc.abstractmethod
    def sum(self, x, axis=None, keepdims=False):
        """Sum over ``axis``."""

    @abc.abstractmethod
    def prod(self, x, axis=None, keepdims=False):
        """Product over ``axis``."""

    @abc.abstractmethod
    def cumsum(self, x, axis=0):
        """Cumulative sum along ``axis``."""

    @abc.abstractmethod
    def cumprod(self, x, axis=0):
        """Cumulative product along ``axis``."""

    @abc.abstractmethod
    def var(self, x, axis=None, keepdims=False):
        """Variance (population, ddof=0) over ``axis``."""

    @abc.abstractmethod
    def std(self, x, axis=None, keepdims=False):
        """Standard deviation (ddof=0) over ``axis``."""

    @abc.abstractmethod
    def mean(self, x, axis=None, keepdims=False):
        """Mean over ``axis``."""

    @abc.abstractmethod
    def any(self, x, axis=None, keepdims=False):
        """Logical OR over ``axis``; returns a uint8 tensor of 0/1."""

    @abc.abstractmethod
    def all(self, x, axis=None, keepdims=False):
        """Logical AND over ``axis``; returns a uint8 tensor of 0/1."""

    @abc.abstractmethod
    def argmax(self, x, axis=-1):
        """Index of the maximum along ``axis``."""

    @abc.abstractmethod
    def argmin(self, x, axis=-1):
        """Index of the minimum along ``axis``."""

    # ------------------------------------------------------------ element-wise
    @abc.abstractmethod
    def square(self, x):
        """Element-wise x**2."""

    @abc.abstractmethod
    def abs(self, x):
        """Element-wise absolute value."""

    @abc.abstractmethod
    def sqrt(self, x):
        """Element-wise square root (negative inputs give 0)."""

    @abc.abstractmethod
    def exp(self, x):
        """Element-wise e**x."""

    @abc.abstractmethod
    def log(self, x):
        """Element-wise natural logarithm."""

    @abc.abstractmethod
    def logsumexp(self, x, axis=None, keepdims=False):
        """log(sum(exp(x))) over ``axis``, computed stably."""

    @abc.abstractmethod
    def round(self, x):
        """Element-wise rounding to the nearest integer (halves to even)."""

    @abc.abstractmethod
    def sign(self, x):
        """Element-wise sign: -1, 0 or 1."""

    @abc.abstractmethod
    def pow(self, x, a):
        """Element-wise x**a."""

    @abc.abstractmethod
    def clip(self, x, min_value, max_value):
        """Element-wise clipping to [min_value, max_value]."""

    @abc.abstractmethod
    def equal(self, x, y):
        """Element-wise x == y (boolean tensor)."""

    @abc.abstractmethod
    def not_equal(self, x, y):
        """Element-wise x != y (boolean tensor)."""

    @abc.abstractmethod
    def greater(self, x, y):
        """Element-wise x > y (boolean tensor)."""

    @abc.abstractmethod
    def greater_equal(self, x, y):
        """Element-wise x >= y (boolean tensor)."""

    @abc.abstractmethod
    def lesser(self, x, y):
        """Element-wise x < y (boolean tensor)."""

    @abc.abstractmethod
    def lesser_equal(self, x, y):
        """Element-wise x <= y (boolean tensor)."""

    @abc.abstractmethod
    def maximum(self, x, y):
        """Element-wise maximum of two tensors."""

    @abc.abstractmethod
    def minimum(self, x, y):
        """Element-wise minimum of two tensors."""

    @abc.abstractmethod
    def sin(self, x):
        """Element-wise sine."""

    @abc.abstractmethod
    def cos(self, x):
        """Element-wise cosine."""

    # ----------------------------------------------------------- normalization
    @abc.abstractmethod
    def normalize_batch_in_training(self, x, gamma, beta, reduction_axes, epsilon=0.0001):
        """Normalize ``x`` with its mean and variance over ``reduction_axes``;
        return (normalized, mean, variance)."""

    @abc.abstractmethod
    def batch_normalization(self, x, mean, var, beta, gamma, epsilon=0.0001):
        """Return (x - mean) / sqrt(var + epsilon) * gamma + beta."""

    # ------------------------------------------------------- shape operations
    @abc.abstractmethod
    def concatenate(self, tensors, axis=-1):
        """Concatenate a list of tensors along ``axis``."""

    @abc.abstractmethod
    def reshape(self, x, shape):
        """Reshape ``x`` to ``shape`` (one entry may be -1)."""

    @abc.abstractmethod
    def permute_dimensions(self, x, pattern):
        """Permute the axes of ``x`` by ``pattern``, e.g. (0, 2, 1)."""

    def resize_images(self, X, height_factor, width_factor, dim_ordering):
        """Repeat the rows and columns of a 4D image batch by integer factors."""
        return self._repeat_spatial('resize_images', X, (height_factor, width_factor),
                                    dim_ordering)

    def resize_volumes(self, X, depth_factor, height_factor, width_factor, dim_ordering):
        """Repeat the three spatial axes of a 5D batch by integer factors."""
        return self._repeat_spatial('resize_volumes', X,
                                    (depth_factor, height_factor, width_factor), dim_ordering)

    def _repeat_spatial(self, fn, x, factors, dim_ordering):
        """``x`` with spatial axis i repeated ``factors[i]`` times (``repeat_elements``)."""
        ordering = self.normalize_dim_ordering(dim_ordering)
        check_ndim(fn, self.ndim(x), self.int_shape(x), len(factors) + 2)
        factors = positive_ints(fn, 'the factors', factors, len(factors))
        first = 2 if ordering == 'th' else 1
        for i, factor in enumerate(factors):
            if factor != 1:
                x = self.repeat_elements(x, factor, axis=first + i)
        return x

    @abc.abstractmethod
    def repeat_elements(self, x, rep, axis):
        """Repeat each element ``rep`` times along ``axis``, as np.repeat."""

    @abc.abstractmethod
    def repeat(self, x, n):
        """Repeat a 2D tensor (samples, dim) n times: (samples, n, dim)."""

    @abc.abstractmethod
    def arange(self, start, stop=None, step=1, dtype='int32'):
        """1D tensor of evenly spaced values, as np.arange."""

    @abc.abstractmethod
    def tile(self, x, n):
        """Tile ``x`` by ``n`` (an int or a tuple, one entry per axis)."""

    @abc.abstractmethod
    def flatten(self, x):
        """Return ``x`` as a 1D tensor."""

    @abc.abstractmethod
    def batch_flatten(self, x):
        """Flatten every axis but the first: (n, a, b) -> (n, a * b)."""

    @abc.abstractmethod
    def expand_dims(self, x, dim=-1):
        """Insert an axis of size 1 at index ``dim``."""

    @abc.abstractmethod
    def squeeze(self, x, axis):
        """Remove the size-1 axis ``axis``."""

    @abc.abstractmethod
    def stack(self, tensors, axis=0):
        """Stack a list of same-shape tensors along a new ``axis``."""

    def pack(self, tensors):
        """Keras 1 name of ``stack(tensors, axis=0)``."""
        return self.stack(tensors, axis=0)

    def split(self, x, num_or_size_splits, axis=-1):
        """Cut ``x`` along ``axis`` into ``num_or_size_splits`` equal parts (an int) or parts
        of the given sizes (a list); return the list of parts. A kcore addition: recurrent
        layers cut their fused gates with it, since its gradient is one concatenation where
        separate slices each add a full-size zero-padded tensor. This default slices (the
        axis's size must be known); backends with a native split override it."""
        axis = axis % self.ndim(x)
        parts, start = [], 0
        for size in self._split_sizes(x, num_or_size_splits, axis):
            index = (slice(None),) * axis + (slice(start, start + size),)
            parts.append(x[index])
            start += size
        return parts

    def _split_sizes(self, x, num_or_size_splits, axis):
        """The list of part sizes ``split`` cuts axis ``axis`` (>= 0) of ``x`` into; an int
        needs the axis's size known and divisible by it."""
        if not isinstance(num_or_size_splits, numbers.Integral):
            return [int(size) for size in num_or_size_splits]
        size = self.int_shape(x)[axis]
        if size is None or size % num_or_size_splits:
            raise ValueError('split: cannot cut axis %d of shape %s into %d equal parts.'
                             % (axis, self.int_shape(x), num_or_size_splits))
        return [size // num_or_size_splits] * num_or_size_splits

    def temporal_padding(self, x, padding=1):
        """Pad the middle axis of a 3D tensor with ``padding`` zeros at both ends."""
        return self.asymmetric_temporal_padding(x, padding, padding)

    @abc.abstractmethod
    def asymmetric_temporal_padding(self, x, left_pad=1, right_pad=1):
        """Pad the middle axis of a 3D tensor with left_pad and right_pad zeros."""

    def spatial_2d_padding(self, x, padding=(1, 1), dim_ordering='default'):
        """Pad rows and columns of a 4D tensor with padding[0], padding[1] zeros each side."""
        if np.ndim(padding) != 1 or len(padding) != 2:
            raise ValueError('spatial_2d_padding: padding must be 2 ints (rows, cols); got %r.'
                             % (padding,))
        rows, cols = padding
        return self.asymmetric_spatial_2d_padding(x, rows, rows, cols, cols, dim_ordering)

    @abc.abstractmethod
    def asymmetric_spatial_2d_padding(self, x, top_pad=1, bottom_pad=1, left_pad=1,
                                      right_pad=1, dim_ordering='default'):
        """Pad rows and columns of a 4D tensor with separate amounts on each side."""

    @abc.abstractmethod
    def spatial_3d_padding(self, x, padding=(1, 1, 1), dim_ordering='default'):
        """Pad the three spatial axes of a 5D tensor with padding[i] zeros each side."""

    @abc.abstractmethod
    def one_hot(self, indices, nb_classes):
        """Integer tensor (batch, d1, ..., dn) -> one-hot (batch, d1, ..., dn, nb_classes)."""

    @abc.abstractmethod
    def reverse(self, x, axes):
        """Reverse ``x`` along ``axes`` (an int or a list of ints)."""

    # ------------------------------------------------ functions and gradients
    @abc.abstractmethod
    def function(self, inputs, outputs, updates=None, **kwargs):
        """Return a callable f(list_of_arrays) -> list_of_arrays that computes ``outputs`` from
        ``inputs`` and applies ``updates`` (pairs (variable, new value) or update ops).
        The learning phase may be one of ``inputs``. Keyword arguments the backend does not
        use are ignored with a UserWarning (``kcore.backend.arguments.ignored_kwargs``)."""

    def call_async(self, function, arrays):
        """Call ``function`` (made by ``function``) on ``arrays``, its updates applied, and
        return its outputs as values that ``np.asarray`` converts later: a backend that
        computes asynchronously returns them before they are computed, so that the caller
        (the fit and predict loops) does its host work meanwhile. The default is the plain
        call."""
        return function(arrays)

    @abc.abstractmethod
    def gradients(self, loss, variables):
        """Return the list of gradients of the scalar ``loss`` w.r.t. each of ``variables``."""

    @abc.abstractmethod
    def stop_gradient(self, variables):
        """Return ``variables`` (a tensor or list) with zero gradient to everything upstream."""

    def all_reduce_mean(self, tensors):
        """Return the list of the element-wise means of ``tensors`` over the workers of the
        cluster this process trains in (``kcore.distribute``): one packed reduction that gives
        up after the cluster's timeout. In a process that trains alone, the tensors
        themselves. A backend that also has ``worker_runtime(cluster, timeout)`` can join a
        cluster; one without collective operations keeps this default, which raises
        ``kcore.distribute.DistributeNotSupported``."""
        from kcore.distribute.errors import DistributeNotSupported
        raise DistributeNotSupported(self.name)

    # --------------------------------------------------------------- control
    @abc.abstractmethod
    def rnn(self, step_function, inputs, initial_states, go_backwards=False, mask=None,
            constants=None, unroll=False, input_length=None):
        """Iterate ``step_function(input_t, states + constants) -> (output_t, new_states)``
        over axis 1 of ``inputs`` (samples, time, ...). ``mask`` (samples, time) or
        (samples, time, 1): on masked steps the previous output and states carry over.
        Return (last_output, outputs (samples, time, ...), new_states)."""

    def lstm(self, inputs, recurrent_kernel, initial_states, activation='tanh',
             inner_activation='hard_sigmoid', go_backwards=False, mask=None,
             dropout=None):
        """An LSTM over axis 1 of ``inputs`` (samples, time, 4 units): the inputs' share
        x.W + b of the gates i, f, c, o side by side. With z = inputs_t + h.U (U is
        ``recurrent_kernel``, (units, 4 units)), i, f, o = inner_activation(z_i, z_f, z_o),
        c' = f * c + i * activation(z_c), h' = o * activation(c'). ``initial_states`` is
        [h, c]; the activations are names from ``LSTM_ACTIVATIONS``. ``go_backwards`` and
        ``mask`` as in ``rnn``, whose results it returns. ``dropout``: None or recurrent
        dropout masks, h multiplied by them before the product with U at every step:
        (samples, units) for all gates, or (samples, 4, units) one per gate (z_g = inputs_g
        + (h m_g).U_g), or a list of one or four (samples, units) masks; constants of the
        step (no gradient flows to them). A kcore addition, so that a backend can fuse the
        whole loop: float32 inputs run the backend's ``_fused_lstm_kernel`` where it has
        one, anything else runs ``rnn``."""
        _check_activations('lstm', activation, inner_activation)
        dropout = self._gate_masks('lstm', dropout, 4)
        kernel = self._fused_kernel(self._fused_lstm_kernel, inputs, recurrent_kernel,
                                    initial_states, dropout)
        if kernel is None:
            return self._lstm_steps(inputs, recurrent_kernel, initial_states, activation,
                                    inner_activation, go_backwards, mask, dropout)
        extra = {}
        if dropout is not None:   # one mask shared by the gates, or (samples, 4, units)
            extra['dropout'] = dropout[0] if all(m is dropout[0] for m in dropout) else \
                self.concatenate([self.expand_dims(m, 1) for m in dropout], axis=1)
        return self._fused_sequence(
            lambda x, m: list(kernel(x, recurrent_kernel, initial_states[0], initial_states[1],
                                     m, activation, inner_activation, **extra)),
            inputs, go_backwards, mask)

    def _fused_lstm_kernel(self):
        """The backend's whole-loop LSTM, or None (this default: ``lstm`` runs ``rnn``): a
        callable (x, U, h0, c0, mask, activation, inner_activation, dropout=None) -> (h, c),
        float32 tensors (samples, time, units) of every step's states; ``mask`` is a float32
        (samples, time) tensor or None; masked steps carry the states over; ``dropout`` is
        the recurrent dropout mask, (samples, units) or (samples, 4, units), passed only
        when there is one."""
        return None

    def _lstm_steps(self, inputs, recurrent_kernel, initial_states, activation,
                    inner_activation, go_backwards, mask, dropout=None):
        """``lstm`` as a step function run by ``rnn``; ``dropout`` None or four masks."""
        act, inner = self._activation(activation), self._activation(inner_activation)
        shared = dropout is None or all(m is dropout[0] for m in dropout)
        constants = [] if dropout is None else dropout[:1] if shared else dropout
        kernels = None if shared else self.split(recurrent_kernel, 4)

        def step(x, states):
            h, c = states[:2]
            masks = states[2:]
            if kernels is not None:   # one mask per gate: products with U's gate blocks
                recurrent = self.concatenate([self.dot(h * m, u) for m, u in
                                              zip(masks, kernels)], axis=-1)
            else:
                recurrent = self.dot(h * masks[0] if masks else h, recurrent_kernel)
            z_i, z_f, z_c, z_o = self.split(x + recurrent, 4)
            c = inner(z_f) * c + inner(z_i) * act(z_c)
            h = inner(z_o) * act(c)
            return h, [h, c]
        return self.rnn(step, inputs, list(initial_states), go_backwards=go_backwards,
                        mask=mask, constants=constants or None)

    def gru(self, inputs, recurrent_kernel, initial_states, activation='tanh',
            inner_activation='hard_sigmoid', go_backwards=False, mask=None, dropout=None):
        """A Keras 1 GRU over axis 1 of ``inputs`` (samples, time, 3 units): the inputs' share
        x.W + b of the gates z, r, h side by side. With U = ``recurrent_kernel`` (units,
        3 units) in the same order and h the previous output: z = inner_activation(x_z +
        h.U_z), r = inner_activation(x_r + h.U_r), hh = activation(x_h + (r * h).U_h),
        h' = z * h + (1 - z) * hh. ``dropout``: recurrent dropout as ``lstm``'s, h
        multiplied by it (r * h for U_h) before the products: (samples, units) for all
        gates, (samples, 3, units) one per gate, or a list of one or three (samples, units)
        masks. ``initial_states`` is [h]; the rest as
        ``lstm``: float32 inputs run the backend's ``_fused_gru_kernel`` where it has one,
        anything else runs ``rnn``."""
        _check_activations('gru', activation, inner_activation)
        dropout = self._gate_masks('gru', dropout, 3)
        kernel = self._fused_kernel(self._fused_gru_kernel, inputs, recurrent_kernel,
                                    initial_states, dropout)
        if kernel is None:
            return self._gru_steps(inputs, recurrent_kernel, initial_states, activation,
                                   inner_activation, go_backwards, mask, dropout)
        joined = None if dropout is None else self.concatenate(dropout, axis=-1)
        return self._fused_sequence(
            lambda x, m: [kernel(x, recurrent_kernel, initial_states[0], m, joined,
                                 activation, inner_activation)], inputs, go_backwards, mask)

    def simple_rnn(self, inputs, recurrent_kernel, initial_states, activation='tanh',
                   go_backwards=False, mask=None, dropout=None):
        """A SimpleRNN over axis 1 of ``inputs`` (samples, time, units), the inputs' share
        x.W + b: h' = activation(x + (h * dropout).U), U = ``recurrent_kernel`` (units,
        units); ``dropout`` is None or a recurrent dropout mask (samples, units) (or a list
        of it). ``initial_states`` is [h]; the rest as ``gru``, with
        ``_fused_simple_rnn_kernel``."""
        _check_activations('simple_rnn', activation)
        dropout = self._gate_masks('simple_rnn', dropout, 1)
        kernel = self._fused_kernel(self._fused_simple_rnn_kernel, inputs, recurrent_kernel,
                                    initial_states, dropout)
        if kernel is None:
            return self._simple_rnn_steps(inputs, recurrent_kernel, initial_states, activation,
                                          go_backwards, mask, dropout)
        joined = None if dropout is None else dropout[0]
        return self._fused_sequence(
            lambda x, m: [kernel(x, recurrent_kernel, initial_states[0], m, joined,
                                 activation)], inputs, go_backwards, mask)

    def _fused_gru_kernel(self):
        """The backend's whole-loop GRU, or None (this default: ``gru`` runs ``rnn``): a
        callable (x, U, h0, mask, dropout, activation, inner_activation) -> h, the float32
        outputs (samples, time, units) of every step; ``mask`` is a float32 (samples, time)
        tensor or None, ``dropout`` the masks of z, r, h side by side (samples, 3 units) or
        None; masked steps carry the state over."""
        return None

    def _fused_simple_rnn_kernel(self):
        """The backend's whole-loop SimpleRNN, or None (this default): a callable (x, U, h0,
        mask, dropout, activation) -> h, as ``_fused_gru_kernel`` with a dropout mask
        (samples, units) or None."""
        return None

    def _gate_masks(self, function, dropout, gates):
        """Recurrent ``dropout`` (a tensor or a list, see ``gru``) as a list of one
        (samples, units) mask per gate, or None."""
        if dropout is None:
            return None
        if isinstance(dropout, (list, tuple)):
            if len(dropout) not in (1, gates):
                raise ValueError('%s: dropout must be one mask for all gates or %d, one per '
                                 'gate; got %d.' % (function, gates, len(dropout)))
            return list(dropout) * (gates // len(dropout))
        ndim = self.ndim(dropout)
        if ndim == 2:
            return [dropout] * gates
        if ndim == 3 and gates > 1:
            return [dropout[:, g] for g in range(gates)]
        raise ValueError('%s: a dropout mask must be (samples, units)%s; got %d axes.'
                         % (function, ' or (samples, %d, units)' % gates if gates > 1 else '',
                            ndim))

    def _fused_kernel(self, hook, inputs, recurrent_kernel, initial_states, dropout):
        """``hook()``'s kernel where the tensors suit a fused kernel (3-D float32 inputs),
        else None."""
        tensors = [inputs, recurrent_kernel] + list(initial_states) + list(dropout or [])
        if self.ndim(inputs) == 3 and all(self.dtype(t) == 'float32' for t in tensors):
            return hook()
        return None

    def _fused_sequence(self, run, inputs, go_backwards, mask):
        """``rnn``'s results from a fused kernel: the mask as float32 (samples, time) and the
        time order prepared for ``run(inputs, mask)``, which returns the states at every
        step [h, ...] (samples, time, units); the outputs are zero until a sample's first
        kept step (as ``rnn`` gives them)."""
        if mask is not None:
            if self.ndim(mask) == 3:
                mask = mask[:, :, 0]
            mask = self.cast(mask, 'float32')
        if go_backwards:
            inputs = self.reverse(inputs, 1)
            mask = None if mask is None else self.reverse(mask, 1)
        states = run(inputs, mask)
        outputs = states[0]
        if mask is not None:
            started = self.cast(self.greater(self.cumsum(mask, axis=1), 0), 'float32')
            outputs = outputs * self.expand_dims(started)
        return outputs[:, -1], outputs, [s[:, -1] for s in states]

    def _gru_steps(self, inputs, recurrent_kernel, initial_states, activation,
                   inner_activation, go_backwards, mask, dropout):
        """``gru`` as a step function run by ``rnn``; ``dropout`` None or three masks."""
        act, inner = self._activation(activation), self._activation(inner_activation)
        U_z, U_r, U_h = self.split(recurrent_kernel, 3)
        U_zr = self.concatenate([U_z, U_r])

        def step(x, states):
            h = states[0]
            x_z, x_r, x_h = self.split(x, 3)
            if dropout is None:   # one product for z and r, as GRU layers in 'gpu' mode
                u_z, u_r = self.split(self.dot(h, U_zr), 2)
                d_h = 1
            else:
                d_z, d_r, d_h = states[1:4]
                u_z, u_r = self.dot(h * d_z, U_z), self.dot(h * d_r, U_r)
            z, r = inner(x_z + u_z), inner(x_r + u_r)
            hh = act(x_h + self.dot(r * h * d_h, U_h))
            h = z * h + (1 - z) * hh
            return h, [h]
        return self.rnn(step, inputs, [initial_states[0]], go_backwards=go_backwards,
                        mask=mask, constants=dropout)

    def _simple_rnn_steps(self, inputs, recurrent_kernel, initial_states, activation,
                          go_backwards, mask, dropout):
        """``simple_rnn`` as a step function run by ``rnn``; ``dropout`` None or one mask."""
        act = self._activation(activation)

        def step(x, states):
            h = states[0] if dropout is None else states[0] * states[1]
            h = act(x + self.dot(h, recurrent_kernel))
            return h, [h]
        return self.rnn(step, inputs, [initial_states[0]], go_backwards=go_backwards,
                        mask=mask, constants=dropout)

    def _activation(self, name):
        """The backend function of one of ``LSTM_ACTIVATIONS``."""
        return {'tanh': self.tanh, 'sigmoid': self.sigmoid, 'relu': self.relu,
                'hard_sigmoid': self.hard_sigmoid, 'linear': lambda x: x}[name]

    @abc.abstractmethod
    def switch(self, condition, then_expression, else_expression):
        """Choose between two same-shape expressions by a scalar condition; either may be a
        callable returning the expression."""

    def in_train_phase(self, x, alt):
        """Return ``x`` in the training phase and ``alt`` otherwise (either may be a callable
        returning the expression). With a fixed phase the choice is made now; else the
        result is a ``switch`` on the flag, marked ``_uses_learning_phase``."""
        phase = self.learning_phase()
        if isinstance(phase, numbers.Integral):
            chosen = x if phase else alt
            return chosen() if callable(chosen) else chosen
        result = self.switch(phase, x, alt)
        result._uses_learning_phase = True
        return result

    def in_test_phase(self, x, alt):
        """Return ``x`` in the test phase and ``alt`` otherwise."""
        return self.in_train_phase(alt, x)

    # ----------------------------------------------------- neural-net functions
    @abc.abstractmethod
    def relu(self, x, alpha=0.0, max_value=None):
        """Rectified linear unit: x for x >= 0 (capped at max_value), alpha * x below 0."""

    @abc.abstractmethod
    def elu(self, x, alpha=1.0):
        """Exponential linear unit: x for x > 0, alpha * (exp(x) - 1) otherwise."""

    @abc.abstractmethod
    def softmax(self, x):
        """Softmax over the last axis."""

    @abc.abstractmethod
    def softplus(self, x):
        """log(1 + exp(x))."""

    @abc.abstractmethod
    def softsign(self, x):
        """x / (1 + |x|)."""

    @abc.abstractmethod
    def sigmoid(self, x):
        """Element-wise logistic sigmoid."""

    @abc.abstractmethod
    def hard_sigmoid(self, x):
        """clip(0.2 * x + 0.5, 0, 1)."""

    @abc.abstractmethod
    def tanh(self, x):
        """Element-wise hyperbolic tangent."""

    @abc.abstractmethod
    def categorical_crossentropy(self, output, target, from_logits=False):
        """-sum(target * log(output)) over the last axis; ``output`` is rescaled to sum to 1
        and clipped to [epsilon, 1 - epsilon] unless it is logits."""

    @abc.abstractmethod
    def sparse_categorical_crossentropy(self, output, target, from_logits=False):
        """Categorical cross-entropy with integer class indices as ``target``."""

    @abc.abstractmethod
    def binary_crossentropy(self, output, target, from_logits=False):
        """Element-wise -(target * log(output) + (1 - target) * log(1 - output))."""

    @abc.abstractmethod
    def dropout(self, x, level, noise_shape=None, seed=None):
        """Zero a random ``level`` fraction of ``x`` and scale the rest by 1 / (1 - level)."""

    @abc.abstractmethod
    def l2_normalize(self, x, axis):
        """Divide ``x`` by its L2 norm along ``axis``."""

    @abc.abstractmethod
    def in_top_k(self, predictions, targets, k):
        """Boolean (batch,): whether class ``targets[i]`` is among the top ``k`` of
        ``predictions[i]``."""

    def bias_add(self, x, bias, dim_ordering='tf'):
        """``x`` plus a 1D ``bias`` along its channel axis: the last one for 'tf', axis 1
        for 'th' ('default': the config's ordering). A kcore addition used by the layers with
        a bias; backends with a bias op (whose gradient is one reduction) override it."""
        dim_ordering = self.normalize_dim_ordering(dim_ordering)
        if dim_ordering == 'th' and self.ndim(x) > 2:
            return x + self.reshape(bias, (1, -1) + (1,) * (self.ndim(x) - 2))
        return x + bias

    # ----------------------------------------------------- convolution, pooling
    @abc.abstractmethod
    def conv1d(self, x, kernel, strides=1, border_mode='valid', image_shape=None,
               filter_shape=None, filter_dilation=1):
        """1D convolution of (samples, steps, input_dim) with a (length, input_dim, nb_filter)
        kernel; ``filter_dilation`` > 1 is atrous convolution."""

    @abc.abstractmethod
    def conv2d(self, x, kernel, strides=(1, 1), border_mode='valid', dim_ordering='default',
               image_shape=None, filter_shape=None, filter_dilation=(1, 1)):
        """2D convolution; ``filter_dilation`` > 1 is atrous convolution."""

    @abc.abstractmethod
    def deconv2d(self, x, kernel, output_shape, strides=(1, 1), border_mode='valid',
                 dim_ordering='default', image_shape=None, filter_shape=None):
        """Transposed 2D convolution (the gradient of conv2d w.r.t. its input) to
        ``output_shape``. Kernels are (rows, cols, out_channels, in_channels) in 'tf' and
        (out_channels, in_channels, rows, cols) in 'th'."""

    @abc.abstractmethod
    def separable_conv2d(self, x, depthwise_kernel, pointwise_kernel, strides=(1, 1),
                         border_mode='valid', dim_ordering='default'):
        """Depthwise 2D convolution followed by a pointwise one. Kernels in 'tf': depthwise
        (rows, cols, in, multiplier), pointwise (1, 1, in * multiplier, out); in 'th':
        depthwise (multiplier, in, rows, cols), pointwise (out, in * multiplier, 1, 1)."""

    @abc.abstractmethod
    def conv3d(self, x, kernel, strides=(1, 1, 1), border_mode='valid', dim_ordering='default',
               volume_shape=None, filter_shape=None):
        """3D convolution."""

    @abc.abstractmethod
    def pool2d(self, x, pool_size, strides=(1, 1), border_mode='valid', dim_ordering='default',
               pool_mode='max'):
        """2D pooling; ``pool_mode`` 'max' or 'avg'."""

    @abc.abstractmethod
    def pool3d(self, x, pool_size, strides=(1, 1, 1), border_mode='valid',
               dim_ordering='default', pool_mode='max'):
        """3D pooling; ``pool_mode`` 'max' or 'avg'."""

    # -------------------------------------------------------------------- CTC
    @abc.abstractmethod
    def ctc_batch_cost(self, y_true, y_pred, input_length, label_length):
        """CTC loss per sample, shape (samples, 1). ``y_pred`` (samples, time, classes) holds
        softmax outputs whose last class is the blank; ``y_true`` (samples, max_label_length)
        integer labels; ``input_length`` and ``label_length`` (samples, 1)."""

    @abc.abstractmethod
    def ctc_decode(self, y_pred, input_length, greedy=True, beam_width=100, top_paths=1,
                   dict_seq_lens=None, dict_values=None):
        """Decode softmax outputs (the blank is the last class) over each sample's
        ``input_length`` steps: greedy (the best path, repeats merged, blanks dropped) or a
        prefix beam search keeping ``beam_width`` prefixes that returns the ``top_paths``
        most probable label sequences; with ``dict_values`` (a list of label sequences, cut
        to ``dict_seq_lens``) the ``top_paths`` most probable dictionary entries. Return
        (decoded, log_probabilities): decoded is a list of ``top_paths`` int tensors (one for
        greedy), the k-th (samples, longest k-th sequence) padded with -1; log_probabilities
        (samples, top_paths) are the paths' log probabilities (greedy: the best path's)."""

    # ---------------------------------------------------------- higher-order
    @abc.abstractmethod
    def map_fn(self, fn, elems, name=None):
        """Apply ``fn`` to each element of ``elems`` along axis 0; stack the results."""

    @abc.abstractmethod
    def foldl(self, fn, elems, initializer=None, name=None):
        """Reduce ``elems`` along axis 0 from the left with ``fn(acc, x)``; the initializer
        defaults to elems[0]."""

    @abc.abstractmethod
    def foldr(self, fn, elems, initializer=None, name=None):
        """Reduce ``elems`` along axis 0 from the right with ``fn(acc, x)``; the initializer
        defaults to elems[-1]."""

    # ----------------------------------------------------------------- random
    @abc.abstractmethod
    def random_normal(self, shape, mean=0.0, std=1.0, dtype=None, seed=None):
        """Tensor of samples from N(mean, std**2), drawn anew at each evaluation."""

    @abc.abstractmethod
    def random_uniform(self, shape, low=0.0, high=1.0, dtype=None, seed=None):
        """Tensor of samples from U(low, high), drawn anew at each evaluation."""

    @abc.abstractmethod
    def random_binomial(self, shape, p=0.0, dtype=None, seed=None):
        """Tensor of 0/1 samples, 1 with probability ``p``, drawn anew at each evaluation."""


def _check_activations(function, *names):
    """ValueError unless every name is one of ``LSTM_ACTIVATIONS``."""
    unknown = set(names) - set(LSTM_ACTIVATIONS)
    if unknown:
        raise ValueError('%s: unknown activation %s; expected one of %s.'
                         % (function, ', '.join(sorted(unknown)), ', '.join(LSTM_ACTIVATIONS)))


def protocol_functions():
    """The names of all public functions of the protocol, sorted."""
    return sorted(name for name, value in vars(Backend).items()
                  if callable(value) and not name.startswith('_'))

