"""What the VGG-based examples share (conv_filter_visualization, deep_dream,
neural_doodle, neural_style_transfer): images in and out of VGG's preprocessing, the
Gram matrix and total variation losses, and L-BFGS over an image with one backend call
per step."""
import numpy as np

from kcore import backend as K
from kcore.applications.imagenet_utils import MEAN, preprocess_input
from kcore.preprocessing.image import img_to_array, load_img


def load_image(path, rows, cols):
    """The picture at ``path``, resized to (rows, cols), as a preprocessed batch of one."""
    image = img_to_array(load_img(path, target_size=(rows, cols)))
    return preprocess_input(image[np.newaxis])


def deprocess_image(x, rows, cols):
    """A preprocessed image (any layout of rows*cols*3 values) back to uint8 RGB
    (rows, cols, 3): BGR to RGB and the ImageNet means added back."""
    if K.image_dim_ordering() == 'th':
        x = x.reshape((3, rows, cols)).transpose((1, 2, 0))
    else:
        x = x.reshape((rows, cols, 3))
    x = x[:, :, ::-1] + np.array(MEAN[::-1])
    return np.clip(x, 0, 255).astype('uint8')


def save_image(pixels, path):
    """Write uint8 RGB pixels (rows, cols, 3) to ``path`` (the format from its suffix)."""
    from PIL import Image
    Image.fromarray(pixels).save(path)


def write_random_picture(path, rows, cols, seed):
    """A smooth random colour picture written to ``path``, for smoke runs."""
    rng = np.random.RandomState(seed)
    coarse = rng.uniform(0, 255, (4, 4, 3))
    pixels = np.kron(coarse, np.ones((rows // 4 + 1, cols // 4 + 1, 1)))[:rows, :cols]
    save_image(pixels.astype('uint8'), path)
    return path


def gram_matrix(x):
    """The (channels, channels) Gram matrix of one image's features (no batch axis)."""
    if K.image_dim_ordering() != 'th':
        x = K.permute_dimensions(x, (2, 0, 1))
    features = K.batch_flatten(x)
    return K.dot(features, K.transpose(features))


def total_variation_loss(x, rows, cols):
    """How much neighbouring pixels of the batch of images ``x`` differ (keeps it smooth)."""
    if K.image_dim_ordering() == 'th':
        a = K.square(x[:, :, :rows - 1, :cols - 1] - x[:, :, 1:, :cols - 1])
        b = K.square(x[:, :, :rows - 1, :cols - 1] - x[:, :, :rows - 1, 1:])
    else:
        a = K.square(x[:, :rows - 1, :cols - 1, :] - x[:, 1:, :cols - 1, :])
        b = K.square(x[:, :rows - 1, :cols - 1, :] - x[:, :rows - 1, 1:, :])
    return K.sum(K.pow(a + b, 1.25))


class Evaluator(object):
    """Loss and gradients for scipy's fmin_l_bfgs_b, which asks for them separately,
    from one call of ``f`` ([image] -> [loss, gradients])."""

    def __init__(self, f, shape):
        self.f, self.shape = f, shape
        self.grad_values = None

    def loss(self, x):
        loss_value, grad_values = self.f([x.reshape(self.shape)])
        self.grad_values = np.array(grad_values).flatten().astype('float64')
        return float(loss_value)

    def grads(self, x):
        grads, self.grad_values = self.grad_values, None
        return grads


def minimise(f, x, iterations, maxfun, on_step):
    """Run L-BFGS ``iterations`` times (``maxfun`` evaluations each) on the loss of
    ``f`` from the image ``x``; call ``on_step(i, x, loss)`` after each. Returns x."""
    from scipy.optimize import fmin_l_bfgs_b
    evaluator = Evaluator(f, x.shape)
    for i in range(iterations):
        flat, loss, _ = fmin_l_bfgs_b(evaluator.loss, x.flatten().astype('float64'),
                                      fprime=evaluator.grads, maxfun=maxfun)
        x = flat.reshape(x.shape).astype('float32')
        on_step(i, x, loss)
    return x


def saver(prefix, rows, cols, word='iteration'):
    """An ``on_step`` for ``minimise`` that saves each step's picture as
    PREFIX_at_iteration_<i>.png and says so."""
    def on_step(i, image, value):
        path = '%s_at_iteration_%d.png' % (prefix, i)
        save_image(deprocess_image(image, rows, cols), path)
        print('%s %d: loss %.4g, saved %s' % (word, i, value, path))
    return on_step
