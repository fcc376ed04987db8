"""A stacked what-where autoencoder (Zhao et al. 2015) with residual blocks on mnist.

The encoder alternates residual convolution blocks and max pooling; at each pooling it
keeps "where" the maxima were, a mask obtained as the gradient of the pooled sum with
respect to the pooling input (K.gradients inside a Lambda). The decoder upsamples and
multiplies by the mask (merge mode 'mul'), so each value goes back to its place, then
applies residual blocks. Trained to reconstruct its input (mse).

Downloads mnist through kcore.datasets.mnist.load_data() unless --smoke (synthetic digits).

    python examples/mnist_sswae.py [--epochs 5] [--smoke]
"""
import sys

import numpy as np

import smoke_data
from kcore import backend as K
from kcore.layers import (Activation, BatchNormalization, Convolution2D, Input, Lambda,
                          MaxPooling2D, UpSampling2D, merge)
from kcore.models import Model


def channel_axis():
    return 1 if K.image_dim_ordering() == 'th' else -1


def convresblock(x, nfeats, ksize):
    """Convolution, then a residual pair of batch-normalised ReLU convolutions."""
    y0 = Convolution2D(nfeats, ksize, ksize, border_mode='same')(x)
    y = BatchNormalization(mode=0, axis=channel_axis())(y0)
    y = Activation('relu')(y)
    y = Convolution2D(nfeats, ksize, ksize, border_mode='same')(y)
    y = merge([y0, y], mode='sum')
    return Activation('relu')(y)


def getwhere(tensors):
    """The "where" mask of a max pooling: 1 where a pooling window had its maximum."""
    before, after = tensors
    return K.gradients(K.sum(after), before)[0]


def build_model(input_shape, nfeats, ksize, pool, layers):
    image = Input(shape=input_shape)
    y = Convolution2D(nfeats, ksize, ksize, border_mode='same')(image)
    wheres = []
    for _ in range(layers):
        y_prepool = convresblock(y, nfeats, ksize)
        y = MaxPooling2D(pool_size=(pool, pool))(y_prepool)
        wheres.append(Lambda(getwhere, output_shape=lambda shapes: shapes[0])([y_prepool, y]))
    for where in reversed(wheres):
        y = UpSampling2D(size=(pool, pool))(y)
        y = merge([y, where], mode='mul')
        y = convresblock(y, nfeats, ksize)
    y = Convolution2D(1, 1, 1, border_mode='valid', activation='sigmoid')(y)
    model = Model(image, y)
    model.compile('adam', 'mse')
    return model


def main(argv=None):
    args = smoke_data.parser(__doc__, epochs=5).parse_args(argv)
    nfeats, layers, epochs = (4, 1, 1) if args.smoke else (32, 2, args.epochs)
    (x_train, _), (x_test, _) = smoke_data.mnist(args.smoke, 64, 32)
    x_train, x_test = smoke_data.image_batch(x_train), smoke_data.image_batch(x_test)

    model = build_model(x_train.shape[1:], nfeats, 3, 2, layers)
    model.fit(x_train, x_train, validation_data=(x_test, x_test), batch_size=32,
              nb_epoch=epochs)
    reconstruction = model.predict(x_test)
    error = float(np.mean((reconstruction - x_test) ** 2))
    print('mean squared reconstruction error on the test images: %.4f' % error)
    return 0 if reconstruction.shape == x_test.shape and np.isfinite(error) else 1


if __name__ == '__main__':
    sys.exit(main())
