"""Session, variables, placeholders, function, updates, learning phase, gradients, random."""
import numpy as np
import pytest

from ._helpers import check_gradient, rng


class VariableChecks:

    # ------------------------------------------------------------- session
    def test_clear_session(self, K):
        K.get_uid('dense')
        v = K.variable(np.ones(2))
        K.clear_session()
        assert K.get_uid('dense') == 1  # uids restart
        w = K.variable(np.full(2, 3.0))  # the new graph works
        np.testing.assert_allclose(K.eval(w * 2), [6, 6])
        del v

    def test_clear_session_resets_learning_phase(self, K):
        # Decision (Keras 1.1.2 behaviour): clear_session drops a fixed learning phase, so
        # learning_phase() is again the flag that function() feeds.
        K.set_learning_phase(1)
        K.clear_session()
        assert not isinstance(K.learning_phase(), int)

    def test_get_session(self, K):
        # One session until clear_session; backends without sessions return None.
        assert K.get_session() is K.get_session()

    def test_set_session(self, K):
        v = K.variable(np.array([1.0, 2.0]))
        K.set_session(K.get_session())
        np.testing.assert_allclose(K.get_value(v), [1, 2])
        np.testing.assert_allclose(K.eval(v + 1), [2, 3])

    def test_manual_variable_initialization(self, K):
        K.manual_variable_initialization(True)
        try:
            v = K.variable(np.zeros(3))
            K.set_value(v, np.array([1.0, 2.0, 3.0]))  # the user initializes it
            np.testing.assert_allclose(K.get_value(v), [1, 2, 3])
        finally:
            K.manual_variable_initialization(False)
        w = K.variable(np.array([4.0]))  # automatic again
        np.testing.assert_allclose(K.get_value(w), [4])

    def test_name_scope(self, K):
        with K.name_scope('block'):
            v = K.variable(np.array([1.0, 2.0]))
            y = K.sum(v * 2)
        np.testing.assert_allclose(K.eval(y), 6)

    # ------------------------------------------------------ learning phase
    def test_learning_phase(self, K):
        x = K.placeholder(shape=(3,))
        phase = K.learning_phase()
        f = K.function([x, phase], [K.in_train_phase(x * 2, x * 0)])
        data = np.array([1.0, 2.0, 3.0])
        np.testing.assert_allclose(f([data, 1])[0], [2, 4, 6])  # 1: train
        np.testing.assert_allclose(f([data, 0])[0], [0, 0, 0])  # 0: test

    def test_learning_phase_drives_dropout(self, K):
        x = K.placeholder(shape=(1000,))
        f = K.function([x, K.learning_phase()], [K.in_train_phase(K.dropout(x, 0.5), x)])
        data = np.ones(1000)
        np.testing.assert_allclose(f([data, 0])[0], data)
        train = f([data, 1])[0]
        assert 300 < np.sum(train == 0) < 700
        np.testing.assert_allclose(train[train != 0], 2.0, rtol=1e-6)

    def test_set_learning_phase(self, K):
        # Decision: set_learning_phase takes the value (0 or 1); others raise ValueError.
        x = K.placeholder(shape=(2,))
        K.set_learning_phase(1)
        assert K.learning_phase() == 1
        f = K.function([x], [K.in_train_phase(x, -x)])
        np.testing.assert_allclose(f([np.array([1.0, 2.0])])[0], [1, 2])
        K.set_learning_phase(0)
        assert K.learning_phase() == 0
        g = K.function([x], [K.in_train_phase(x, -x)])
        np.testing.assert_allclose(g([np.array([1.0, 2.0])])[0], [-1, -2])
        with pytest.raises(ValueError):
            K.set_learning_phase(2)

    # ---------------------------------------------------- variables, tensors
    def test_in_place_arithmetic_on_a_variable_makes_a_new_tensor(self, K):
        # Keras 1 code accumulates a loss this way (the deep-dream and doodle examples); the
        # variable itself keeps its value.
        loss = v = K.variable(np.array([1.0, 2.0]))
        x = K.placeholder(shape=(2,))
        loss += x
        loss -= 1.0
        loss *= 2.0
        loss /= 4.0
        f = K.function([x], [loss])
        np.testing.assert_allclose(f([np.array([3.0, 5.0], 'float32')])[0], [1.5, 3.0])
        np.testing.assert_allclose(K.get_value(v), [1.0, 2.0])

    def test_variable(self, K):
        value = np.arange(6.0).reshape(2, 3)
        v = K.variable(value, name='my_var')
        assert K.dtype(v) == K.floatx()
        assert K.int_shape(v) == (2, 3)
        np.testing.assert_allclose(K.get_value(v), value)
        assert K.dtype(K.variable(value, dtype='float64')) == 'float64'
        i = K.variable(np.array([1, 2]), dtype='int32')
        assert K.dtype(i) == 'int32'
        np.testing.assert_array_equal(K.eval(i), [1, 2])
        np.testing.assert_allclose(K.eval(K.variable(2.5)), 2.5)  # a number

    def test_variable_keeps_value_across_functions(self, K):
        v = K.variable(np.array([1.0, 2.0]))
        K.function([], [v], updates=[(v, v * 3)])([])
        np.testing.assert_allclose(K.function([], [v])([])[0], [3, 6])
        np.testing.assert_allclose(K.get_value(v), [3, 6])

    def test_constant(self, K):
        c = K.constant(np.array([[1.0, 2.0]]))
        assert K.dtype(c) == K.floatx()
        np.testing.assert_allclose(K.eval(c), [[1, 2]])
        np.testing.assert_allclose(K.eval(K.constant(3.0, shape=(2, 3))), np.full((2, 3), 3.0))
        assert K.dtype(K.constant(1, dtype='int32')) == 'int32'

    def test_placeholder(self, K):
        x = K.placeholder(shape=(2, 4, 5))
        assert K.int_shape(x) == (2, 4, 5)
        assert K.dtype(x) == K.floatx()
        assert K.int_shape(K.placeholder(shape=(None, 4, 5))) == (None, 4, 5)
        assert K.int_shape(K.placeholder(ndim=3)) == (None, None, None)
        assert K.int_shape(K.placeholder(shape=(2, 3), ndim=4)) == (2, 3)  # shape wins
        assert K.dtype(K.placeholder(shape=(2,), dtype='int32', name='ints')) == 'int32'
        y = K.placeholder(ndim=2)
        f = K.function([y], [K.sum(y, axis=1)])
        np.testing.assert_allclose(f([np.ones((3, 4))])[0], [4, 4, 4])

    def test_placeholder_sparse(self, K):
        x = K.placeholder(shape=(None, 3), sparse=True)
        assert K.is_sparse(x)

    def test_is_sparse(self, K):
        assert K.is_sparse(K.placeholder(shape=(2, 3), sparse=True))
        assert not K.is_sparse(K.placeholder(shape=(2, 3)))
        assert not K.is_sparse(K.variable(np.zeros((2, 3))))

    def test_to_dense(self, K):
        sparse = pytest.importorskip('scipy.sparse')
        x = K.placeholder(shape=(None, 3), sparse=True)
        dense = K.to_dense(x)
        assert not K.is_sparse(dense)
        value = np.array([[0.0, 2.0, 0.0], [1.0, 0.0, 3.0]])
        # function() takes scipy sparse matrices for sparse placeholders.
        out = K.function([x], [dense * 2])([sparse.csr_matrix(value)])[0]
        np.testing.assert_allclose(out, value * 2)

    def test_to_dense_of_dense(self, K):
        v = K.variable(np.array([1.0, 2.0]))
        np.testing.assert_allclose(K.eval(K.to_dense(v)), [1, 2])

    def test_shape(self, K):
        v = K.variable(np.zeros((2, 3)))
        np.testing.assert_array_equal(K.eval(K.shape(v)), [2, 3])
        x = K.placeholder(shape=(None, 4))
        f = K.function([x], [K.shape(x)])
        np.testing.assert_array_equal(f([np.zeros((5, 4))])[0], [5, 4])

    def test_int_shape(self, K):
        assert K.int_shape(K.variable(np.zeros((2, 3)))) == (2, 3)
        assert K.int_shape(K.placeholder(shape=(None, 7))) == (None, 7)
        assert K.int_shape(K.placeholder(ndim=3)) == (None, None, None)

    def test_ndim(self, K):
        assert K.ndim(K.variable(np.zeros((2, 3, 4)))) == 3
        assert K.ndim(K.placeholder(ndim=5)) == 5
        assert K.ndim(K.placeholder(shape=(None,))) == 1

    def test_dtype(self, K):
        assert K.dtype(K.variable(np.zeros(2), dtype='float64')) == 'float64'
        assert K.dtype(K.placeholder(shape=(2,), dtype='int32')) == 'int32'
        assert K.dtype(K.cast(K.variable(np.zeros(2)), 'int32')) == 'int32'
        assert isinstance(K.dtype(K.variable(np.zeros(2))), str)

    def test_eval(self, K):
        out = K.eval(K.variable(np.array([[1.0, 2.0], [3.0, 4.0]])) * 2)
        assert isinstance(out, np.ndarray)
        np.testing.assert_allclose(out, [[2, 4], [6, 8]])

    def test_zeros(self, K):
        v = K.zeros((3, 4))
        np.testing.assert_array_equal(K.get_value(v), np.zeros((3, 4)))
        assert K.dtype(v) == K.floatx()
        assert K.dtype(K.zeros((2,), dtype='int32')) == 'int32'
        K.set_value(v, np.ones((3, 4)))  # a variable
        np.testing.assert_array_equal(K.get_value(v), np.ones((3, 4)))

    def test_ones(self, K):
        v = K.ones((3, 4, 5))
        np.testing.assert_array_equal(K.get_value(v), np.ones((3, 4, 5)))
        assert K.dtype(v) == K.floatx()
        assert K.dtype(K.ones((2,), dtype='float64')) == 'float64'

    def test_eye(self, K):
        v = K.eye(3)
        np.testing.assert_array_equal(K.get_value(v), np.eye(3))
        assert K.dtype(v) == K.floatx()

    def test_zeros_like(self, K):
        x = K.placeholder(shape=(None, 3))
        f = K.function([x], [K.zeros_like(x)])
        np.testing.assert_array_equal(f([np.ones((2, 3))])[0], np.zeros((2, 3)))
        np.testing.assert_array_equal(K.eval(K.zeros_like(K.variable(np.ones(4)))), np.zeros(4))

    def test_ones_like(self, K):
        x = K.placeholder(shape=(None, 3))
        f = K.function([x], [K.ones_like(x)])
        np.testing.assert_array_equal(f([np.zeros((2, 3))])[0], np.ones((2, 3)))
        np.testing.assert_array_equal(K.eval(K.ones_like(K.variable(np.zeros(4)))), np.ones(4))

    def test_count_params(self, K):
        assert K.count_params(K.zeros((2, 3, 4))) == 24
        assert K.count_params(K.variable(np.zeros(5))) == 5

    def test_cast(self, K):
        v = K.variable(np.array([1.7, -1.7, 2.0]))
        out = K.eval(K.cast(v, 'int32'))
        assert out.dtype == np.int32
        np.testing.assert_array_equal(out, [1, -1, 2])  # truncation toward zero, as numpy
        f = K.eval(K.cast(K.variable(np.array([1, 2]), dtype='int32'), 'float32'))
        assert f.dtype == np.float32

    def test_get_value(self, K):
        v = K.variable(np.array([[1.0, 2.0]]))
        value = K.get_value(v)
        assert isinstance(value, np.ndarray)
        assert value.dtype == np.dtype(K.floatx())
        np.testing.assert_allclose(value, [[1, 2]])

    def test_set_value(self, K):
        v = K.zeros((2, 2))
        K.set_value(v, np.array([[1.0, 2.0], [3.0, 4.0]]))
        np.testing.assert_allclose(K.get_value(v), [[1, 2], [3, 4]])
        K.set_value(v, np.full((2, 2), 7.0))
        np.testing.assert_allclose(K.eval(v), np.full((2, 2), 7.0))

    def test_batch_get_value(self, K):
        a, b = K.variable(np.array([1.0])), K.variable(np.array([[2.0, 3.0]]))
        values = K.batch_get_value([a, b])
        assert len(values) == 2
        np.testing.assert_allclose(values[0], [1])
        np.testing.assert_allclose(values[1], [[2, 3]])
        assert K.batch_get_value([]) == []

    def test_batch_set_value(self, K):
        a, b = K.zeros((2,)), K.zeros((1, 2))
        K.batch_set_value([(a, np.array([1.0, 2.0])), (b, np.array([[3.0, 4.0]]))])
        np.testing.assert_allclose(K.get_value(a), [1, 2])
        np.testing.assert_allclose(K.get_value(b), [[3, 4]])
        K.batch_set_value([])

    def test_get_variable_shape(self, K):
        assert tuple(K.get_variable_shape(K.zeros((2, 5)))) == (2, 5)
        assert tuple(K.get_variable_shape(K.variable(np.zeros(3)))) == (3,)

    def test_print_tensor(self, K, capfd):
        x = K.placeholder(shape=(2,))
        y = K.print_tensor(x, message='kcore-conformance: ')
        out = K.function([x], [y * 1])([np.array([1.5, 2.5])])[0]
        np.testing.assert_allclose(out, [1.5, 2.5])
        captured = capfd.readouterr()
        assert 'kcore-conformance: ' in captured.out + captured.err

    # ------------------------------------------------------------- updates
    def test_update(self, K):
        v = K.variable(np.array([1.0, 2.0]))
        K.function([], [], updates=[K.update(v, v * 10)])([])
        np.testing.assert_allclose(K.get_value(v), [10, 20])

    def test_update_add(self, K):
        v = K.variable(np.array([1.0, 2.0]))
        f = K.function([], [], updates=[K.update_add(v, np.array([1.0, 1.0]))])
        f([])
        f([])
        np.testing.assert_allclose(K.get_value(v), [3, 4])

    def test_update_sub(self, K):
        v = K.variable(np.array([1.0, 2.0]))
        K.function([], [], updates=[K.update_sub(v, K.constant([0.5, 0.5]))])([])
        np.testing.assert_allclose(K.get_value(v), [0.5, 1.5])

    def test_moving_average_update(self, K):
        # variable * momentum + value * (1 - momentum), without zero-debiasing.
        v = K.variable(np.array([1.0, 2.0]))
        update = K.moving_average_update(v, K.constant([3.0, 4.0]), 0.9)
        K.function([], [], updates=[update])([])
        np.testing.assert_allclose(K.get_value(v), [1.2, 2.2], rtol=1e-5)

    # ------------------------------------------------------------ function
    def test_function(self, K):
        x = K.placeholder(shape=(None, 2))
        y = K.placeholder(shape=(None, 2))
        f = K.function([x, y], [x + y, x * y])
        out = f([np.array([[1.0, 2.0]]), np.array([[3.0, 4.0]])])
        assert len(out) == 2
        np.testing.assert_allclose(out[0], [[4, 6]])
        np.testing.assert_allclose(out[1], [[3, 8]])

    def test_function_updates(self, K):
        x = K.placeholder(shape=(2,))
        total = K.variable(np.zeros(2))
        count = K.variable(np.zeros(()))
        # Pairs (variable, new value) and update ops mix in one list.
        f = K.function([x], [K.sum(x)], updates=[(total, total + x), K.update_add(count, 1.0)])
        np.testing.assert_allclose(f([np.array([1.0, 2.0])])[0], 3)
        f([np.array([10.0, 20.0])])
        np.testing.assert_allclose(K.get_value(total), [11, 22])
        np.testing.assert_allclose(K.get_value(count), 2)

    def test_call_async(self, K):
        # The outputs of a plain call once np.asarray converts them, the updates applied.
        x = K.placeholder(shape=(None, 2))
        total = K.variable(np.zeros(2))
        f = K.function([x], [x * 2, K.sum(x, axis=1)], updates=[(total, total + K.sum(x, 0))])
        value = np.array([[1.0, 2.0], [3.0, 4.0]])
        out = [np.asarray(o) for o in K.call_async(f, [value])]
        assert len(out) == 2
        np.testing.assert_allclose(out[0], value * 2)
        np.testing.assert_allclose(out[1], [3, 7])
        np.testing.assert_allclose(K.get_value(total), [4, 6])
        single = K.function([x], x - 1)
        np.testing.assert_allclose(np.asarray(K.call_async(single, [value])), value - 1)

    def test_function_returns_an_input(self, K):
        # An output may be an input itself (in_train_phase(x, ...) with a fixed phase is x).
        x = K.placeholder(shape=(2,))
        out = K.function([x], [x, x * 2])([np.array([1.0, 2.0])])
        np.testing.assert_allclose(out[0], [1, 2])
        np.testing.assert_allclose(out[1], [2, 4])
        only = K.function([x], [x])([np.array([3.0, 4.0])])
        np.testing.assert_allclose(only[0], [3, 4])

    def test_function_wrong_number_of_inputs(self, K):
        x = K.placeholder(shape=(2,))
        y = K.placeholder(shape=(2,))
        f = K.function([x, y], [x + y])
        with pytest.raises(ValueError):
            f([np.zeros(2)])
        with pytest.raises(ValueError):
            f([np.zeros(2)] * 3)

    def test_function_unknown_kwargs(self, K):
        # Keras 1.1.2's TensorFlow backend warned that unknown keyword arguments are ignored.
        x = K.placeholder(shape=(2,))
        with pytest.warns(UserWarning, match='not_an_option are ignored'):
            f = K.function([x], [x * 2], not_an_option=True)
        np.testing.assert_allclose(f([np.array([1.0, 2.0])])[0], [2.0, 4.0])

    # ----------------------------------------------------------- gradients
    def test_gradients(self, K):
        x = K.variable(np.array([1.0, -2.0, 3.0]))
        w = K.placeholder(shape=(3,))
        grads = K.gradients(K.sum(K.square(x) * w), [x, w])
        assert isinstance(grads, list) and len(grads) == 2
        gx, gw = K.function([w], grads)([np.array([1.0, 2.0, 3.0])])
        np.testing.assert_allclose(gx, [2, -8, 18])
        np.testing.assert_allclose(gw, [1, 4, 9])

    def test_gradients_numeric(self, K):
        check_gradient(K, lambda x, y: K.exp(x) * y + x * x, lambda x, y: np.exp(x) * y + x * x,
                       rng().randn(3, 2), rng(1).randn(3, 2), wrt=(0, 1))

    def test_stop_gradient(self, K):
        x = K.variable(np.array([1.0, 2.0, 3.0]))
        # d/dx sum(x * stop(x)) counts only the first factor: stop(x) = x, not 2x.
        grad = K.gradients(K.sum(x * K.stop_gradient(x)), [x])[0]
        np.testing.assert_allclose(K.eval(grad), [1, 2, 3])
        a, b = K.stop_gradient([x, x * 2])
        np.testing.assert_allclose(K.eval(b), [2, 4, 6])

    def test_all_reduce_mean(self, K):
        from kcore.backend.protocol import Backend
        from kcore.distribute import DistributeNotSupported
        x = K.placeholder(shape=(2, 3))
        if type(K).all_reduce_mean is Backend.all_reduce_mean:
            # No collective operations: the default names the backend.
            with pytest.raises(DistributeNotSupported, match='not supported on this backend'):
                K.all_reduce_mean([x])
            return
        # A process that trains alone is a group of one: the mean is the tensor itself.
        value = rng().randn(2, 3).astype(K.floatx())
        reduced = K.all_reduce_mean([x, K.sum(x)])
        assert isinstance(reduced, list) and len(reduced) == 2
        got = K.function([x], reduced)([value])
        np.testing.assert_allclose(got[0], value)
        np.testing.assert_allclose(got[1], value.sum(), rtol=1e-6)

    # -------------------------------------------------------------- random
    def test_random_uniform_variable(self, K):
        v = K.random_uniform_variable((100, 100), -1.0, 3.0, seed=1)
        value = K.get_value(v)
        assert value.shape == (100, 100) and value.dtype == np.dtype(K.floatx())
        assert value.min() >= -1 and value.max() <= 3
        # mean 1, std 4 / sqrt(12) ~ 1.155: 10000 draws put the sample mean within 0.06.
        assert abs(value.mean() - 1.0) < 0.06
        assert abs(value.std() - 4 / np.sqrt(12)) < 0.05

    def test_random_normal_variable(self, K):
        v = K.random_normal_variable((100, 100), 2.0, 0.5, seed=1)
        value = K.get_value(v)
        assert value.shape == (100, 100) and value.dtype == np.dtype(K.floatx())
        # 10000 draws: the sample mean is within 5 standard errors (0.025), the std within 0.03.
        assert abs(value.mean() - 2.0) < 0.025
        assert abs(value.std() - 0.5) < 0.03

    def test_random_uniform(self, K):
        x = K.random_uniform((100, 100), low=-2.0, high=2.0, seed=3)
        a, b = K.eval(x), K.eval(x)
        assert a.shape == (100, 100) and a.min() >= -2 and a.max() <= 2
        assert abs(a.mean()) < 0.06
        assert abs(a.std() - 4 / np.sqrt(12)) < 0.05
        assert not np.array_equal(a, b)  # drawn anew at each evaluation

    def test_random_normal(self, K):
        x = K.random_normal((100, 100), mean=-1.0, std=2.0, seed=3)
        a, b = K.eval(x), K.eval(x)
        assert a.shape == (100, 100)
        assert abs(a.mean() + 1.0) < 0.1
        assert abs(a.std() - 2.0) < 0.1
        assert not np.array_equal(a, b)

    def test_random_binomial(self, K):
        x = K.random_binomial((100, 100), p=0.3, seed=3)
        a, b = K.eval(x), K.eval(x)
        assert a.shape == (100, 100)
        assert set(np.unique(a)) <= {0, 1}
        # std of the mean: sqrt(0.3 * 0.7 / 10000) ~ 0.0046; allow 5 of them.
        assert abs(a.mean() - 0.3) < 0.023
        assert not np.array_equal(a, b)

    def test_random_uniform_symbolic_shape(self, K):
        # random_uniform, random_normal and random_binomial accept a symbolic shape, as
        # layers use them (e.g. noise of shape K.shape(x)).
        x = K.placeholder(shape=(None, 3))
        f = K.function([x], [K.random_uniform(K.shape(x)), K.random_normal(K.shape(x)),
                             K.random_binomial(K.shape(x), p=0.5)])
        for out in f([np.zeros((4, 3))]):
            assert out.shape == (4, 3)
