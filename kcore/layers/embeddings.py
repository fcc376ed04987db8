"""Embedding (``keras.layers.embeddings``): integer indices -> dense vectors."""
import numbers

from kcore import backend as K
from kcore import constraints, initializations, regularizers
from kcore.engine.topology import InputSpec, Layer
from kcore.layers.base import check_rank, config_of, positive_int
from kcore.plugins import hookimpl

__all__ = ['Embedding']


class Embedding(Layer):
    """Turn each index of (samples, sequence_length) into row ``index`` of W
    (input_dim, output_dim): the output is (samples, sequence_length, output_dim).

    ``mask_zero``: index 0 is padding; the output mask is ``input != 0``.
    ``dropout``: in training, whole rows of W (words) are dropped with this probability and
    the kept rows scaled by 1 / (1 - dropout) (Keras 1 semantics; Gal's embedding dropout).
    ``input_length``: the fixed sequence length, needed by Flatten then Dense downstream.
    Decision: the doc says input_dim is an "integer >= 0"; it is the
    vocabulary size (largest index + 1), so it must be >= 1.
    """

    def __init__(self, input_dim, output_dim, init='uniform', input_length=None,
                 W_regularizer=None, activity_regularizer=None, W_constraint=None,
                 mask_zero=False, weights=None, dropout=0., **kwargs):
        if 'input_shape' not in kwargs and 'batch_input_shape' not in kwargs:
            kwargs['input_shape'] = (input_length,)
        kwargs.setdefault('input_dtype', 'int32')
        super().__init__(weights=weights, **kwargs)
        self.input_dim = positive_int(self, 'input_dim', input_dim)
        self.output_dim = positive_int(self, 'output_dim', output_dim)
        if input_length is not None:
            input_length = positive_int(self, 'input_length', input_length)
        self.input_length = input_length
        self.init = initializations.get(init)
        self.W_regularizer = regularizers.get(W_regularizer)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.W_constraint = constraints.get(W_constraint)
        self.mask_zero = bool(mask_zero)
        if isinstance(dropout, bool) or not isinstance(dropout, numbers.Real) \
                or not 0. <= dropout < 1.:
            raise ValueError('Embedding: dropout (the fraction of embeddings to drop) must be a '
                             'number in [0, 1); got %r.' % (dropout,))
        self.dropout = dropout
        self.uses_learning_phase = 0. < dropout < 1.
        self.input_spec = [InputSpec(ndim=2)]

    def build(self, input_shape):
        check_rank(self, input_shape, 2, '(samples, sequence_length)', exact=True)
        self.W = self.add_weight((self.input_dim, self.output_dim), self.init,
                                 name='%s_W' % self.name, regularizer=self.W_regularizer,
                                 constraint=self.W_constraint)
        self.built = True

    def compute_mask(self, x, mask=None):
        return K.not_equal(x, 0) if self.mask_zero else None

    def get_output_shape_for(self, input_shape):
        check_rank(self, input_shape, 2, '(samples, sequence_length)', exact=True)
        length = input_shape[1]
        if self.input_length is not None and length is not None and length != self.input_length:
            raise ValueError('Layer %s was built for input_length=%d but got input of shape %s.'
                             % (self.name, self.input_length, tuple(input_shape)))
        return (input_shape[0], self.input_length or length, self.output_dim)

    def call(self, x, mask=None):
        if K.dtype(x) not in ('int32', 'int64'):
            x = K.cast(x, 'int32')
        W = self.W
        if self.uses_learning_phase:
            keep = 1. - self.dropout
            W = K.in_train_phase(lambda: W * K.expand_dims(
                K.random_binomial((self.input_dim,), p=keep) / keep, 1), W)
        return K.gather(W, x)

    def get_config(self):
        return dict(super().get_config(), input_dim=self.input_dim, output_dim=self.output_dim,
                    init=self.init.__name__, input_length=self.input_length,
                    mask_zero=self.mask_zero, W_regularizer=config_of(self.W_regularizer),
                    activity_regularizer=config_of(self.activity_regularizer),
                    W_constraint=config_of(self.W_constraint), dropout=self.dropout)


@hookimpl
def register_layers(register):
    for layer in (Embedding,):
        register(layer.__name__, layer)
