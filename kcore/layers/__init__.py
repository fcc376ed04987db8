"""All layers, flat (``from kcore.layers import Dense, Input, merge``), as Keras 1's
``keras.layers``. Each family lives in its own module (``kcore.layers.core``, ...)."""
from kcore.engine.topology import Input, InputLayer, Merge, merge
from kcore.layers.core import *  # noqa: F401,F403
