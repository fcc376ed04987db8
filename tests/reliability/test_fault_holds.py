"""What already held when the fault suite was written, kept as tests: clear errors for
shape and count mismatches, unknown names with suggestions, truncated and non-HDF5 files;
predict from 4 threads matches sequential results; memory stays flat over many predicts."""
import resource
import threading

import numpy as np
import pytest

from kcore.models import load_model

from fault_tools import count, dense_model, regression_data

X, Y = regression_data(32)


def test_a_shape_mismatch_names_the_expected_shape():
    with pytest.raises(ValueError, match=r'\(None, 4\)|4'):
        dense_model().predict(np.zeros((3, 5), 'float32'))


def test_a_count_mismatch_is_clear():
    with pytest.raises(ValueError, match='sample'):
        dense_model().fit(X, Y[:10], nb_epoch=1, verbose=0)


def test_unknown_names_get_suggestions():
    with pytest.raises(Exception, match='(?i)did you mean'):
        dense_model(optimizer='sgdd')


def test_a_non_hdf5_file_names_the_file(tmp_path):
    path = tmp_path / 'notes.h5'
    path.write_text('not an HDF5 file')
    with pytest.raises(OSError, match='notes.h5'):
        load_model(str(path))


def test_predict_from_four_threads_matches_sequential_results():
    model = dense_model()
    batches = [np.random.RandomState(i).rand(64, 4).astype('float32') for i in range(8)]
    expected = [model.predict(b) for b in batches]
    results, errors = {}, []

    def work(worker):
        try:
            for i in range(worker, len(batches), 4):
                results[i] = model.predict(batches[i])
        except BaseException as e:   # noqa: BLE001 - reported by the main thread
            errors.append(e)
    threads = [threading.Thread(target=work, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    count('threads', len(threads))
    assert not errors, errors
    for i, want in enumerate(expected):
        np.testing.assert_allclose(results[i], want, rtol=1e-6)


def test_memory_stays_flat_over_5000_predict_calls():
    model = dense_model()
    x = X[:8]
    for _ in range(500):   # warm-up: allocator pools, caches
        model.predict(x)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for _ in range(5000):
        model.predict(x)
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown_kib < 50 * 1024, 'peak memory grew by %d KiB over 5000 predict calls' % grown_kib
