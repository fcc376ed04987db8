"""Processes killed half-way: a save or a download killed by SIGKILL leaves the old file or
the new one, never a partial one, and the next save or download cleans up after it; SIGINT
(Ctrl-C) during fit runs every callback's on_train_end, then stops."""
import hashlib
import http.server
import os
import random
import signal
import threading
import time

import h5py
import numpy as np
import pytest

from kcore.callbacks import Callback, CSVLogger

from fault_tools import (CHILD_TIMEOUT, count, dense_model, regression_data, run_python,
                         start_python)
from kcore_test_helpers.session import BACKEND

KILLS = int(os.environ.get('KCORE_FAULT_KILLS', '5'))


def _wait_for_line(process, marker, timeout=CHILD_TIMEOUT):
    """Read the child's stdout until a line starting with ``marker``; fail on a timeout."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        line = process.stdout.readline()
        if line.startswith(marker):
            return line
        if not line and process.poll() is not None:
            raise AssertionError('the child ended (code %s) before printing %r: %s'
                                 % (process.returncode, marker, process.stderr.read()[-3000:]))
    process.kill()
    raise AssertionError('the child did not print %r within %d s' % (marker, timeout))


def _hidden(folder):
    return sorted(n for n in os.listdir(folder) if n.startswith('.'))


# ------------------------------------------------------------- mid-save kills
SAVER = '''
import os, sys
import numpy as np
from kcore.layers import Dense
from kcore.models import Sequential
path, first = os.environ['TARGET'], int(os.environ['FIRST'])
model = Sequential([Dense(400, input_dim=400), Dense(400)])
print('READY', flush=True)
for version in range(first, first + 1000):
    model.set_weights([np.full(w.shape, version, w.dtype) for w in model.get_weights()])
    model.save(path)
    print('SAVED', version, flush=True)
    if os.environ.get('ONCE'):
        break
'''


def _saved_version(path):
    """The one value every weight of the file holds; fails on a partial or mixed file."""
    with h5py.File(path, 'r') as f:
        values = set()
        f['model_weights'].visititems(
            lambda name, obj: values.update(np.unique(obj[()]).tolist())
            if isinstance(obj, h5py.Dataset) else None)
    assert len(values) == 1, 'a file mixing versions %s' % sorted(values)
    return values.pop()


def test_sigkill_mid_save_leaves_the_old_or_the_new_file(tmp_path):
    path = str(tmp_path / 'model.h5')
    rng = random.Random(15)
    last_complete, first = None, 1
    for _ in range(KILLS):
        process = start_python(SAVER, TARGET=path, FIRST=first, KCORE_BACKEND=BACKEND)
        _wait_for_line(process, 'READY')
        line = _wait_for_line(process, 'SAVED')   # at least one whole save in this process
        time.sleep(rng.uniform(0.0, 0.3))
        process.kill()
        process.communicate(timeout=CHILD_TIMEOUT)
        count('kills')
        version = _saved_version(path)
        assert version >= int(line.split()[1]), 'an older file than one already saved'
        assert last_complete is None or version >= last_complete
        last_complete, first = version, int(version) + 1000
        # What a killed save leaves: at most its own temporary file (earlier ones are gone).
        assert len(_hidden(str(tmp_path))) <= 1, _hidden(str(tmp_path))
    code, _, err = run_python(SAVER, TARGET=path, FIRST=first, ONCE=1, KCORE_BACKEND=BACKEND)
    assert code == 0, err[-3000:]
    assert _saved_version(path) == first
    assert _hidden(str(tmp_path)) == []


# --------------------------------------------------------- mid-download kills
BODY = np.random.RandomState(0).bytes(3 * 1024 * 1024)
SHA = hashlib.sha256(BODY).hexdigest()


class _SlowHandler(http.server.BaseHTTPRequestHandler):
    """Serves BODY in 64 KiB pieces, 10 ms apart (about 0.5 s in all)."""

    def do_GET(self):
        self.send_response(200)
        self.send_header('Content-Length', str(len(BODY)))
        self.end_headers()
        try:
            for start in range(0, len(BODY), 65536):
                self.wfile.write(BODY[start:start + 65536])
                time.sleep(0.01)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args):
        pass


DOWNLOADER = '''
import os
from kcore.utils.data_utils import get_file
print('READY', flush=True)
path = get_file('blob.bin', os.environ['URL'], file_hash=os.environ['SHA'],
                cache_dir=os.environ['CACHE'])
print('DONE', path, flush=True)
'''


def test_sigkill_mid_download_leaves_no_partial_file(tmp_path):
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), _SlowHandler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    url = 'http://127.0.0.1:%d/blob.bin' % server.server_address[1]
    cache = tmp_path / 'cache'
    target = cache / 'datasets' / 'blob.bin'
    env = dict(URL=url, SHA=SHA, CACHE=str(cache), KCORE_BACKEND=BACKEND)
    rng = random.Random(15)
    try:
        for _ in range(KILLS):
            process = start_python(DOWNLOADER, **env)
            _wait_for_line(process, 'READY')
            time.sleep(rng.uniform(0.05, 0.4))
            process.kill()
            process.communicate(timeout=CHILD_TIMEOUT)
            count('kills')
            if target.exists():   # the kill came after the rename: the whole file
                assert hashlib.sha256(target.read_bytes()).hexdigest() == SHA
                target.unlink()
            assert len(_hidden(str(target.parent))) <= 1
        code, out, err = run_python(DOWNLOADER, **env)
        assert code == 0, err[-3000:]
        assert hashlib.sha256(target.read_bytes()).hexdigest() == SHA
        assert _hidden(str(target.parent)) == []
    finally:
        server.shutdown()
        server.server_close()


# ------------------------------------------------------------ interrupted fit
class _Recorder(Callback):
    def __init__(self, ended):
        self.ended = ended

    def on_train_end(self, logs=None):
        self.ended.append(self)


class _Interrupt(Callback):
    def on_batch_end(self, batch, logs=None):
        if batch == 2:
            raise KeyboardInterrupt


def test_keyboard_interrupt_in_fit_runs_every_on_train_end_then_reraises(tmp_path):
    x, y = regression_data(40)
    ended = []
    first, last = _Recorder(ended), _Recorder(ended)
    csv_logger = CSVLogger(str(tmp_path / 'log.csv'))
    with pytest.raises(KeyboardInterrupt):
        dense_model().fit(x, y, batch_size=4, nb_epoch=3, verbose=0,
                          callbacks=[first, csv_logger, _Interrupt(), last])
    assert ended == [first, last]
    assert csv_logger.csv_file is None, "CSVLogger's file was left open"


def test_keyboard_interrupt_in_fit_generator_runs_on_train_end(tmp_path):
    x, y = regression_data(40)

    def batches():
        while True:
            yield x[:4], y[:4]
    ended = []
    with pytest.raises(KeyboardInterrupt):
        dense_model().fit_generator(batches(), 40, 3, verbose=0,
                                    callbacks=[_Interrupt(), _Recorder(ended)])
    assert len(ended) == 1


SIGINT_CHILD = '''
import os, signal, sys, time
import numpy as np
# Ctrl-C as a terminal delivers it, also where this run inherited SIGINT ignored (a shell's
# background job without job control): Python then installs no KeyboardInterrupt handler.
signal.signal(signal.SIGINT, signal.default_int_handler)
from kcore.callbacks import Callback, CSVLogger
from kcore.layers import Dense
from kcore.models import Sequential

class Announce(Callback):
    def on_batch_end(self, batch, logs=None):
        if batch == 1:
            print('TRAINING', flush=True)
        time.sleep(0.01)
    def on_train_end(self, logs=None):
        print('TRAIN_END', flush=True)

logger = CSVLogger(os.environ['CSV'])
model = Sequential([Dense(8, input_dim=4), Dense(1)])
model.compile('sgd', 'mse')
x = np.random.rand(4000, 4).astype('float32'); y = x.sum(axis=1, keepdims=True)
try:
    model.fit(x, y, batch_size=4, nb_epoch=100, verbose=0, callbacks=[Announce(), logger])
except KeyboardInterrupt:
    print('INTERRUPTED', logger.csv_file is None, flush=True)
    sys.exit(3)
print('FINISHED', flush=True)
'''


def test_sigint_during_fit_runs_on_train_end_and_closes_the_csv_file(tmp_path):
    process = start_python(SIGINT_CHILD, CSV=str(tmp_path / 'log.csv'), KCORE_BACKEND=BACKEND)
    try:
        _wait_for_line(process, 'TRAINING')
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=CHILD_TIMEOUT)
    finally:
        if process.poll() is None:
            process.kill()
    count('kills')
    assert process.returncode == 3, out + err[-3000:]
    assert 'TRAIN_END' in out and 'INTERRUPTED True' in out, out
