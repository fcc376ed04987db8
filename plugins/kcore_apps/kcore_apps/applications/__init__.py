"""The pretrained applications (``kcore.applications.<module>``): vgg16, vgg19, resnet50,
inception_v3, xception, music_tagger_crnn and their helpers imagenet_utils and
audio_conv_utils, registered in ``kcore_apps.register_applications``.

Each application module has Keras 1.1.2's names (its constructor, the weight URLs
``TH_WEIGHTS_PATH``, ``TF_WEIGHTS_PATH``, ...) and ``WEIGHT_FILES``, the cache names of
its weight files (``kcore apps`` shows whether they are there); ``pretrained`` fetches
and loads them.
"""
