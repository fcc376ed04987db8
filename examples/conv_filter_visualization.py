"""What the filters of VGG16 respond to: for each filter of one convolution layer, start
from a grey noise image and climb the gradient (K.gradients, normalised) of the filter's
mean activation with respect to the image; stitch the best results into a grid.

Downloads the ImageNet weights of VGG16 (kcore.applications.VGG16) unless --smoke (random
weights, 32x32 images, two filters, three steps).

    python examples/conv_filter_visualization.py [--layer block5_conv1] [--out filters.png]
        [--smoke]
"""
import sys
import time

import numpy as np

import smoke_data
import vgg_images
from kcore import backend as K
from kcore.applications import VGG16


def normalize(x):
    """The gradient divided by its root mean square, so steps have a steady size."""
    return x / (K.sqrt(K.mean(K.square(x))) + 1e-5)


def visualize_filter(input_img, layer_output, index, size, steps, rng):
    """(image, loss) after ``steps`` of gradient ascent on filter ``index``; None when
    the filter never fires."""
    if K.image_dim_ordering() == 'th':
        loss = K.mean(layer_output[:, index, :, :])
        image = rng.random_sample((1, 3, size, size))
    else:
        loss = K.mean(layer_output[:, :, :, index])
        image = rng.random_sample((1, size, size, 3))
    grads = normalize(K.gradients(loss, input_img)[0])
    iterate = K.function([input_img], [loss, grads])
    image = (image - 0.5) * 20 + 128
    loss_value = 0.0
    for _ in range(steps):
        loss_value, grads_value = iterate([image])
        image += grads_value
        if loss_value <= 0:
            return None
    return image, float(loss_value)


def stitch(results, n, size, margin=5):
    """An n x n grid of the images with the highest losses."""
    results = sorted(results, key=lambda r: r[1], reverse=True)[:n * n]
    grid = np.zeros((n * size + (n - 1) * margin,) * 2 + (3,), dtype='uint8')
    for k, (image, _) in enumerate(results):
        i, j = divmod(k, n)
        pixels = vgg_images.deprocess_image(image[0], size, size)
        grid[i * (size + margin):i * (size + margin) + size,
             j * (size + margin):j * (size + margin) + size] = pixels
    return grid


def main(argv=None):
    parser = smoke_data.parser(__doc__, epochs=20)
    parser.add_argument('--layer', default='block5_conv1')
    parser.add_argument('--out', default='filters.png')
    args = parser.parse_args(argv)
    size, filters, steps, n = (32, 2, 3, 1) if args.smoke else (128, 200, args.epochs, 8)
    model = VGG16(include_top=False, weights=None if args.smoke else 'imagenet')
    model.summary()
    layer_dict = {layer.name: layer for layer in model.layers}
    input_img = model.input
    rng = np.random.RandomState(0)
    results = []
    for index in range(filters):
        started = time.time()
        result = visualize_filter(input_img, layer_dict[args.layer].output, index, size,
                                  steps, rng)
        print('filter %d: %s (%.1fs)' % (index, 'loss %.3f' % result[1] if result
                                          else 'never fires', time.time() - started))
        if result:
            results.append(result)
    n = min(n, int(np.sqrt(len(results))))
    if n:
        vgg_images.save_image(stitch(results, n, size), args.out)
        print('saved the best %d filters to %s' % (n * n, args.out))
    return 0 if args.smoke or n else 1


if __name__ == '__main__':
    sys.exit(main())
