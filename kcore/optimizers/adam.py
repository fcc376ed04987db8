"""The Adam family: Adam, Adamax (its infinity-norm variant) and Nadam (Nesterov Adam)."""
import numpy as np

from kcore import backend as K
from kcore.optimizers.base import Optimizer


class Adam(Optimizer):
    """Adam, with the paper's defaults.

    Each step t (from 1): m = beta_1 * m + (1 - beta_1) * g;
    v = beta_2 * v + (1 - beta_2) * g**2;
    p -= lr_t * m / (sqrt(v) + epsilon), where the bias correction is folded into
    lr_t = lr * sqrt(1 - beta_2**t) / (1 - beta_1**t) (lr decayed by ``decay``).
    State: [iterations] + the first moments + the second moments.
    """

    hyperparameters = ('lr', 'beta_1', 'beta_2', 'decay')
    settings = ('epsilon',)

    def __init__(self, lr=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-8, decay=0., **kwargs):
        super().__init__(**kwargs)
        self._set_hyperparameters(lr=lr, beta_1=beta_1, beta_2=beta_2, decay=decay)
        self.epsilon = float(epsilon)

    def _new_params(self, params, grads, done):
        t = done + 1.
        lr = self._decayed_lr(done)
        beta_1_power, beta_2_power = K.pow(self.beta_1, t), K.pow(self.beta_2, t)
        lr_t = lr * K.sqrt(1. - beta_2_power) / (1. - beta_1_power)
        ms = self._zeros_like(params)
        vs = self._zeros_like(params)
        self.weights = [self.iterations] + ms + vs
        new_params = []
        for p, g, m, v in zip(params, grads, ms, vs):
            if self._fused_step('adam', p, g, [m, v], lr=lr, beta_1=self.beta_1,
                                beta_2=self.beta_2, beta_1_power=beta_1_power,
                                beta_2_power=beta_2_power, epsilon=self.epsilon):
                new_params.append(None)
                continue
            new_m = self.beta_1 * m + (1. - self.beta_1) * g
            new_v = self.beta_2 * v + (1. - self.beta_2) * K.square(g)
            self.updates.append(K.update(m, new_m))
            self.updates.append(K.update(v, new_v))
            new_params.append(p - lr_t * new_m / (K.sqrt(new_v) + self.epsilon))
        return new_params


class Adamax(Optimizer):
    """Adamax, the infinity-norm variant of Adam (section 7 of the Adam paper).

    Each step t: m = beta_1 * m + (1 - beta_1) * g; u = max(beta_2 * u, |g|);
    p -= lr / (1 - beta_1**t) * m / (u + epsilon) (lr decayed by ``decay``).
    State: [iterations] + the first moments + the infinity norms.
    """

    hyperparameters = ('lr', 'beta_1', 'beta_2', 'decay')
    settings = ('epsilon',)

    def __init__(self, lr=0.002, beta_1=0.9, beta_2=0.999, epsilon=1e-8, decay=0., **kwargs):
        super().__init__(**kwargs)
        self._set_hyperparameters(lr=lr, beta_1=beta_1, beta_2=beta_2, decay=decay)
        self.epsilon = float(epsilon)

    def _new_params(self, params, grads, done):
        t = done + 1.
        lr_t = self._decayed_lr(done) / (1. - K.pow(self.beta_1, t))
        ms = self._zeros_like(params)
        us = self._zeros_like(params)
        self.weights = [self.iterations] + ms + us
        new_params = []
        for p, g, m, u in zip(params, grads, ms, us):
            new_m = self.beta_1 * m + (1. - self.beta_1) * g
            new_u = K.maximum(self.beta_2 * u, K.abs(g))
            self.updates.append(K.update(m, new_m))
            self.updates.append(K.update(u, new_u))
            new_params.append(p - lr_t * new_m / (new_u + self.epsilon))
        return new_params


class Nadam(Optimizer):
    """Nadam: Adam with Nesterov momentum (Dozat's report), with its defaults.

    The momentum follows the schedule mu_t = beta_1 * (1 - 0.5 * 0.96**(t * schedule_decay));
    the product of the mu so far is kept in ``m_schedule``.
    State: [iterations] + first moments + second moments + [m_schedule] (Keras 1.1.2
    left m_schedule out of its state; a saved state without it is completed from the
    step count).
    """

    hyperparameters = ('lr', 'beta_1', 'beta_2')
    settings = ('epsilon', 'schedule_decay')

    def __init__(self, lr=0.002, beta_1=0.9, beta_2=0.999, epsilon=1e-8, schedule_decay=0.004,
                 **kwargs):
        super().__init__(**kwargs)
        self._set_hyperparameters(lr=lr, beta_1=beta_1, beta_2=beta_2)
        self.epsilon = float(epsilon)
        self.schedule_decay = float(schedule_decay)
        with K.name_scope(type(self).__name__):
            self.m_schedule = K.variable(1., name='m_schedule')

    def _momentum_at(self, t):
        return self.beta_1 * (1. - 0.5 * K.pow(0.96, t * self.schedule_decay))

    def _new_params(self, params, grads, done):
        t = done + 1.
        mu_t = self._momentum_at(t)
        mu_next = self._momentum_at(t + 1.)
        schedule = self.m_schedule * mu_t
        # Chained from ``schedule`` so that m_schedule is read once per step.
        schedule_next = schedule * mu_next
        self.updates.append(K.update(self.m_schedule, schedule))
        ms = self._zeros_like(params)
        vs = self._zeros_like(params)
        self.weights = [self.iterations] + ms + vs + [self.m_schedule]
        new_params = []
        for p, g, m, v in zip(params, grads, ms, vs):
            new_m = self.beta_1 * m + (1. - self.beta_1) * g
            new_v = self.beta_2 * v + (1. - self.beta_2) * K.square(g)
            self.updates.append(K.update(m, new_m))
            self.updates.append(K.update(v, new_v))
            g_hat = g / (1. - schedule)
            m_hat = new_m / (1. - schedule_next)
            v_hat = new_v / (1. - K.pow(self.beta_2, t))
            m_bar = (1. - mu_t) * g_hat + mu_next * m_hat
            new_params.append(p - self.lr * m_bar / (K.sqrt(v_hat) + self.epsilon))
        return new_params

    def _from_keras1_layout(self, weights):
        if len(weights) + 1 != len(self.weights):
            return None
        steps = int(round(float(weights[0])))
        beta_1 = float(K.get_value(self.beta_1))
        t = np.arange(1, steps + 1, dtype='float64')
        schedule = np.prod(beta_1 * (1. - 0.5 * 0.96 ** (t * self.schedule_decay)))
        return list(weights) + [np.asarray(schedule)]
