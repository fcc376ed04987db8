"""kcore.optimizers: each update rule against a numpy implementation of its formula,
gradient clipping, constraints, state save/restore, configs and lookups."""
import numpy as np
import pytest

from kcore import backend as K
from kcore import optimizers
from kcore.optimizers import SGD, Adadelta, Adagrad, Adam, Adamax, Nadam, Optimizer, RMSprop
from kcore.plugins.registries import RegistryError

from kcore_test_helpers.losses import backend  # noqa: F401 (autouse fixture)


# ------------------------------------------------------------- the problem
# Linear least squares: loss = mean((x W + b - y)**2), parameters W (3, 2) and b (2,).
RNG = np.random.RandomState(1)
X = RNG.randn(5, 3)
Y = RNG.randn(5, 2)
W0 = RNG.randn(3, 2)
B0 = RNG.randn(2)


def numpy_grads(params):
    W, b = params
    r = X @ W + b - Y
    return [X.T @ r * 2. / r.size, r.sum(axis=0) * 2. / r.size]


class Problem:
    """The kcore side: parameter variables, the loss and a training function."""

    def __init__(self, optimizer, params=(W0, B0), constraints=None):
        """``constraints(params)`` gives the constraints dict, if any."""
        self.optimizer = optimizer
        self.params = [K.variable(p) for p in params]
        self.x = K.placeholder(shape=(None, 3))
        self.y = K.placeholder(shape=(None, 2))
        W, b = self.params
        self.loss = K.mean(K.square(K.dot(self.x, W) + b - self.y))
        constraints = constraints(self.params) if constraints else {}
        updates = optimizer.get_updates(self.params, constraints, self.loss)
        self.train = K.function([self.x, self.y], [self.loss], updates=updates)

    def run(self, steps):
        """Take ``steps`` steps; return the parameter values after each."""
        history = []
        for _ in range(steps):
            self.train([X, Y])
            history.append(K.batch_get_value(self.params))
        return history


# ------------------------------------------------ numpy references (float64)
class Reference:
    """One optimizer in numpy; ``state()`` lists the state in kcore's order."""

    def __init__(self, params, **hyper):
        self.__dict__.update(self.defaults, **hyper)
        self.it = 0.
        self.slots = [[np.zeros_like(p) for p in params] for _ in range(self.nb_slots)]

    def run(self, params, steps):
        history = []
        for _ in range(steps):
            params = self.step(params, numpy_grads(params))
            self.it += 1
            history.append(params)
        return history

    def state(self):
        return [np.asarray(self.it)] + [s for slot in self.slots for s in slot]

    def decayed_lr(self):
        return self.lr / (1. + self.decay * self.it)


class RefSGD(Reference):
    defaults = dict(lr=0.01, momentum=0., decay=0., nesterov=False)
    nb_slots = 1

    def step(self, params, grads):
        lr, out = self.decayed_lr(), []
        for i, (p, g) in enumerate(zip(params, grads)):
            v = self.momentum * self.slots[0][i] - lr * g
            self.slots[0][i] = v
            out.append(p + self.momentum * v - lr * g if self.nesterov else p + v)
        return out


class RefRMSprop(Reference):
    defaults = dict(lr=0.001, rho=0.9, epsilon=1e-6, decay=0.)
    nb_slots = 1

    def step(self, params, grads):
        lr, out = self.decayed_lr(), []
        for i, (p, g) in enumerate(zip(params, grads)):
            a = self.rho * self.slots[0][i] + (1 - self.rho) * g ** 2
            self.slots[0][i] = a
            out.append(p - lr * g / (np.sqrt(a) + self.epsilon))
        return out


class RefAdagrad(Reference):
    defaults = dict(lr=0.01, epsilon=1e-6, decay=0.)
    nb_slots = 1

    def step(self, params, grads):
        lr, out = self.decayed_lr(), []
        for i, (p, g) in enumerate(zip(params, grads)):
            self.slots[0][i] = a = self.slots[0][i] + g ** 2
            out.append(p - lr * g / (np.sqrt(a) + self.epsilon))
        return out


class RefAdadelta(Reference):
    defaults = dict(lr=1.0, rho=0.95, epsilon=1e-6, decay=0.)
    nb_slots = 2

    def step(self, params, grads):
        lr, out = self.decayed_lr(), []
        for i, (p, g) in enumerate(zip(params, grads)):
            a = self.rho * self.slots[0][i] + (1 - self.rho) * g ** 2
            d = self.slots[1][i]
            u = g * np.sqrt(d + self.epsilon) / np.sqrt(a + self.epsilon)
            self.slots[0][i] = a
            self.slots[1][i] = self.rho * d + (1 - self.rho) * u ** 2
            out.append(p - lr * u)
        return out


class RefAdam(Reference):
    defaults = dict(lr=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-8, decay=0.)
    nb_slots = 2

    def step(self, params, grads):
        t = self.it + 1
        lr_t = self.decayed_lr() * np.sqrt(1 - self.beta_2 ** t) / (1 - self.beta_1 ** t)
        out = []
        for i, (p, g) in enumerate(zip(params, grads)):
            m = self.beta_1 * self.slots[0][i] + (1 - self.beta_1) * g
            v = self.beta_2 * self.slots[1][i] + (1 - self.beta_2) * g ** 2
            self.slots[0][i], self.slots[1][i] = m, v
            out.append(p - lr_t * m / (np.sqrt(v) + self.epsilon))
        return out


class RefAdamax(Reference):
    defaults = dict(lr=0.002, beta_1=0.9, beta_2=0.999, epsilon=1e-8, decay=0.)
    nb_slots = 2

    def step(self, params, grads):
        lr_t = self.decayed_lr() / (1 - self.beta_1 ** (self.it + 1))
        out = []
        for i, (p, g) in enumerate(zip(params, grads)):
            m = self.beta_1 * self.slots[0][i] + (1 - self.beta_1) * g
            u = np.maximum(self.beta_2 * self.slots[1][i], np.abs(g))
            self.slots[0][i], self.slots[1][i] = m, u
            out.append(p - lr_t * m / (u + self.epsilon))
        return out


class RefNadam(Reference):
    defaults = dict(lr=0.002, beta_1=0.9, beta_2=0.999, epsilon=1e-8, schedule_decay=0.004)
    nb_slots = 2
    m_schedule = 1.

    def mu(self, t):
        return self.beta_1 * (1 - 0.5 * 0.96 ** (t * self.schedule_decay))

    def step(self, params, grads):
        t = self.it + 1
        mu_t, mu_next = self.mu(t), self.mu(t + 1)
        self.m_schedule = schedule = self.m_schedule * mu_t
        schedule_next = schedule * mu_next
        out = []
        for i, (p, g) in enumerate(zip(params, grads)):
            m = self.beta_1 * self.slots[0][i] + (1 - self.beta_1) * g
            v = self.beta_2 * self.slots[1][i] + (1 - self.beta_2) * g ** 2
            self.slots[0][i], self.slots[1][i] = m, v
            m_bar = (1 - mu_t) * g / (1 - schedule) + mu_next * m / (1 - schedule_next)
            v_hat = v / (1 - self.beta_2 ** t)
            out.append(p - self.lr * m_bar / (np.sqrt(v_hat) + self.epsilon))
        return out

    def state(self):
        return super().state() + [np.asarray(self.m_schedule)]


CASES = [
    (SGD, RefSGD, {}),
    (SGD, RefSGD, dict(lr=0.1, momentum=0.9, decay=0.1)),
    (SGD, RefSGD, dict(lr=0.1, momentum=0.9, nesterov=True)),
    (RMSprop, RefRMSprop, dict(lr=0.01, decay=0.05)),
    (Adagrad, RefAdagrad, dict(lr=0.1)),
    (Adadelta, RefAdadelta, {}),
    (Adam, RefAdam, dict(lr=0.01, decay=0.01)),
    (Adamax, RefAdamax, dict(lr=0.01)),
    (Nadam, RefNadam, dict(lr=0.01)),
]
IDS = ['%s%s' % (c.__name__, ''.join('-%s=%s' % kv for kv in h.items())) for c, _, h in CASES]


def assert_all_close(got, want, rtol=1e-4, atol=1e-6):
    assert len(got) == len(want)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=rtol, atol=atol)


@pytest.mark.parametrize('cls, ref_cls, hyper', CASES, ids=IDS)
def test_update_rule_matches_numpy_and_its_state_restores(cls, ref_cls, hyper):
    problem = Problem(cls(**hyper))
    ref = ref_cls([W0, B0], **hyper)
    first = problem.run(1)
    saved = problem.optimizer.get_weights(), K.batch_get_value(problem.params)
    got = first + problem.run(2)
    want = ref.run([W0, B0], 3)
    for step in range(3):
        assert_all_close(got[step], want[step])
    # The state, in its documented order: [iterations] + slots (+ Nadam's m_schedule).
    assert_all_close(problem.optimizer.get_weights(), ref.state())
    # Restoring the state after step 1 and taking steps 2 and 3 again gives the same
    # parameters: the state holds everything the rule depends on.
    problem.optimizer.set_weights(saved[0])
    K.batch_set_value(list(zip(problem.params, saved[1])))
    assert_all_close(problem.run(2)[-1], got[-1], rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize('cls, ref_cls, hyper', [CASES[i] for i in (1, 7, 8)],
                         ids=[IDS[i] for i in (1, 7, 8)])
def test_sparse_gradients_of_a_gathered_parameter(cls, ref_cls, hyper):
    # The gradient of a gather (an embedding lookup) is sparse on TensorFlow; clipnorm
    # rescales it too.
    E0 = np.random.RandomState(2).randn(4, 2)
    E = K.variable(E0)
    rows = np.array([0, 2, 2])
    loss = K.sum(K.square(K.gather(E, K.constant(rows, dtype='int32'))))
    optimizer = cls(clipnorm=1., **hyper)
    train = K.function([], [loss], updates=optimizer.get_updates([E], {}, loss))

    def clipped_grads(params):
        g = np.zeros_like(params[0])
        np.add.at(g, rows, 2 * params[0][rows])
        return [g / max(1., np.sqrt((g ** 2).sum()))]

    ref = ref_cls([E0], **hyper)
    want = [E0]
    for _ in range(2):
        train([])
        want = ref.step(want, clipped_grads(want))
        ref.it += 1
    np.testing.assert_allclose(K.get_value(E), want[0], rtol=1e-4, atol=1e-6)


def test_decay_set_after_construction_takes_effect():
    # The decay is always part of the graph, so a callback may switch it on later.
    optimizer = SGD(lr=0.1)
    K.set_value(optimizer.decay, 0.5)
    got = Problem(optimizer).run(2)
    want = RefSGD([W0, B0], lr=0.1, decay=0.5).run([W0, B0], 2)
    assert_all_close(got[-1], want[-1])


def test_learning_rate_is_a_variable_that_callbacks_can_set():
    optimizer = Adam()
    problem = Problem(optimizer)
    K.set_value(optimizer.lr, 0.)
    assert_all_close(problem.run(1)[0], [W0, B0])
    assert optimizer.get_config()['lr'] == 0.
    K.set_value(optimizer.lr, 0.05)
    assert not np.allclose(problem.run(1)[0][0], W0)


# -------------------------------------------------------------- clipping
def test_clipnorm_rescales_all_gradients_by_their_global_norm():
    grads = numpy_grads([W0, B0])
    norm = np.sqrt(sum((g ** 2).sum() for g in grads))
    clip = norm / 4
    got = Problem(SGD(lr=1., clipnorm=clip)).run(1)[0]
    want = [p - g * clip / norm for p, g in zip([W0, B0], grads)]
    assert_all_close(got, want)


def test_clipnorm_leaves_gradients_within_the_norm_alone():
    grads = numpy_grads([W0, B0])
    norm = np.sqrt(sum((g ** 2).sum() for g in grads))
    got = Problem(SGD(lr=1., clipnorm=norm * 2)).run(1)[0]
    assert_all_close(got, [p - g for p, g in zip([W0, B0], grads)])


def test_clipvalue_clips_each_gradient_element():
    grads = numpy_grads([W0, B0])
    got = Problem(SGD(lr=1., clipvalue=0.1)).run(1)[0]
    assert_all_close(got, [p - np.clip(g, -0.1, 0.1) for p, g in zip([W0, B0], grads)])


def test_a_parameter_the_loss_does_not_use_is_a_clear_error():
    unused = K.variable(np.zeros(2), name='unused_weight')
    used = K.variable(np.ones(2))
    with pytest.raises(ValueError, match='does not depend on the parameter'):
        SGD().get_updates([used, unused], {}, K.sum(used))


# ------------------------------------------------------------ constraints
def test_constraints_are_applied_to_the_new_parameter_values():
    def nonneg(p):
        return p * K.cast(K.greater_equal(p, 0.), K.floatx())

    plain = Problem(SGD(lr=0.5)).run(1)[0]
    got = Problem(SGD(lr=0.5), constraints=lambda params: {params[0]: nonneg}).run(1)[0]
    assert (plain[0] < 0).any()
    assert_all_close(got, [np.maximum(plain[0], 0), plain[1]], rtol=1e-6, atol=1e-7)


# ---------------------------------------------------------------- state
def test_a_new_optimizer_given_the_saved_state_continues_identically():
    # What loading a saved model does: a fresh optimizer, the saved parameters and state.
    first = Problem(Nadam(lr=0.01))
    first.run(2)
    saved_params = K.batch_get_value(first.params)
    saved_state = first.optimizer.get_weights()
    continued = first.run(2)

    second = Problem(Nadam(lr=0.01), params=saved_params)
    second.optimizer.set_weights(saved_state)
    assert_all_close(second.run(2)[-1], continued[-1], rtol=1e-6, atol=1e-7)


def test_set_weights_errors_are_clear():
    optimizer = Adam()
    with pytest.raises(ValueError, match='no state yet'):
        optimizer.set_weights([np.zeros(())])
    Problem(optimizer)
    state = optimizer.get_weights()
    with pytest.raises(ValueError, match='has 5 state weights, but 2 values were given'):
        optimizer.set_weights(state[:2])
    state[1] = np.zeros((2, 3))
    with pytest.raises(ValueError, match=r'state weight 1 has shape \(3, 2\).*\(2, 3\)'):
        optimizer.set_weights(state)


def test_keras1_state_layouts_load():
    # Keras 1.1.2 saved RMSprop without its step count and Nadam without m_schedule.
    rmsprop = Problem(RMSprop()).optimizer
    accumulators = [np.full((3, 2), 0.5), np.full((2,), 0.25)]
    rmsprop.set_weights(accumulators)
    state = rmsprop.get_weights()
    assert state[0] == 0
    assert_all_close(state[1:], accumulators)

    nadam = Problem(Nadam()).optimizer
    ref = RefNadam([W0, B0])
    ref.run([W0, B0], 3)
    nadam.set_weights(ref.state()[:-1])
    np.testing.assert_allclose(nadam.get_weights()[-1], ref.m_schedule, rtol=1e-6)


# ---------------------------------------------------------------- config
@pytest.mark.parametrize('cls, ref_cls, hyper', CASES, ids=IDS)
def test_config_round_trip(cls, ref_cls, hyper):
    optimizer = cls(clipnorm=1.5, **hyper)
    config = optimizer.get_config()
    for name, value in ref_cls.defaults.items():
        assert config[name] == hyper.get(name, value)
        assert type(config[name]) is type(value)
    assert config['clipnorm'] == 1.5 and 'clipvalue' not in config
    assert cls.from_config(config).get_config() == config


def test_documented_defaults():
    assert SGD().get_config() == dict(lr=0.01, momentum=0., decay=0., nesterov=False)
    assert RMSprop().get_config() == dict(lr=0.001, rho=0.9, epsilon=1e-6, decay=0.)
    assert Adagrad().get_config() == dict(lr=0.01, epsilon=1e-6, decay=0.)
    assert Adadelta().get_config() == dict(lr=1.0, rho=0.95, epsilon=1e-6, decay=0.)
    assert Adam().get_config() == dict(lr=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-8,
                                       decay=0.)
    assert Adamax().get_config() == dict(lr=0.002, beta_1=0.9, beta_2=0.999, epsilon=1e-8,
                                         decay=0.)
    assert Nadam().get_config() == dict(lr=0.002, beta_1=0.9, beta_2=0.999, epsilon=1e-8,
                                        schedule_decay=0.004)


def test_config_reports_a_changed_hyperparameter():
    optimizer = SGD(lr=0.01, clipvalue=0.5)
    K.set_value(optimizer.lr, 0.25)
    assert optimizer.get_config() == dict(lr=0.25, momentum=0., decay=0., nesterov=False,
                                          clipvalue=0.5)


def test_unknown_keyword_is_a_type_error_naming_it():
    with pytest.raises(TypeError, match="SGD got unexpected keyword argument.*'learning_rate'"):
        SGD(learning_rate=0.1)
    with pytest.raises(TypeError, match="'clip_norm'"):
        Adam(clip_norm=1.)


# ----------------------------------------------------------------- lookup
@pytest.mark.parametrize('name, cls', [('sgd', SGD), ('rmsprop', RMSprop), ('adagrad', Adagrad),
                                       ('adadelta', Adadelta), ('adam', Adam),
                                       ('adamax', Adamax), ('nadam', Nadam), ('SGD', SGD),
                                       ('RMSprop', RMSprop)])
def test_get_by_name_uses_default_parameters(name, cls):
    optimizer = optimizers.get(name)
    assert type(optimizer) is cls
    assert optimizer.get_config() == cls().get_config()


def test_get_forms():
    adam = Adam(lr=0.1)
    assert optimizers.get(adam) is adam
    assert optimizers.get('sgd', {'lr': 0.5}).get_config()['lr'] == 0.5
    assert type(optimizers.get(Adamax)) is Adamax
    restored = optimizers.get({'class_name': 'Adam', 'config': adam.get_config()})
    assert type(restored) is Adam and restored.get_config() == adam.get_config()
    # Keras 1.0 configs carried the class name inside the config too.
    assert type(optimizers.optimizer_from_config(
        {'class_name': 'SGD', 'config': {'name': 'SGD', 'lr': 0.1}})) is SGD

    class Custom(SGD):
        pass
    assert type(optimizers.optimizer_from_config({'class_name': 'Custom', 'config': {}},
                                                 custom_objects={'Custom': Custom})) is Custom


def test_get_unknown_name_suggests_the_close_one():
    with pytest.raises(RegistryError, match="Unknown optimizer 'adamm'. Did you mean 'Adam'"):
        optimizers.get('adamm')
    with pytest.raises(TypeError, match='Cannot make an optimizer from 3'):
        optimizers.get(3)


def test_optimizer_base_is_abstract():
    with pytest.raises(NotImplementedError):
        p = K.variable(1.)
        Optimizer().get_updates([p], {}, p * 2.)


# ------------------------------------------------------------ TFOptimizer
def tf_optimizer_class():
    """kcore.optimizers.TFOptimizer, which the kcore-tf plugin registers."""
    try:
        from kcore.optimizers import TFOptimizer
    except ImportError as e:
        pytest.skip('TFOptimizer comes from kcore-tf: %s' % e)
    return TFOptimizer


def test_tf_optimizer_wraps_a_tensorflow_optimizer(backend):
    if K.backend() != 'tensorflow':
        pytest.skip('TFOptimizer needs the tensorflow backend')
    tf = pytest.importorskip('tensorflow')
    optimizer = optimizers.get(tf.compat.v1.train.GradientDescentOptimizer(0.5))
    assert isinstance(optimizer, tf_optimizer_class())
    got = Problem(optimizer).run(1)[0]
    assert_all_close(got, [p - 0.5 * g for p, g in zip([W0, B0], numpy_grads([W0, B0]))])
    assert K.get_value(optimizer.iterations) == 1
    assert optimizer.weights == []
    with pytest.raises(NotImplementedError, match='cannot be serialized'):
        optimizer.get_config()
    with pytest.raises(ValueError, match='do not apply weight constraints'):
        p = K.variable(1.)
        optimizer.get_updates([p], {p: lambda x: x}, p * 2.)


def test_tf_optimizer_errors(backend, monkeypatch):
    TFOptimizer = tf_optimizer_class()
    if K.backend() == 'tensorflow':
        with pytest.raises(TypeError, match='no compute_gradients or apply_gradients'):
            TFOptimizer(object())
    monkeypatch.setattr(backend, 'name', 'theano')
    with pytest.raises(ValueError, match="only on the tensorflow backend; the active backend "
                                         "is 'theano'"):
        TFOptimizer(object())
