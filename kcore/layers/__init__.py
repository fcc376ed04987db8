"""All layers, flat (``from kcore.layers import Dense, Input, merge``), as Keras 1's
``keras.layers``. Each family lives in its own module (``kcore.layers.core``, ...)."""
from kcore.engine.topology import Input, InputLayer, InputSpec, Layer, Merge, merge
from kcore.layers.core import *  # noqa: F401,F403
from kcore.layers.pooling import *  # noqa: F401,F403
from kcore.layers.local import *  # noqa: F401,F403
from kcore.layers.embeddings import *  # noqa: F401,F403
from kcore.layers.advanced_activations import *  # noqa: F401,F403
from kcore.layers.normalization import *  # noqa: F401,F403
from kcore.layers.noise import *  # noqa: F401,F403
from kcore.layers.convolutional import *  # noqa: F401,F403
from kcore.layers.recurrent import *  # noqa: F401,F403
from kcore.layers.wrappers import *  # noqa: F401,F403
