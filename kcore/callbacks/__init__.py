"""Callbacks (``keras.callbacks``): objects whose hooks ``fit`` calls during training.

Every class here is registered in the ``callbacks`` registry through the same plugin hook
a third-party plugin uses.
"""
from kcore.callbacks.base import Callback, CallbackList, LambdaCallback
from kcore.callbacks.checkpoint import ModelCheckpoint
from kcore.callbacks.early_stopping import EarlyStopping
from kcore.callbacks.learning_rate import LearningRateScheduler, ReduceLROnPlateau
from kcore.callbacks.loggers import BaseLogger, CSVLogger, History, ProgbarLogger
from kcore.callbacks.remote import RemoteMonitor
from kcore.callbacks.tensorboard import TensorBoard
from kcore.callbacks.terminate_on_nan import TerminateOnNaN
from kcore.plugins import hookimpl

# Names Keras 1.1.2's module also offered (through its own imports), for scripts that use them.
from kcore import backend as K  # noqa: F401
from kcore.utils.generic_utils import Progbar  # noqa: F401

__all__ = ['Callback', 'CallbackList', 'BaseLogger', 'ProgbarLogger', 'History',
           'ModelCheckpoint', 'EarlyStopping', 'RemoteMonitor', 'LearningRateScheduler',
           'TensorBoard', 'ReduceLROnPlateau', 'CSVLogger', 'LambdaCallback',
           # Keras 2's name for the callback that stops on a non-finite loss.
           'TerminateOnNaN']


@hookimpl
def register_callbacks(register):
    for name in __all__:
        if name != 'CallbackList':
            register(name, globals()[name])
