"""TensorBoard event files, written without TensorFlow.

An event file is a sequence of TFRecord records, each one a serialized ``tensorflow.Event``
protocol buffer. A record is: the data length (uint64, little-endian), the masked CRC32C
of those 8 bytes (uint32), the data, the masked CRC32C of the data (uint32). The few
messages TensorBoard needs are encoded here by hand from their field numbers (see
``tensorflow/core/util/event.proto`` and ``tensorflow/core/framework/summary.proto``).
"""
import itertools
import os
import socket
import struct
import time
import zlib

import numpy as np

# --------------------------------------------------------------------------- CRC32C
_CASTAGNOLI = 0x82F63B78   # the CRC-32C polynomial, bit-reversed


def _crc_table():
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ _CASTAGNOLI if crc & 1 else crc >> 1
        table.append(crc)
    return table


_TABLE = _crc_table()


def crc32c(data):
    """The CRC-32C (Castagnoli) checksum of the bytes ``data``."""
    crc = 0xFFFFFFFF
    table = _TABLE
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def masked_crc32c(data):
    """The CRC as TFRecord stores it: rotated right by 15 bits plus a constant."""
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def tfrecord(data):
    """One TFRecord: framed ``data`` with its length and both checksums."""
    length = struct.pack('<Q', len(data))
    return (length + struct.pack('<I', masked_crc32c(length)) + data
            + struct.pack('<I', masked_crc32c(data)))


# ------------------------------------------------------------ protobuf wire format
_VARINT, _FIXED64, _BYTES, _FIXED32 = 0, 1, 2, 5


def _varint(n):
    n &= 0xFFFFFFFFFFFFFFFF   # negative int64 values are sent as their 64-bit complement
    out = bytearray()
    while n > 0x7F:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def _key(field, wire_type):
    return _varint(field << 3 | wire_type)


def int_field(field, value):
    return _key(field, _VARINT) + _varint(int(value))


def double_field(field, value):
    return _key(field, _FIXED64) + struct.pack('<d', value)


def float_field(field, value):
    return _key(field, _FIXED32) + struct.pack('<f', value)


def bytes_field(field, data):
    """A length-delimited field: bytes, a string (UTF-8) or an encoded sub-message."""
    if isinstance(data, str):
        data = data.encode('utf-8')
    return _key(field, _BYTES) + _varint(len(data)) + data


def packed_doubles_field(field, values):
    values = list(values)
    return bytes_field(field, struct.pack('<%dd' % len(values), *values))


# ------------------------------------------------------------------------ messages
def event(step, wall_time=None, file_version=None, graph_def=None, summary=None):
    """An encoded ``Event``; give exactly one of file_version, graph_def, summary."""
    data = double_field(1, time.time() if wall_time is None else wall_time)
    data += int_field(2, step)
    if file_version is not None:
        data += bytes_field(3, file_version)
    if graph_def is not None:
        data += bytes_field(4, graph_def)
    if summary is not None:
        data += bytes_field(5, summary)
    return data


def summary(*values):
    """An encoded ``Summary`` holding the encoded ``Summary.Value`` messages given."""
    return b''.join(bytes_field(1, value) for value in values)


def scalar_value(tag, value):
    return bytes_field(1, tag) + float_field(2, float(value))


def histogram_value(tag, values, bins=30):
    """A ``Summary.Value`` with the histogram (``HistogramProto``) of the array ``values``:
    ``bins`` equal-width buckets between its minimum and maximum."""
    values = np.asarray(values, dtype=np.float64).ravel()
    counts, edges = np.histogram(values, bins=bins)
    histo = (double_field(1, values.min()) + double_field(2, values.max())
             + double_field(3, values.size) + double_field(4, values.sum())
             + double_field(5, np.dot(values, values))
             + packed_doubles_field(6, edges[1:]) + packed_doubles_field(7, counts))
    return bytes_field(1, tag) + bytes_field(5, histo)


def image_value(tag, pixels):
    """A ``Summary.Value`` with a grayscale image of the 2D uint8 array ``pixels``."""
    height, width = pixels.shape
    image = (int_field(1, height) + int_field(2, width) + int_field(3, 1)
             + bytes_field(4, png_grayscale(pixels)))
    return bytes_field(1, tag) + bytes_field(4, image)


def png_grayscale(pixels):
    """The PNG encoding of a 2D uint8 array (8-bit grayscale, no filtering)."""
    pixels = np.ascontiguousarray(pixels, dtype=np.uint8)
    height, width = pixels.shape
    rows = np.concatenate([np.zeros((height, 1), np.uint8), pixels], axis=1)

    def chunk(kind, data):
        return (struct.pack('>I', len(data)) + kind + data
                + struct.pack('>I', zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack('>IIBBBBB', width, height, 8, 0, 0, 0, 0)
    return (b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', header)
            + chunk(b'IDAT', zlib.compress(rows.tobytes())) + chunk(b'IEND', b''))


# -------------------------------------------------------------------------- writer
_file_numbers = itertools.count()


class EventFileWriter:
    """Appends events to a new file ``events.out.tfevents.<time>.<host>...`` in
    ``log_dir`` (created if missing); the first record is the file-version event."""

    def __init__(self, log_dir):
        os.makedirs(log_dir, exist_ok=True)
        name = 'events.out.tfevents.%010d.%s.%d.%d' % (
            time.time(), socket.gethostname(), os.getpid(), next(_file_numbers))
        self.path = os.path.join(log_dir, name)
        self._file = open(self.path, 'wb')
        self.add_event(event(0, file_version='brain.Event:2'))
        self.flush()

    def add_event(self, encoded_event):
        self._file.write(tfrecord(encoded_event))

    def add_summary(self, encoded_summary, step):
        self.add_event(event(step, summary=encoded_summary))

    def add_graph_def(self, graph_def_bytes):
        self.add_event(event(0, graph_def=graph_def_bytes))

    def flush(self):
        self._file.flush()

    def close(self):
        if not self._file.closed:
            self._file.close()
