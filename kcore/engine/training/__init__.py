"""Training (``keras.engine.training``): Model, and Keras 1.1.2's module-level helpers
(``slice_X``, ``make_batches``, ``standardize_input_data``, ``generator_queue``, ...).

Inside: ``model`` (Model: fit, evaluate, predict and their batch and generator forms);
``compiled`` (CompiledState, what compile builds) with ``compile_args`` and ``functions``
(BatchFunction); ``data`` (checking input, target and weight arrays); ``array_loops`` and
``generator_loops`` (the loops, which receive the built functions) with ``enqueuer``
(running a generator ahead); ``keras1_helpers`` (the helpers above).
"""
from kcore.engine.training.keras1_helpers import *  # noqa: F401,F403
from kcore.engine.training.keras1_helpers import __all__ as _helpers
from kcore.engine.training.model import Model

__all__ = ['Model'] + list(_helpers)
