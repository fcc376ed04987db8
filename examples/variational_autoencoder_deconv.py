"""A convolutional variational autoencoder on mnist: strided convolutions encode, a
Lambda layer samples the latent code with K.random_normal, and Deconvolution2D layers
(each with its explicit ``output_shape``, batch size included) decode back to 28x28.
Then a generator model decodes points of the latent plane.

Downloads mnist through kcore.datasets.mnist.load_data() unless --smoke (synthetic digits).

    python examples/variational_autoencoder_deconv.py [--epochs 5] [--smoke]
"""
import sys

import numpy as np

import smoke_data
from kcore import backend as K
from kcore import objectives
from kcore.layers import Convolution2D, Deconvolution2D, Dense, Flatten, Input, Lambda, Reshape
from kcore.models import Model

ROWS = COLS = 28


def shaped(batch_size, rows, cols, channels):
    """A Deconvolution2D output_shape for the image ordering."""
    if K.image_dim_ordering() == 'th':
        return (batch_size, channels, rows, cols)
    return (batch_size, rows, cols, channels)


def build(batch_size, nb_filters, intermediate_dim, latent_dim, epsilon_std=1.0):
    """(vae, encoder, generator)."""
    x = Input(batch_shape=(batch_size,) + smoke_data.image_shape(ROWS, COLS, 1))
    conv = Convolution2D(1, 2, 2, border_mode='same', activation='relu')(x)
    conv = Convolution2D(nb_filters, 2, 2, border_mode='same', activation='relu',
                         subsample=(2, 2))(conv)
    conv = Convolution2D(nb_filters, 3, 3, border_mode='same', activation='relu')(conv)
    conv = Convolution2D(nb_filters, 3, 3, border_mode='same', activation='relu')(conv)
    hidden = Dense(intermediate_dim, activation='relu')(Flatten()(conv))
    z_mean = Dense(latent_dim)(hidden)
    z_log_var = Dense(latent_dim)(hidden)

    def sampling(args):
        mean, log_var = args
        epsilon = K.random_normal(shape=(batch_size, latent_dim), mean=0., std=epsilon_std)
        return mean + K.exp(log_var / 2) * epsilon
    z = Lambda(sampling, output_shape=(latent_dim,))([z_mean, z_log_var])

    half = ROWS // 2
    decoder_layers = [
        Dense(intermediate_dim, activation='relu'),
        Dense(nb_filters * half * half, activation='relu'),
        Reshape(smoke_data.image_shape(half, half, nb_filters)),
        Deconvolution2D(nb_filters, 3, 3, shaped(batch_size, half, half, nb_filters),
                        border_mode='same', subsample=(1, 1), activation='relu'),
        Deconvolution2D(nb_filters, 3, 3, shaped(batch_size, half, half, nb_filters),
                        border_mode='same', subsample=(1, 1), activation='relu'),
        Deconvolution2D(nb_filters, 2, 2, shaped(batch_size, 29, 29, nb_filters),
                        border_mode='valid', subsample=(2, 2), activation='relu'),
        Convolution2D(1, 2, 2, border_mode='valid', activation='sigmoid'),
    ]

    def decode(tensor):
        for layer in decoder_layers:
            tensor = layer(tensor)
        return tensor
    x_decoded = decode(z)

    def vae_loss(x, x_decoded):
        xent = ROWS * COLS * objectives.binary_crossentropy(K.batch_flatten(x),
                                                            K.batch_flatten(x_decoded))
        kl = -0.5 * K.sum(1 + z_log_var - K.square(z_mean) - K.exp(z_log_var), axis=-1)
        return xent + kl

    vae = Model(x, x_decoded)
    vae.compile(optimizer='rmsprop', loss=vae_loss)
    encoder = Model(x, z_mean)
    # The deconvolutions' output shapes fix the batch size of the generator too.
    decoder_input = Input(batch_shape=(batch_size, latent_dim))
    generator = Model(decoder_input, decode(decoder_input))
    return vae, encoder, generator


def main(argv=None):
    args = smoke_data.parser(__doc__, epochs=5).parse_args(argv)
    batch_size, nb_filters, intermediate_dim, epochs = (
        (16, 4, 16, 1) if args.smoke else (100, 64, 128, args.epochs))
    (x_train, _), (x_test, _) = smoke_data.mnist(args.smoke, 64, 32)
    x_train, x_test = smoke_data.image_batch(x_train), smoke_data.image_batch(x_test)

    vae, encoder, generator = build(batch_size, nb_filters, intermediate_dim, 2)
    vae.summary()
    vae.fit(x_train, x_train, shuffle=True, nb_epoch=epochs, batch_size=batch_size,
            validation_data=(x_test, x_test))
    encoded = encoder.predict(x_test, batch_size=batch_size)
    grid = np.array([[a, b] for a in np.linspace(-2, 2, 4) for b in np.linspace(-2, 2, 4)])
    grid = np.resize(grid, (batch_size, 2))
    digits = generator.predict(grid, batch_size=batch_size)
    print('encoded %d test digits; generated %d digits of shape %s'
          % (len(encoded), len(digits), digits.shape[1:]))
    return 0 if digits.shape[1:] == x_test.shape[1:] and np.isfinite(digits).all() else 1


if __name__ == '__main__':
    sys.exit(main())
