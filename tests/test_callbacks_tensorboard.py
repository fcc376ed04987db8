"""TensorBoard event files written without TensorFlow, read back with TensorFlow."""
import glob
import io
import os
import struct

import numpy as np
import pytest

from kcore_test_helpers.callbacks import (  # noqa: F401
    FakeLayer, FakeModel, numpy_backend, run_epochs)
from kcore import backend as K
from kcore.callbacks import LearningRateScheduler, TensorBoard, event_file

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
tf = pytest.importorskip('tensorflow')


def read_events(log_dir):
    """The events of the one event file in ``log_dir``, read by TensorFlow."""
    paths = glob.glob(os.path.join(str(log_dir), 'events.out.tfevents.*'))
    assert len(paths) == 1, paths
    return list(tf.compat.v1.train.summary_iterator(paths[0]))


def summary_values(events):
    """(step, tag, Summary.Value) for every summary value of ``events``."""
    return [(e.step, v.tag, v) for e in events if e.HasField('summary') for v in e.summary.value]


# ------------------------------------------------------------------ the file format
@pytest.mark.parametrize('data, crc', [
    (b'', 0x00000000), (b'123456789', 0xE3069283), (b'\x00' * 32, 0x8A9136AA),
    (b'\xff' * 32, 0x62A8AB43), (bytes(range(32)), 0x46DD794E),
])
def test_crc32c_matches_the_published_check_values(data, crc):
    assert event_file.crc32c(data) == crc


def test_records_are_byte_for_byte_those_tensorflow_writes(tmp_path):
    payloads = [b'', b'x', os.urandom(300), bytes(range(256)) * 40]
    path = str(tmp_path / 'tf.tfrecord')
    with tf.io.TFRecordWriter(path) as writer:
        for payload in payloads:
            writer.write(payload)
    with open(path, 'rb') as f:
        assert f.read() == b''.join(event_file.tfrecord(p) for p in payloads)


def test_tensorflow_rejects_a_corrupted_record(tmp_path):
    writer = event_file.EventFileWriter(str(tmp_path))
    writer.add_summary(event_file.summary(event_file.scalar_value('loss', 1.5)), 0)
    writer.close()
    with open(writer.path, 'r+b') as f:
        f.seek(-6, os.SEEK_END)
        f.write(b'\x00')
    with pytest.raises(Exception, match='(?i)corrupt|checksum|crc'):
        read_events(tmp_path)


def test_events_decode_as_tensorflow_protos():
    from tensorflow.core.util import event_pb2
    encoded = event_file.event(-3, wall_time=12.5, summary=event_file.summary(
        event_file.scalar_value('ü/loss', 0.25), event_file.scalar_value('acc', 2)))
    parsed = event_pb2.Event.FromString(encoded)
    assert (parsed.step, parsed.wall_time) == (-3, 12.5)
    assert [(v.tag, v.simple_value) for v in parsed.summary.value] == [('ü/loss', 0.25),
                                                                        ('acc', 2.0)]


# ------------------------------------------------------------------ the callback
LOGS = [{'loss': 0.9, 'acc': 0.5, 'val_loss': np.float32(1.25), 'size': 32, 'batch': 3},
        {'loss': 0.7, 'acc': 0.625, 'val_loss': np.float64(1.0), 'size': 32, 'batch': 3},
        {'loss': 0.5, 'acc': 0.75, 'val_loss': 0.75, 'size': 32, 'batch': 3}]


def test_epoch_logs_become_scalars_at_the_epoch_step(tmp_path, numpy_backend):
    run_epochs([TensorBoard(log_dir=str(tmp_path))], FakeModel(), LOGS)
    events = read_events(tmp_path)
    assert events[0].file_version == 'brain.Event:2'
    scalars = [(step, tag, v.simple_value) for step, tag, v in summary_values(events)]
    expected = [(epoch, name, pytest.approx(float(logs[name])))
                for epoch, logs in enumerate(LOGS) for name in ('acc', 'loss', 'val_loss')]
    assert scalars == expected
    assert not any(e.graph_def for e in events)     # the numpy backend has no graph


def test_weight_histograms_every_histogram_freq_epochs(tmp_path, numpy_backend):
    dense = FakeLayer('dense_1', (4, 3), (3,))
    model = FakeModel([dense, FakeLayer('dropout_1')])
    run_epochs([TensorBoard(log_dir=str(tmp_path), histogram_freq=2)], model, LOGS)
    histograms = [(step, tag, v.histo) for step, tag, v in summary_values(read_events(tmp_path))
                  if v.HasField('histo')]
    assert [(step, tag) for step, tag, _ in histograms] == [
        (0, 'dense_1_W'), (0, 'dense_1_b'), (2, 'dense_1_W'), (2, 'dense_1_b')]
    for (_, _, histo), weight in zip(histograms, dense.weights * 2):
        value = weight.value.astype(np.float64)
        assert histo.num == value.size and sum(histo.bucket) == value.size
        assert histo.min == value.min() and histo.max == value.max()
        assert histo.sum == pytest.approx(value.sum())
        assert histo.sum_squares == pytest.approx((value ** 2).sum())
        assert list(histo.bucket) == np.histogram(value, bins=30)[0].tolist()
        assert histo.bucket_limit[-1] == value.max()


def test_write_images_adds_each_weight_as_a_grayscale_image(tmp_path, numpy_backend):
    dense = FakeLayer('dense_1', (5, 2), (2,))
    dense.weights[0].value = np.arange(10, dtype=np.float32).reshape(5, 2)
    run_epochs([TensorBoard(log_dir=str(tmp_path), histogram_freq=1, write_images=True)],
               FakeModel([dense]), LOGS[:1])
    images = {tag: v.image for _, tag, v in summary_values(read_events(tmp_path))
              if v.HasField('image')}
    assert sorted(images) == ['dense_1_W/image', 'dense_1_b/image']
    kernel = images['dense_1_W/image']
    assert (kernel.height, kernel.width, kernel.colorspace) == (2, 5, 1)   # tall: transposed
    # Decoded with Pillow: TensorFlow's eager decode_png fails once kcore made its graph the
    # default one in this thread (another test using the TensorFlow backend before this).
    image = pytest.importorskip('PIL.Image')
    pixels = np.asarray(image.open(io.BytesIO(kernel.encoded_image_string)))
    expected = np.round(np.arange(10).reshape(5, 2).T / 9 * 255).astype(np.uint8)
    np.testing.assert_array_equal(pixels, expected)


class Graph:
    def __init__(self, data):
        self.data = data

    def as_graph_def(self):
        return self

    def SerializeToString(self):
        return self.data


class Session:
    def __init__(self, data):
        self.graph = Graph(data)


@pytest.mark.parametrize('write_graph', [True, False])
def test_graph_comes_from_the_backend_session(tmp_path, numpy_backend, write_graph):
    graph_def = tf.compat.v1.GraphDef()
    graph_def.node.add(name='dense_1/MatMul', op='MatMul')
    numpy_backend.session = Session(graph_def.SerializeToString())
    run_epochs([TensorBoard(log_dir=str(tmp_path), write_graph=write_graph)], FakeModel(),
               LOGS[:1])
    graphs = [e.graph_def for e in read_events(tmp_path) if e.graph_def]
    assert graphs == ([graph_def.SerializeToString()] if write_graph else [])


def test_each_training_writes_a_new_file_and_closes_it(tmp_path, numpy_backend):
    callback = TensorBoard(log_dir=str(tmp_path / 'logs'))
    run_epochs([callback], FakeModel(), LOGS[:1])
    run_epochs([callback], FakeModel(), LOGS[:2])
    assert callback.writer is None
    paths = sorted(glob.glob(str(tmp_path / 'logs' / 'events.out.tfevents.*')))
    assert len(paths) == 2
    steps = [[e.step for e in tf.compat.v1.train.summary_iterator(p) if e.summary.value]
             for p in paths]
    assert sorted(steps) == [[0], [0, 1]]


def test_with_the_tensorflow_backend(tmp_path):
    """The real session graph, real variables, and a learning-rate schedule, on TensorFlow."""
    try:
        K.set_backend('tensorflow')
    except K.BackendError as e:
        pytest.skip('the TensorFlow backend is not available: %s' % e)
    K.clear_session()   # a fresh graph: variable names as given, not uniquified by others
    dense = FakeLayer('dense_1', (3, 2), (2,))
    model = FakeModel([dense], lr=0.5)
    run_epochs([LearningRateScheduler(lambda epoch: 0.25 / (epoch + 1)),
                TensorBoard(log_dir=str(tmp_path), histogram_freq=1)], model, LOGS[:2])
    assert float(K.get_value(model.optimizer.lr)) == pytest.approx(0.125)
    events = read_events(tmp_path)
    graph_def = tf.compat.v1.GraphDef.FromString(next(e.graph_def for e in events
                                                      if e.graph_def))
    names = {node.name for node in graph_def.node}
    assert any(name.startswith('dense_1_W') for name in names)
    tags = [tag for step, tag, v in summary_values(events) if v.HasField('histo')]
    assert tags == ['dense_1_W', 'dense_1_b'] * 2


def test_tensorboard_reads_the_file(tmp_path, numpy_backend):
    accumulator = pytest.importorskip(
        'tensorboard.backend.event_processing.event_accumulator')
    run_epochs([TensorBoard(log_dir=str(tmp_path), histogram_freq=1)],
               FakeModel([FakeLayer('dense_1', (4, 3))]), LOGS)
    reader = accumulator.EventAccumulator(str(tmp_path))
    reader.Reload()
    assert [(s.step, pytest.approx(s.value)) for s in reader.Scalars('loss')] == \
        [(0, 0.9), (1, 0.7), (2, 0.5)]
    assert [h.step for h in reader.Histograms('dense_1_W')] == [0, 1, 2]


def test_record_framing_is_length_crc_data_crc():
    record = event_file.tfrecord(b'abc')
    length, length_crc = struct.unpack('<QI', record[:12])
    assert length == 3 and record[12:15] == b'abc'
    assert length_crc == event_file.masked_crc32c(record[:8])
    assert struct.unpack('<I', record[15:])[0] == event_file.masked_crc32c(b'abc')
