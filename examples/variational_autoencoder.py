"""A variational autoencoder (Kingma and Welling 2013) on mnist: an MLP encoder gives
the mean and log-variance of a 2-d latent code, a Lambda layer samples it with
K.random_normal, an MLP decoder reconstructs the digit; the loss is the reconstruction's
binary crossentropy plus the KL divergence from the prior. Then the encoder maps the
test digits into the latent plane and a generator model decodes points of that plane.

Downloads mnist through kcore.datasets.mnist.load_data() unless --smoke (synthetic
digits). With matplotlib and --plot PREFIX, saves the latent plane and a grid of
generated digits.

    python examples/variational_autoencoder.py [--epochs 50] [--plot vae] [--smoke]
"""
import sys

import numpy as np

import smoke_data
from kcore import backend as K
from kcore import objectives
from kcore.layers import Dense, Input, Lambda
from kcore.models import Model


def sampler(batch_size, latent_dim, epsilon_std=1.0):
    """The reparameterisation trick: z = mean + exp(log_var / 2) * epsilon."""
    def sampling(args):
        z_mean, z_log_var = args
        epsilon = K.random_normal(shape=(batch_size, latent_dim), mean=0., std=epsilon_std)
        return z_mean + K.exp(z_log_var / 2) * epsilon
    return sampling


def build(batch_size, original_dim, intermediate_dim, latent_dim):
    """(vae, encoder, generator): the trainable model and its two halves."""
    x = Input(batch_shape=(batch_size, original_dim))
    h = Dense(intermediate_dim, activation='relu')(x)
    z_mean = Dense(latent_dim)(h)
    z_log_var = Dense(latent_dim)(h)
    z = Lambda(sampler(batch_size, latent_dim), output_shape=(latent_dim,))([z_mean, z_log_var])

    decoder_h = Dense(intermediate_dim, activation='relu')
    decoder_mean = Dense(original_dim, activation='sigmoid')
    x_decoded_mean = decoder_mean(decoder_h(z))

    def vae_loss(x, x_decoded_mean):
        xent_loss = original_dim * objectives.binary_crossentropy(x, x_decoded_mean)
        kl_loss = -0.5 * K.sum(1 + z_log_var - K.square(z_mean) - K.exp(z_log_var), axis=-1)
        return xent_loss + kl_loss

    vae = Model(x, x_decoded_mean)
    vae.compile(optimizer='rmsprop', loss=vae_loss)
    encoder = Model(x, z_mean)
    decoder_input = Input(shape=(latent_dim,))
    generator = Model(decoder_input, decoder_mean(decoder_h(decoder_input)))
    return vae, encoder, generator


def plot(prefix, encoded, labels, digits):
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    plt.figure(figsize=(6, 6))
    plt.scatter(encoded[:, 0], encoded[:, 1], c=labels)
    plt.colorbar()
    plt.savefig(prefix + '_latent.png')
    plt.figure(figsize=(10, 10))
    plt.imshow(digits, cmap='Greys_r')
    plt.savefig(prefix + '_digits.png')


def main(argv=None):
    parser = smoke_data.parser(__doc__, epochs=50)
    parser.add_argument('--plot', help='save the latent plane and generated digits as '
                        'PREFIX_latent.png and PREFIX_digits.png')
    args = parser.parse_args(argv)
    batch_size, intermediate_dim, epochs = (32, 16, 2) if args.smoke else (100, 256, args.epochs)
    (x_train, _), (x_test, y_test) = smoke_data.mnist(args.smoke, 128, 64)
    x_train = x_train.reshape(len(x_train), -1).astype('float32') / 255
    x_test = x_test.reshape(len(x_test), -1).astype('float32') / 255

    vae, encoder, generator = build(batch_size, 784, intermediate_dim, 2)
    vae.fit(x_train, x_train, shuffle=True, nb_epoch=epochs, batch_size=batch_size,
            validation_data=(x_test, x_test))
    encoded = encoder.predict(x_test, batch_size=batch_size)
    print('latent means of the test digits: mean %s, spread %s'
          % (encoded.mean(axis=0).round(3), encoded.std(axis=0).round(3)))

    n = 5 if args.smoke else 15
    grid = np.linspace(-2, 2, n)
    figure = np.zeros((28 * n, 28 * n))
    for i, yi in enumerate(grid):
        for j, xi in enumerate(grid):
            digit = generator.predict(np.array([[xi, yi]]))[0].reshape(28, 28)
            figure[i * 28:(i + 1) * 28, j * 28:(j + 1) * 28] = digit
    print('decoded a %dx%d grid of the latent plane' % (n, n))
    if args.plot:
        plot(args.plot, encoded, y_test, figure)
    return 0 if encoded.shape == (len(x_test), 2) and np.isfinite(figure).all() else 1


if __name__ == '__main__':
    sys.exit(main())
