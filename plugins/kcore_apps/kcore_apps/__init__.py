"""kcore-apps: datasets (``kcore.datasets.<name>``) and pretrained applications
(``kcore.applications.<name>``), registered with kcore through the ``kcore`` entry point.

Importing this package imports no dataset or application module: each is named by its
import path and loaded the first time it is used.
"""
from kcore.plugins import hookimpl

from kcore_apps.datasets import HELPERS, NAMES as DATASETS

__version__ = '0.1.0'


@hookimpl
def register_datasets(register):
    for name in DATASETS + HELPERS:
        register(name, 'kcore_apps.datasets.' + name)


@hookimpl
def register_applications(register):
    """Each application module under its Keras 1 name, its constructor's name an alias."""
    def add(name, *aliases):
        register(name, 'kcore_apps.applications.' + name, aliases=aliases)

    add('vgg16', 'VGG16')
    add('vgg19', 'VGG19')
    add('resnet50', 'ResNet50')
    add('imagenet_utils')
    # issue #14 part B's modules
    add('inception_v3', 'InceptionV3')
    add('xception', 'Xception')
    add('music_tagger_crnn', 'MusicTaggerCRNN')
    add('audio_conv_utils')
