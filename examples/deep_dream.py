"""DeepDream: make a picture show what the upper layers of VGG16 see in it, by gradient
ascent on their activations (with a continuity and an L2 penalty) starting from the
picture, optimised with scipy's L-BFGS and a random jitter between rounds.

Downloads the ImageNet weights of VGG16 (kcore.applications.VGG16) unless --smoke
(random weights and a small generated picture).

    python examples/deep_dream.py --image PICTURE [--out dream] [--epochs 5] [--smoke]
"""
import os
import sys
import tempfile

import numpy as np

import smoke_data
import vgg_images
from kcore import backend as K
from kcore.applications import VGG16
from kcore.layers import Input

# How much each layer's activation counts, and the two penalties.
SETTINGS = {
    'features': {'block5_conv1': 0.05, 'block5_conv2': 0.02},
    'continuity': 0.1,
    'dream_l2': 0.02,
    'jitter': 5,
}


def continuity_loss(x, rows, cols):
    """Like the total variation: neighbouring pixels should not differ much."""
    return vgg_images.total_variation_loss(x, rows, cols)


def dream_loss(model, dream, rows, cols):
    layer_dict = {layer.name: layer for layer in model.layers}
    loss = K.variable(0.)
    for name, coeff in SETTINGS['features'].items():
        x = layer_dict[name].output
        shape = layer_dict[name].output_shape
        if K.image_dim_ordering() == 'th':
            activation = K.sum(K.square(x[:, :, 2:-2, 2:-2]))
        else:
            activation = K.sum(K.square(x[:, 2:-2, 2:-2, :]))
        loss -= coeff * activation / np.prod([s or 1 for s in shape[1:]])
    loss += SETTINGS['continuity'] * continuity_loss(dream, rows, cols) / (rows * cols * 3)
    loss += SETTINGS['dream_l2'] * K.sum(K.square(dream)) / (rows * cols * 3)
    return loss


def main(argv=None):
    parser = smoke_data.parser(__doc__, epochs=5)
    parser.add_argument('--image', help='the picture to dream about')
    parser.add_argument('--out', default='dream', help='prefix of the result pictures')
    args = parser.parse_args(argv)
    scratch = tempfile.TemporaryDirectory()
    if args.smoke:
        rows = cols = 32
        rounds, maxfun = 1, 2
        args.image = vgg_images.write_random_picture(
            os.path.join(scratch.name, 'picture.png'), rows, cols, 0)
        args.out = os.path.join(scratch.name, 'dream')
    elif not args.image:
        parser.error('--image is required (or --smoke)')
    else:
        rows, cols, rounds, maxfun = 600, 600, args.epochs, 7
    shape = (1,) + smoke_data.image_shape(rows, cols, 3)
    dream = Input(batch_shape=shape)
    model = VGG16(input_tensor=dream, weights=None if args.smoke else 'imagenet',
                  include_top=False)
    loss = dream_loss(model, dream, rows, cols)
    grads = K.gradients(loss, dream)[0]
    f = K.function([dream], [loss, grads])

    rng = np.random.RandomState(0)
    x = vgg_images.load_image(args.image, rows, cols)

    save = vgg_images.saver(args.out, rows, cols, 'round')
    for _ in range(rounds):
        shift = rng.randint(-SETTINGS['jitter'], SETTINGS['jitter'] + 1, 2)
        axes = (2, 3) if K.image_dim_ordering() == 'th' else (1, 2)
        x = np.roll(np.roll(x, shift[0], axis=axes[0]), shift[1], axis=axes[1])
        x = vgg_images.minimise(f, x, 1, maxfun, save)
        x = np.roll(np.roll(x, -shift[0], axis=axes[0]), -shift[1], axis=axes[1])
    ok = np.isfinite(x).all()
    scratch.cleanup()
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
