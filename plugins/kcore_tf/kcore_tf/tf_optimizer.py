"""TFOptimizer (``kcore.optimizers.TFOptimizer``): train a kcore model with a TensorFlow
optimizer object. kcore-tf registers it through ``register_optimizers``."""
from kcore import backend as K
from kcore import distribute
from kcore.optimizers.base import Optimizer


class TFOptimizer(Optimizer):
    """Wrap a ``tf.compat.v1.train.Optimizer`` (anything with ``compute_gradients`` and
    ``apply_gradients``); only on the tensorflow backend.

    The wrapped object keeps its own state, so ``weights`` is empty, and it cannot be
    serialized: ``get_config`` raises NotImplementedError. Weight constraints are not
    supported.
    """

    @classmethod
    def accepts(cls, obj):
        """True for a TensorFlow optimizer, which ``optimizers.get`` then wraps in this class."""
        return all(callable(getattr(obj, name, None))
                   for name in ('compute_gradients', 'apply_gradients'))

    def __init__(self, optimizer):
        if K.backend() != 'tensorflow':
            raise ValueError('TFOptimizer wraps a TensorFlow optimizer and works only on the '
                             'tensorflow backend; the active backend is %r. Use a kcore '
                             'optimizer (e.g. SGD, Adam) instead.' % K.backend())
        missing = [name for name in ('compute_gradients', 'apply_gradients')
                   if not callable(getattr(optimizer, name, None))]
        if missing:
            raise TypeError('TFOptimizer expects a tf.compat.v1.train.Optimizer; %r has no %s.'
                            % (optimizer, ' or '.join(missing)))
        super().__init__()
        self.optimizer = optimizer

    def get_updates(self, params, constraints, loss):
        if constraints:
            raise ValueError('TensorFlow optimizers do not apply weight constraints. Remove the '
                             'constraints from the model, or use a kcore optimizer.')
        grads_and_vars = self.optimizer.compute_gradients(loss, list(params))
        if distribute.active() is not None:   # averaged over the workers, as kcore's own
            pairs = [(g, v) for g, v in grads_and_vars if g is not None]
            grads = distribute.reduce_gradients([g for g, _ in pairs])
            grads_and_vars = list(zip(grads, [v for _, v in pairs]))
        self.updates = [self.optimizer.apply_gradients(grads_and_vars,
                                                       global_step=self.iterations)]
        return self.updates

    def get_config(self):
        raise NotImplementedError('A TFOptimizer wraps a TensorFlow object and cannot be '
                                  'serialized; save the model without its optimizer, or use a '
                                  'kcore optimizer.')

    @classmethod
    def from_config(cls, config):
        raise NotImplementedError('A TFOptimizer cannot be created from a config.')

    def __repr__(self):
        return 'TFOptimizer(%r)' % (self.optimizer,)
