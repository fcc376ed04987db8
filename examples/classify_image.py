"""Classify a picture with ResNet50 and the ImageNet weights, and print the five most
likely labels.

    python examples/classify_image.py elephant.jpg
    python examples/classify_image.py elephant.jpg --class-index imagenet_class_index.json \\
        --weights resnet50_weights_tf_dim_ordering_tf_kernels.h5

Without ``--weights`` the published weights (about 100 MB) and the class index are
downloaded once to ``$KCORE_HOME/models``. ``--weights`` takes a local Keras 1 ResNet50
weight file whose name states its layout, as the published names do
(``..._tf_dim_ordering_tf_kernels.h5``); ``--class-index`` a local class index JSON.
Needs Pillow (``pip install kcore[image]``).
"""
import argparse
import json
import sys

import numpy as np

from kcore.applications import imagenet_utils
from kcore.applications.resnet50 import ResNet50, decode_predictions, preprocess_input
from kcore.preprocessing.image import img_to_array, load_img
from kcore_apps.applications import pretrained


def build_model(weights_path=None):
    """ResNet50 with the published weights, or with those of ``weights_path``."""
    if weights_path is None:
        return ResNet50(weights='imagenet')
    layout = pretrained.layout_from_name(weights_path)
    if layout is None:
        raise SystemExit('%s: the file name does not say which kernels and ordering it holds; '
                         'keep the published name, e.g. '
                         'resnet50_weights_tf_dim_ordering_tf_kernels.h5.' % weights_path)
    model = ResNet50(weights=None)
    pretrained.load_weight_file(model, weights_path, *layout)
    return model


def top_labels(model, image_path, top=5):
    """[(class_id, name, score)] for the picture at ``image_path``."""
    x = img_to_array(load_img(image_path, target_size=(224, 224)))
    x = preprocess_input(np.expand_dims(x, axis=0))
    return decode_predictions(model.predict(x), top=top)[0]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('image', help='a picture (JPEG, PNG, ...)')
    parser.add_argument('--weights', metavar='PATH', help='a local ResNet50 weight file')
    parser.add_argument('--class-index', metavar='PATH', help='a local imagenet_class_index.json')
    args = parser.parse_args(argv)
    if args.class_index:
        with open(args.class_index, encoding='utf8') as f:
            imagenet_utils.CLASS_INDEX = json.load(f)
    model = build_model(args.weights)
    for class_id, name, score in top_labels(model, args.image):
        print('%-10s %-30s %.4f' % (class_id, name, score))
    return 0


if __name__ == '__main__':
    sys.exit(main())
