"""Image preprocessing (``keras.preprocessing.image``): loading pictures, converting them
to and from arrays, random transforms, and ``ImageDataGenerator`` with its iterators.

Pillow and scipy are the optional extra ``kcore[image]``: this module imports without
them, and what needs one raises an ImportError that says how to install it."""
from kcore import backend as K  # noqa: F401  (a public name of keras.preprocessing.image)
from kcore.preprocessing.image.files import array_to_img, img_to_array, list_pictures, load_img
from kcore.preprocessing.image.generator import ImageDataGenerator
from kcore.preprocessing.image.iterators import DirectoryIterator, Iterator, NumpyArrayIterator
from kcore.preprocessing.image.transforms import (apply_transform, flip_axis,
                                                  random_barrel_transform,
                                                  random_channel_shift, random_rotation,
                                                  random_shear, random_shift, random_zoom,
                                                  transform_matrix_offset_center)

__all__ = ['DirectoryIterator', 'ImageDataGenerator', 'Iterator', 'K', 'NumpyArrayIterator',
           'apply_transform', 'array_to_img', 'flip_axis', 'img_to_array', 'list_pictures',
           'load_img', 'random_barrel_transform', 'random_channel_shift', 'random_rotation',
           'random_shear', 'random_shift', 'random_zoom', 'transform_matrix_offset_center']
