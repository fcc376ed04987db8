"""Train a small MLP on scikit-learn's digits with kcore's backend functions alone.

It uses ``K.placeholder``, ``K.variable``, ``K.gradients`` and ``K.function`` with
updates (the training loop of ``model.fit`` does the same). Prints the progress
and the test accuracy, and saves the weights (written to a temporary file, then
renamed).

    python examples/digits_backend.py [--epochs 30] [--out digits_mlp.npz]
"""
import argparse
import os
import sys
import tempfile
import time

import numpy as np

from kcore import backend as K


def load_digits(seed=0):
    """scikit-learn's 8x8 digits (shipped with it, no download), split 80/20."""
    from sklearn.datasets import load_digits as sk_load_digits
    data = sk_load_digits()
    x = (data.data / 16.0).astype('float32')
    y = np.eye(10, dtype='float32')[data.target]
    order = np.random.RandomState(seed).permutation(len(x))
    split = int(0.8 * len(x))
    return (x[order[:split]], y[order[:split]]), (x[order[split:]], y[order[split:]])


def build(input_dim, hidden, classes, lr=0.1, momentum=0.9, seed=0):
    """Return (train, predict, weights): a 2-layer MLP trained by SGD with momentum."""
    rng = np.random.RandomState(seed)

    def glorot(n_in, n_out):
        limit = np.sqrt(6.0 / (n_in + n_out))
        return K.variable(rng.uniform(-limit, limit, (n_in, n_out)))

    weights = [glorot(input_dim, hidden), K.zeros((hidden,)),
               glorot(hidden, classes), K.zeros((classes,))]
    x = K.placeholder(shape=(None, input_dim))
    y = K.placeholder(shape=(None, classes))
    h = K.relu(K.dot(x, weights[0]) + weights[1])
    h = K.in_train_phase(K.dropout(h, 0.2), h)
    probs = K.softmax(K.dot(h, weights[2]) + weights[3])
    loss = K.mean(K.categorical_crossentropy(probs, y))
    accuracy = K.mean(K.cast(K.equal(K.argmax(probs), K.argmax(y)), K.floatx()))
    updates = []
    for w, g in zip(weights, K.gradients(loss, weights)):
        velocity = K.zeros(K.get_variable_shape(w))
        new_velocity = momentum * velocity - lr * g
        updates += [K.update(velocity, new_velocity), K.update(w, w + new_velocity)]
    train = K.function([x, y, K.learning_phase()], [loss, accuracy], updates=updates)
    predict = K.function([x, K.learning_phase()], [probs])
    return train, predict, weights


def save_weights(weights, path):
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, suffix='.npz')
    os.close(fd)
    try:
        np.savez(tmp, *K.batch_get_value(weights))
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--epochs', type=int, default=30)
    parser.add_argument('--batch-size', type=int, default=32)
    parser.add_argument('--out', default='digits_mlp.npz')
    args = parser.parse_args(argv)

    np.random.seed(0)
    (x_train, y_train), (x_test, y_test) = load_digits()
    print('kcore backend: %s; %d training and %d test digits'
          % (K.backend(), len(x_train), len(x_test)))
    train, predict, weights = build(x_train.shape[1], 64, 10)
    for epoch in range(1, args.epochs + 1):
        start = time.time()
        order = np.random.permutation(len(x_train))
        losses, accuracies = [], []
        for i in range(0, len(order), args.batch_size):
            batch = order[i:i + args.batch_size]
            loss, accuracy = train([x_train[batch], y_train[batch], 1])
            losses.append(loss)
            accuracies.append(accuracy)
        print('epoch %2d/%d - %.2fs - loss: %.4f - acc: %.4f'
              % (epoch, args.epochs, time.time() - start, np.mean(losses), np.mean(accuracies)))
    probs = predict([x_test, 0])[0]
    test_accuracy = np.mean(probs.argmax(axis=1) == y_test.argmax(axis=1))
    print('test accuracy: %.4f' % test_accuracy)
    save_weights(weights, args.out)
    print('weights saved to %s' % args.out)
    return 0 if test_accuracy > 0.9 else 1


if __name__ == '__main__':
    sys.exit(main())
