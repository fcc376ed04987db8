"""A siamese MLP on pairs of mnist digits: one base network (shared weights) encodes both
digits of a pair, a Lambda layer computes the euclidean distance of the two codes, and
the contrastive loss (Hadsell et al. 2006) pulls same-digit pairs together and pushes
different-digit pairs at least a margin apart.

Downloads mnist through kcore.datasets.mnist.load_data() unless --smoke (synthetic digits).

    python examples/mnist_siamese_graph.py [--epochs 20] [--smoke]
"""
import sys

import numpy as np

import smoke_data
from kcore import backend as K
from kcore.layers import Dense, Dropout, Input, Lambda
from kcore.models import Model, Sequential
from kcore.optimizers import RMSprop


def euclidean_distance(vects):
    """The distance of each pair of codes, (samples, 1); never quite 0 (its gradient)."""
    x, y = vects
    return K.sqrt(K.maximum(K.sum(K.square(x - y), axis=1, keepdims=True), K.epsilon()))


def distance_output_shape(shapes):
    return (shapes[0][0], 1)


def contrastive_loss(y_true, y_pred, margin=1):
    """Same pairs (y_true 1) pay their squared distance, different pairs the square of
    what is missing to the margin."""
    return K.mean(y_true * K.square(y_pred) +
                  (1 - y_true) * K.square(K.maximum(margin - y_pred, 0)))


def create_pairs(x, digit_indices, rng):
    """Alternating positive and negative pairs, as many per digit as the rarest allows."""
    pairs, labels = [], []
    n = min(len(d) for d in digit_indices) - 1
    for d in range(10):
        for i in range(n):
            pairs.append([x[digit_indices[d][i]], x[digit_indices[d][i + 1]]])
            other = (d + rng.randint(1, 10)) % 10
            pairs.append([x[digit_indices[d][i]], x[digit_indices[other][i]]])
            labels += [1, 0]
    return np.array(pairs), np.array(labels, dtype='float32')


def create_base_network(input_dim, hidden):
    """The shared encoder: three Dense layers with dropout."""
    seq = Sequential()
    seq.add(Dense(hidden, input_shape=(input_dim,), activation='relu'))
    seq.add(Dropout(0.1))
    seq.add(Dense(hidden, activation='relu'))
    seq.add(Dropout(0.1))
    seq.add(Dense(hidden, activation='relu'))
    return seq


def accuracy(predictions, labels):
    """The share of pairs classified right by a fixed threshold of 0.5 on the distance."""
    return float(np.mean((predictions.ravel() < 0.5) == (labels == 1)))


def main(argv=None):
    args = smoke_data.parser(__doc__, epochs=20).parse_args(argv)
    epochs, hidden = (2, 16) if args.smoke else (args.epochs, 128)
    rng = np.random.RandomState(1337)
    (x_train, y_train), (x_test, y_test) = smoke_data.mnist(args.smoke, 400, 200)
    x_train = x_train.reshape(len(x_train), 784).astype('float32') / 255
    x_test = x_test.reshape(len(x_test), 784).astype('float32') / 255
    tr_pairs, tr_y = create_pairs(x_train, [np.where(y_train == i)[0] for i in range(10)], rng)
    te_pairs, te_y = create_pairs(x_test, [np.where(y_test == i)[0] for i in range(10)], rng)

    base_network = create_base_network(784, hidden)
    input_a, input_b = Input(shape=(784,)), Input(shape=(784,))
    distance = Lambda(euclidean_distance, output_shape=distance_output_shape)(
        [base_network(input_a), base_network(input_b)])
    model = Model(input=[input_a, input_b], output=distance)
    model.compile(loss=contrastive_loss, optimizer=RMSprop())
    model.fit([tr_pairs[:, 0], tr_pairs[:, 1]], tr_y,
              validation_data=([te_pairs[:, 0], te_pairs[:, 1]], te_y),
              batch_size=128, nb_epoch=epochs)

    train_accuracy = accuracy(model.predict([tr_pairs[:, 0], tr_pairs[:, 1]]), tr_y)
    test_accuracy = accuracy(model.predict([te_pairs[:, 0], te_pairs[:, 1]]), te_y)
    print('accuracy on the training pairs: %.2f%%' % (100 * train_accuracy))
    print('accuracy on the test pairs: %.2f%%' % (100 * test_accuracy))
    return 0 if 0 <= test_accuracy <= 1 else 1


if __name__ == '__main__':
    sys.exit(main())
