"""The optional libraries of the image tools (the ``kcore[image]`` extra): Pillow reads
and writes files, ``scipy.ndimage`` does the affine transforms. Each is imported when
first needed, so ``import kcore.preprocessing.image`` works without them."""
import importlib


def _require(module, package, purpose):
    try:
        return importlib.import_module(module)
    except ImportError:
        raise ImportError('%s needs the %s package, which is not installed. Install it with '
                          '`pip install kcore[image]` (or `pip install %s`).'
                          % (purpose, package, package)) from None


def pil_image(purpose='Reading and writing images'):
    """``PIL.Image``, or an ImportError that names Pillow and the extra to install."""
    return _require('PIL.Image', 'Pillow', purpose)


def ndimage(purpose='Transforming images'):
    """``scipy.ndimage``, or an ImportError that names scipy and the extra to install."""
    return _require('scipy.ndimage', 'scipy', purpose)
