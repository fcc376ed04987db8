"""Neural doodle (Champandard 2016): paint a picture from a doodle. A style picture
comes with a doodle of its regions (a mask of a few flat colours); a second doodle says
where each region should go. L-BFGS on the pixels minimises, for every region, the
difference of the Gram matrices of VGG19's features of the style and of the new picture
restricted to that region (the masks are pooled alongside VGG19's layers), plus a total
variation loss. (Keras 1's script can also take a content picture; this one paints from
the doodles only.)

Downloads the ImageNet weights of VGG19 (kcore.applications.VGG19) unless --smoke (random
weights, small generated pictures and doodles).

    python examples/neural_doodle.py --style PICTURE --style-mask DOODLE
        --target-mask DOODLE [--out doodle] [--epochs 50] [--smoke]
"""
import os
import sys
import tempfile

import numpy as np

import smoke_data
import vgg_images
from kcore import backend as K
from kcore.applications import VGG19
from kcore.layers import AveragePooling2D, Input
from kcore.preprocessing.image import img_to_array, load_img

STYLE_LAYERS = ('block1_conv1', 'block2_conv1', 'block3_conv1', 'block4_conv1',
                'block5_conv1')
STYLE_WEIGHT, TV_WEIGHT = 1.0, 8.5e-5


def kmeans(pixels, k, steps=10):
    """Labels 0..k-1 of (n, 3) colours grouped around k centres."""
    centres = pixels[np.linspace(0, len(pixels) - 1, k).astype(int)].astype('float64')
    for _ in range(steps):
        labels = ((pixels[:, None, :] - centres[None]) ** 2).sum(-1).argmin(1)
        for j in range(k):
            if (labels == j).any():
                centres[j] = pixels[labels == j].mean(0)
    return labels


def load_masks(style_path, target_path, rows, cols, nb_labels):
    """The two doodles as (1, nb_labels, rows, cols) one-hot region masks (channels last
    for 'tf'), their colours grouped into the same nb_labels regions."""
    doodles = [img_to_array(load_img(p, target_size=(rows, cols)), dim_ordering='tf')
               for p in (style_path, target_path)]
    labels = kmeans(np.concatenate([d.reshape(-1, 3) for d in doodles]), nb_labels)
    masks = []
    for part in np.split(labels, 2):
        mask = np.stack([(part == j).reshape(rows, cols) for j in range(nb_labels)])
        mask = mask[np.newaxis].astype('float32')
        masks.append(mask if K.image_dim_ordering() == 'th' else mask.transpose(0, 2, 3, 1))
    return masks


def pooled_masks(image_model, masks):
    """{layer name: the masks pooled as VGG19 pools its features up to that layer}."""
    x = masks
    outputs = {}
    for layer in image_model.layers[1:]:
        if 'conv' in layer.name:
            x = AveragePooling2D((3, 3), strides=(1, 1), border_mode='same')(x)
        elif 'pool' in layer.name:
            x = AveragePooling2D((2, 2))(x)
        outputs[layer.name] = x
    return outputs


def region_style_loss(style, target, style_mask, target_mask, nb_labels):
    """For each region: the Gram matrices of the masked features compared, each
    normalised by its region's size."""
    loss = K.variable(0.)
    channel_first = K.image_dim_ordering() == 'th'
    for j in range(nb_labels):
        if channel_first:
            s_mask, t_mask = style_mask[j:j + 1], target_mask[j:j + 1]
        else:
            s_mask, t_mask = style_mask[:, :, j:j + 1], target_mask[:, :, j:j + 1]
        s_gram = vgg_images.gram_matrix(style * s_mask) / (K.sum(s_mask) + K.epsilon())
        t_gram = vgg_images.gram_matrix(target * t_mask) / (K.sum(t_mask) + K.epsilon())
        loss += K.sum(K.square(s_gram - t_gram)) / nb_labels
    return loss


def main(argv=None):
    parser = smoke_data.parser(__doc__, epochs=50)
    parser.add_argument('--style', help='the style picture')
    parser.add_argument('--style-mask', help="the doodle of the style picture's regions")
    parser.add_argument('--target-mask', help='the doodle of the picture to paint')
    parser.add_argument('--regions', type=int, default=4, help='colours in the doodles')
    parser.add_argument('--out', default='doodle', help='prefix of the result pictures')
    args = parser.parse_args(argv)
    scratch = tempfile.TemporaryDirectory()
    if args.smoke:
        rows = cols = 32
        iterations, maxfun, args.regions = 1, 2, 2
        path = lambda name: os.path.join(scratch.name, name)  # noqa: E731
        args.style = vgg_images.write_random_picture(path('style.png'), rows, cols, 0)
        halves = np.zeros((rows, cols, 3), 'uint8')
        halves[:, cols // 2:] = 255
        vgg_images.save_image(halves, path('style_mask.png'))
        vgg_images.save_image(halves.transpose(1, 0, 2).copy(), path('target_mask.png'))
        args.style_mask, args.target_mask = path('style_mask.png'), path('target_mask.png')
        args.out = path('doodle')
    elif not (args.style and args.style_mask and args.target_mask):
        parser.error('--style, --style-mask and --target-mask are required (or --smoke)')
    else:
        width, height = load_img(args.style).size
        rows, cols = 512, int(width * 512 / height)
        iterations, maxfun = args.epochs, 20

    shape = (1,) + smoke_data.image_shape(rows, cols, 3)
    style_image = K.variable(vgg_images.load_image(args.style, rows, cols))
    target_image = K.placeholder(shape)
    images = Input(tensor=K.concatenate([style_image, target_image], axis=0),
                   shape=shape[1:])
    image_model = VGG19(input_tensor=images, weights=None if args.smoke else 'imagenet',
                        include_top=False)
    style_mask, target_mask = load_masks(args.style_mask, args.target_mask, rows, cols,
                                         args.regions)
    masks = Input(tensor=K.variable(np.concatenate([style_mask, target_mask])),
                  shape=style_mask.shape[1:])
    mask_outputs = pooled_masks(image_model, masks)

    loss = K.variable(0.)
    for name in STYLE_LAYERS:
        features = image_model.get_layer(name).output
        loss += STYLE_WEIGHT / len(STYLE_LAYERS) * region_style_loss(
            features[0], features[1], mask_outputs[name][0], mask_outputs[name][1],
            args.regions)
    loss += TV_WEIGHT * vgg_images.total_variation_loss(target_image, rows, cols)
    grads = K.gradients(loss, target_image)[0]
    f = K.function([target_image], [loss, grads])

    start = np.random.RandomState(0).uniform(0, 255, shape).astype('float32') - 128.
    save = vgg_images.saver(args.out, rows, cols)
    x = vgg_images.minimise(f, start, iterations, maxfun, save)
    ok = np.isfinite(x).all()
    scratch.cleanup()
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
