"""Stochastic gradient descent with momentum, Nesterov momentum and learning-rate decay."""
from kcore import backend as K
from kcore.optimizers.base import Optimizer


class SGD(Optimizer):
    """Stochastic gradient descent.

    Each step: lr_t = lr / (1 + decay * iterations); v = momentum * v - lr_t * g;
    p += v, or with ``nesterov`` p += momentum * v - lr_t * g.
    State: [iterations] + one velocity per parameter (Keras 1.1.2's layout).
    """

    hyperparameters = ('lr', 'momentum', 'decay')
    settings = ('nesterov',)

    def __init__(self, lr=0.01, momentum=0., decay=0., nesterov=False, **kwargs):
        super().__init__(**kwargs)
        self._set_hyperparameters(lr=lr, momentum=momentum, decay=decay)
        self.nesterov = bool(nesterov)

    def _new_params(self, params, grads, done):
        lr = self._decayed_lr(done)
        velocities = self._zeros_like(params)
        self.weights = [self.iterations] + velocities
        new_params = []
        for p, g, v in zip(params, grads, velocities):
            new_v = self.momentum * v - lr * g
            self.updates.append(K.update(v, new_v))
            if self.nesterov:
                new_params.append(p + self.momentum * new_v - lr * g)
            else:
                new_params.append(p + new_v)
        return new_params
