"""kcore-apps: datasets (``kcore.datasets.<name>``) and, later, pretrained applications,
registered with kcore through the ``kcore`` entry point.

Importing this package imports no dataset module: each is named by its import path and
loaded the first time it is used.
"""
from kcore.plugins import hookimpl

from kcore_apps.datasets import HELPERS, NAMES as DATASETS

__version__ = '0.1.0'


@hookimpl
def register_datasets(register):
    for name in DATASETS + HELPERS:
        register(name, 'kcore_apps.datasets.' + name)
