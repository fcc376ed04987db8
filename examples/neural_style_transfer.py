"""Neural style transfer (Gatys et al. 2015): a picture is repainted in the style of
another by L-BFGS on the pixels, minimising a content loss (VGG16's block4_conv2
features of the picture), a style loss (Gram matrices of block1-5_conv1 of the style
image) and a total variation loss. The two fixed images are backend variables and the
image being painted a placeholder, joined into one batch for VGG16's ``input_tensor``.

Downloads the ImageNet weights of VGG16 (kcore.applications.VGG16) unless --smoke (random
weights, small generated pictures).

    python examples/neural_style_transfer.py --base PICTURE --style PAINTING
        [--out result] [--epochs 10] [--smoke]
"""
import os
import sys
import tempfile

import numpy as np

import smoke_data
import vgg_images
from kcore import backend as K
from kcore.applications import VGG16

CONTENT_WEIGHT, STYLE_WEIGHT, TV_WEIGHT = 0.025, 1.0, 1.0
STYLE_LAYERS = ('block1_conv1', 'block2_conv1', 'block3_conv1', 'block4_conv1',
                'block5_conv1')


def style_loss(style, combination, rows, cols):
    """Squared difference of the two Gram matrices, normalised by size."""
    channels = 3
    size = rows * cols
    return K.sum(K.square(vgg_images.gram_matrix(style) - vgg_images.gram_matrix(combination))) \
        / (4. * (channels ** 2) * (size ** 2))


def content_loss(base, combination):
    return K.sum(K.square(combination - base))


def build_loss(base_path, style_path, rows, cols, weights):
    """(combination placeholder, loss) over VGG16 run on [base, style, combination]."""
    base_image = K.variable(vgg_images.load_image(base_path, rows, cols))
    style_reference_image = K.variable(vgg_images.load_image(style_path, rows, cols))
    combination_image = K.placeholder((1,) + smoke_data.image_shape(rows, cols, 3))
    input_tensor = K.concatenate([base_image, style_reference_image, combination_image], axis=0)
    model = VGG16(input_tensor=input_tensor, weights=weights, include_top=False)
    outputs = {layer.name: layer.output for layer in model.layers}

    features = outputs['block4_conv2']
    loss = CONTENT_WEIGHT * content_loss(features[0, ...], features[2, ...])
    for name in STYLE_LAYERS:
        features = outputs[name]
        loss += (STYLE_WEIGHT / len(STYLE_LAYERS)) * style_loss(
            features[1, ...], features[2, ...], rows, cols)
    loss += TV_WEIGHT * vgg_images.total_variation_loss(combination_image, rows, cols)
    return combination_image, loss


def main(argv=None):
    parser = smoke_data.parser(__doc__, epochs=10)
    parser.add_argument('--base', help='the picture to repaint')
    parser.add_argument('--style', help='the painting whose style to use')
    parser.add_argument('--out', default='result', help='prefix of the result pictures')
    args = parser.parse_args(argv)
    scratch = tempfile.TemporaryDirectory()
    if args.smoke:
        rows = cols = 32
        iterations, maxfun = 1, 2
        picture = vgg_images.write_random_picture
        args.base = picture(os.path.join(scratch.name, 'base.png'), rows, cols, 0)
        args.style = picture(os.path.join(scratch.name, 'style.png'), rows, cols, 1)
        args.out = os.path.join(scratch.name, 'result')
    elif not (args.base and args.style):
        parser.error('--base and --style are required (or --smoke)')
    else:
        from kcore.preprocessing.image import load_img
        width, height = load_img(args.base).size
        rows, cols = 400, int(width * 400 / height)
        iterations, maxfun = args.epochs, 20

    combination_image, loss = build_loss(args.base, args.style, rows, cols,
                                         None if args.smoke else 'imagenet')
    grads = K.gradients(loss, combination_image)[0]
    f = K.function([combination_image], [loss, grads])

    start = np.random.RandomState(0).uniform(0, 255, (1,) + smoke_data.image_shape(
        rows, cols, 3)) - 128.
    save = vgg_images.saver(args.out, rows, cols)
    x = vgg_images.minimise(f, start.astype('float32'), iterations, maxfun, save)
    ok = np.isfinite(x).all()
    scratch.cleanup()
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
