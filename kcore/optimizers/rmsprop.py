"""RMSprop: divide the gradient by a running average of its recent magnitude."""
from kcore import backend as K
from kcore.optimizers.base import Optimizer


class RMSprop(Optimizer):
    """RMSprop, a good choice for recurrent networks (tune only ``lr``).

    Each step: a = rho * a + (1 - rho) * g**2; p -= lr_t * g / (sqrt(a) + epsilon),
    with lr_t = lr / (1 + decay * iterations).
    State: [iterations] + one accumulator per parameter.
    """

    hyperparameters = ('lr', 'rho', 'decay')
    settings = ('epsilon',)
    keras1_saved_iterations = False

    def __init__(self, lr=0.001, rho=0.9, epsilon=1e-6, decay=0., **kwargs):
        super().__init__(**kwargs)
        self._set_hyperparameters(lr=lr, rho=rho, decay=decay)
        self.epsilon = float(epsilon)

    def _new_params(self, params, grads, done):
        lr = self._decayed_lr(done)
        accumulators = self._zeros_like(params)
        self.weights = [self.iterations] + accumulators
        new_params = []
        for p, g, a in zip(params, grads, accumulators):
            new_a = self.rho * a + (1. - self.rho) * K.square(g)
            self.updates.append(K.update(a, new_a))
            new_params.append(p - lr * g / (K.sqrt(new_a) + self.epsilon))
        return new_params
