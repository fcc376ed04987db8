"""Pretrained applications (``keras.applications``): each ``kcore.applications.<module>``
is the module a plugin registered through ``register_applications`` (kcore-apps registers
vgg16, vgg19, resnet50, inception_v3, xception, music_tagger_crnn, imagenet_utils and
audio_conv_utils), and ``kcore.applications.VGG16`` (an alias of its module's name) is the
constructor in that module. ``kcore apps`` lists them and their weight files.
"""
from kcore.plugins.namespace import RegistryNamespace

_KERAS1 = {'vgg16': 'VGG16', 'vgg19': 'VGG19', 'resnet50': 'ResNet50',
           'inception_v3': 'InceptionV3', 'xception': 'Xception',
           'music_tagger_crnn': 'MusicTaggerCRNN', 'imagenet_utils': None,
           'audio_conv_utils': None}
_namespace = RegistryNamespace(__name__, 'applications', providers={
    name.lower(): 'kcore-apps' for pair in _KERAS1.items() for name in pair if name})
_namespace.install()


def __getattr__(name):
    return _namespace.getattr(name)


def __dir__():
    return sorted(set(globals()) | set(_namespace.names()) | {
        alias for alias in _KERAS1.values() if alias})
