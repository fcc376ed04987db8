"""TensorBoard: writes training logs as TensorBoard event files, on any backend."""
import re

import numpy as np

from kcore import backend as K
from kcore.callbacks import event_file
from kcore.callbacks.base import Callback


class TensorBoard(Callback):
    """Writes an event file in ``log_dir`` for ``tensorboard --logdir=<log_dir>``.

    - every epoch: a scalar for each value of the epoch logs, at step ``epoch``;
    - every ``histogram_freq`` epochs (0: never): a histogram of each layer's weights and,
      with ``write_images``, the weights as a grayscale image. Keras 1 showed histograms of
      the layers' activations on the validation data; kcore shows the weights, which need
      neither TensorFlow nor validation data;
    - with ``write_graph``: the computation graph, when the backend's session has one (the
      TensorFlow backend does; other backends write no graph).
    """

    def __init__(self, log_dir='./logs', histogram_freq=0, write_graph=True,
                 write_images=False):
        self.log_dir = log_dir
        self.histogram_freq = histogram_freq
        self.write_graph = write_graph
        self.write_images = write_images
        self.writer = None

    def on_train_begin(self, logs=None):
        self._open()

    def on_epoch_end(self, epoch, logs=None):
        self._open()
        values = [event_file.scalar_value(name, value)
                  for name, value in sorted((logs or {}).items())
                  if name not in ('batch', 'size') and np.size(value) == 1]
        if values:
            self.writer.add_summary(event_file.summary(*values), epoch)
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            weights = self._weight_summaries()
            if weights:
                self.writer.add_summary(event_file.summary(*weights), epoch)
        self.writer.flush()

    def on_train_end(self, logs=None):
        if self.writer is not None:
            self.writer.close()
            self.writer = None

    def _open(self):
        if self.writer is None:
            self.writer = event_file.EventFileWriter(self.log_dir)
            graph_def = self._graph_def() if self.write_graph else None
            if graph_def:
                self.writer.add_graph_def(graph_def)
            self.writer.flush()

    def _graph_def(self):
        """The serialized GraphDef of the backend's session graph, or None."""
        try:
            session = K.get_session()
        except Exception:
            return None
        graph = getattr(session, 'graph', None)
        as_graph_def = getattr(graph, 'as_graph_def', None)
        if as_graph_def is None:
            return None
        return as_graph_def().SerializeToString()

    def _weight_summaries(self):
        """Histogram (and image) summary values of every layer's weights."""
        summaries = []
        for layer in getattr(self.model, 'layers', None) or ():
            weights = list(getattr(layer, 'weights', None) or ())
            if not weights:
                continue
            for i, (weight, value) in enumerate(zip(weights, K.batch_get_value(weights))):
                value = np.asarray(value, dtype=np.float64)
                finite = value[np.isfinite(value)]
                if finite.size == 0:
                    continue
                tag = _weight_tag(layer, weight, i)
                summaries.append(event_file.histogram_value(tag, finite))
                if self.write_images:
                    summaries.append(event_file.image_value(tag + '/image', _as_image(value)))
        return summaries


def _weight_tag(layer, weight, index):
    """The weight's own name without the ``:0`` TensorFlow adds, else layer name and index."""
    name = getattr(weight, 'name', None)
    if isinstance(name, str) and name:
        return re.sub(r':\d+$', '', name)
    return '%s/weight_%d' % (getattr(layer, 'name', 'layer'), index)


def _as_image(value):
    """A weight array as a 2D uint8 image: squeezed, vectors as one row, tall matrices
    transposed, higher ranks flattened to (rest, last axis); scaled min..max to 0..255."""
    value = np.squeeze(np.asarray(value, dtype=np.float64))
    if value.ndim == 0:
        value = value.reshape(1, 1)
    elif value.ndim == 1:
        value = value[np.newaxis, :]
    elif value.ndim > 2:
        value = value.reshape(-1, value.shape[-1])
    if value.shape[0] > value.shape[1]:
        value = value.T
    value = np.nan_to_num(value)
    low, high = value.min(), value.max()
    scaled = (value - low) / (high - low) if high > low else np.zeros_like(value)
    return np.round(scaled * 255).astype(np.uint8)
