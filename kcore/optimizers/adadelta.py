"""Adadelta: learning rates from running averages of squared gradients and updates."""
from kcore import backend as K
from kcore.optimizers.base import Optimizer


class Adadelta(Optimizer):
    """Adadelta (keep the defaults).

    Each step: a = rho * a + (1 - rho) * g**2;
    u = g * sqrt(d + epsilon) / sqrt(a + epsilon); p -= lr_t * u;
    d = rho * d + (1 - rho) * u**2, with lr_t = lr / (1 + decay * iterations).
    State: [iterations] + the accumulators a + the delta accumulators d.
    """

    hyperparameters = ('lr', 'rho', 'decay')
    settings = ('epsilon',)
    keras1_saved_iterations = False

    def __init__(self, lr=1.0, rho=0.95, epsilon=1e-6, decay=0., **kwargs):
        super().__init__(**kwargs)
        self._set_hyperparameters(lr=lr, rho=rho, decay=decay)
        self.epsilon = float(epsilon)

    def _new_params(self, params, grads, done):
        lr = self._decayed_lr(done)
        accumulators = self._zeros_like(params)
        deltas = self._zeros_like(params)
        self.weights = [self.iterations] + accumulators + deltas
        new_params = []
        for p, g, a, d in zip(params, grads, accumulators, deltas):
            new_a = self.rho * a + (1. - self.rho) * K.square(g)
            self.updates.append(K.update(a, new_a))
            # The new accumulator with the old delta accumulator, as in the paper.
            step = g * K.sqrt(d + self.epsilon) / K.sqrt(new_a + self.epsilon)
            new_params.append(p - lr * step)
            self.updates.append(K.update(d, self.rho * d + (1. - self.rho) * K.square(step)))
        return new_params
