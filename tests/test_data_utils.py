"""get_file and validate_file against an HTTP server on 127.0.0.1: cache, hashes,
failures that leave no file behind, safe archive extraction."""
import hashlib
import io
import os
import socket
import tarfile
import zipfile

import pytest

from kcore.testing.file_server import FileServer
from kcore.utils import data_utils
from kcore.utils.data_utils import DownloadError, UnsafeArchiveError, get_file, validate_file

BODY = bytes(range(256)) * 1000   # 256,000 bytes: several chunks


def md5(data):
    return hashlib.md5(data).hexdigest()


@pytest.fixture
def server():
    with FileServer() as s:
        yield s


@pytest.fixture(autouse=True)
def keras_home(tmp_path, monkeypatch):
    """A HOME without a Keras cache, so the user's real ~/.keras never answers."""
    home = tmp_path / 'home'
    home.mkdir()
    monkeypatch.setenv('HOME', str(home))
    monkeypatch.delenv('KERAS_HOME', raising=False)
    return home


def leftovers(folder):
    """Files in ``folder`` other than the ones expected: partial downloads, staging folders."""
    return sorted(n for n in os.listdir(folder) if n.startswith('.'))


def test_download_then_cache_hit(server, kcore_home, capsys):
    url = server.add('/data.bin', BODY)
    path = get_file('data.bin', url)
    assert path == str(kcore_home / 'datasets' / 'data.bin')
    assert open(path, 'rb').read() == BODY
    out = capsys.readouterr().out
    assert 'Downloading data from %s' % url in out and '256000/256000' in out
    assert get_file('data.bin', url, md5_hash=md5(BODY)) == path
    assert server.requests == ['/data.bin']   # the second call used the cache


def test_cache_subdir_and_cache_dir(server, tmp_path):
    url = server.add('/w.h5', b'weights')
    path = get_file('w.h5', url, cache_subdir='models', cache_dir=str(tmp_path / 'elsewhere'))
    assert path == str(tmp_path / 'elsewhere' / 'models' / 'w.h5')


def test_corrupt_cached_file_is_downloaded_again(server, kcore_home, capsys):
    url = server.add('/data.bin', BODY)
    folder = kcore_home / 'datasets'
    folder.mkdir(parents=True)
    (folder / 'data.bin').write_bytes(b'half of it')
    path = get_file('data.bin', url, md5_hash=md5(BODY))
    assert open(path, 'rb').read() == BODY and server.requests == ['/data.bin']
    assert 'does not match its md5 hash' in capsys.readouterr().out


def test_download_that_does_not_match_its_hash_is_an_error(server, kcore_home):
    url = server.add('/data.bin', BODY)
    wrong = hashlib.sha256(b'other').hexdigest()
    folder = kcore_home / 'datasets'
    folder.mkdir(parents=True)
    (folder / 'data.bin').write_bytes(b'stale')
    with pytest.raises(DownloadError) as e:
        get_file('data.bin', url, file_hash=wrong)
    assert 'sha256' in str(e.value) and wrong in str(e.value)
    assert server.requests == ['/data.bin']   # downloaded again once, then the error
    assert os.listdir(folder) == []


def test_http_error_names_url_reason_and_path(server, kcore_home):
    url = server.url('/missing.pkl')
    with pytest.raises(DownloadError) as e:
        get_file('missing.pkl', url)
    path = str(kcore_home / 'datasets' / 'missing.pkl')
    assert (e.value.url, e.value.path) == (url, path)
    assert 'HTTP 404' in str(e.value) and url in str(e.value) and path in str(e.value)
    assert os.listdir(kcore_home / 'datasets') == []


def test_connection_closed_mid_body_leaves_nothing(server, kcore_home):
    url = server.add('/data.bin', BODY, cut_after=100000)
    with pytest.raises(DownloadError) as e:
        get_file('data.bin', url)
    assert 'closed' in e.value.reason or 'IncompleteRead' in e.value.reason
    assert os.listdir(kcore_home / 'datasets') == []


def test_connection_refused(kcore_home):
    with socket.socket() as s:   # a port nobody listens on
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
    url = 'http://127.0.0.1:%d/data.bin' % port
    with pytest.raises(DownloadError) as e:
        get_file('data.bin', url)
    assert 'refused' in str(e.value).lower() and url in str(e.value)
    assert os.listdir(kcore_home / 'datasets') == []


def test_interrupt_mid_download_leaves_nothing(server, kcore_home, monkeypatch):
    url = server.add('/data.bin', BODY)

    class Interrupting(data_utils.Progbar):
        def update(self, current, values=None, force=False):
            raise KeyboardInterrupt

    monkeypatch.setattr(data_utils, 'Progbar', Interrupting)
    with pytest.raises(KeyboardInterrupt):
        get_file('data.bin', url)
    assert os.listdir(kcore_home / 'datasets') == []


def test_file_url_and_local_path(tmp_path, kcore_home):
    source = tmp_path / 'source.txt'
    source.write_bytes(b'local data')
    assert open(get_file('a.txt', source.as_uri()), 'rb').read() == b'local data'
    assert open(get_file('b.txt', str(source)), 'rb').read() == b'local data'


def test_keras1_cache_is_used_without_download(server, keras_home):
    cached = keras_home / '.keras' / 'datasets'
    cached.mkdir(parents=True)
    (cached / 'mnist.pkl.gz').write_bytes(BODY)
    url = server.add('/mnist.pkl.gz', b'never fetched')
    assert get_file('mnist.pkl.gz', url) == str(cached / 'mnist.pkl.gz')
    assert get_file('mnist.pkl.gz', url, md5_hash=md5(BODY)) == str(cached / 'mnist.pkl.gz')
    assert server.requests == []


def test_keras1_cache_with_the_wrong_hash_is_ignored(server, keras_home, kcore_home):
    cached = keras_home / '.keras' / 'datasets'
    cached.mkdir(parents=True)
    (cached / 'data.bin').write_bytes(b'old')
    url = server.add('/data.bin', BODY)
    assert get_file('data.bin', url, md5_hash=md5(BODY)) == str(kcore_home / 'datasets' /
                                                                  'data.bin')
    assert (cached / 'data.bin').read_bytes() == b'old'


def test_validate_file_md5_and_sha256(tmp_path):
    path = tmp_path / 'f'
    path.write_bytes(BODY)
    assert validate_file(str(path), md5(BODY))
    assert validate_file(str(path), hashlib.sha256(BODY).hexdigest())
    assert validate_file(str(path), file_hash=md5(BODY).upper())
    assert not validate_file(str(path), md5(b'x'))
    with pytest.raises(ValueError, match='algorithm'):
        validate_file(str(path), md5(BODY), algorithm='crc')


def tar_bytes(members):
    """A tar.gz of ``members``: (name, data) files, or (name, None, linkname) symlinks."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode='w:gz') as archive:
        for name, data, *link in members:
            info = tarfile.TarInfo(name)
            if link:
                info.type, info.linkname = tarfile.SYMTYPE, link[0]
                archive.addfile(info)
            else:
                info.size = len(data)
                archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def test_untar_returns_the_unpacked_folder(server, kcore_home):
    url = server.add('/c.tar.gz', tar_bytes([('batches/a', b'1'), ('batches/sub/b', b'22')]))
    path = get_file('batches', url, untar=True)
    folder = kcore_home / 'datasets'
    assert path == str(folder / 'batches')
    assert (folder / 'batches' / 'sub' / 'b').read_bytes() == b'22'
    assert (folder / 'batches.tar.gz').exists() and leftovers(folder) == []
    assert get_file('batches', url, untar=True) == path and server.requests == ['/c.tar.gz']


def test_untar_without_the_named_folder_is_an_error(server):
    url = server.add('/c.tar.gz', tar_bytes([('other/a', b'1')]))
    with pytest.raises(DownloadError, match="no folder named 'batches'"):
        get_file('batches', url, untar=True)


def test_extract_zip(server, kcore_home):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, 'w') as archive:
        archive.writestr('glove/vectors.txt', 'the 0.1 0.2\n')
    url = server.add('/glove.zip', buffer.getvalue())
    path = get_file('glove.zip', url, extract=True)
    assert path == str(kcore_home / 'datasets' / 'glove.zip')
    assert (kcore_home / 'datasets' / 'glove' / 'vectors.txt').read_text() == 'the 0.1 0.2\n'


@pytest.mark.parametrize('members, why', [
    ([('ok/a', b'1'), ('../escaped', b'evil')], 'outside'),
    ([('ok/a', b'1'), ('/tmp/kcore-absolute-escape', b'evil')], 'outside'),
    ([('ok/a', b'1'), ('ok/link', None, '/etc/passwd')], 'link'),
])
def test_unsafe_tar_members_are_refused(server, kcore_home, tmp_path, members, why):
    url = server.add('/bad.tar.gz', tar_bytes(members))
    with pytest.raises(UnsafeArchiveError, match=why):
        get_file('ok', url, untar=True)
    folder = kcore_home / 'datasets'
    assert sorted(os.listdir(folder)) == ['ok.tar.gz']   # nothing extracted, not even ok/a
    assert not (kcore_home / 'escaped').exists()
    assert not os.path.exists('/tmp/kcore-absolute-escape')


def test_unsafe_zip_member_is_refused(server, kcore_home):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, 'w') as archive:
        archive.writestr('fine.txt', 'x')
        archive.writestr('../../escaped.txt', 'evil')
    url = server.add('/bad.zip', buffer.getvalue())
    with pytest.raises(UnsafeArchiveError, match='outside'):
        get_file('bad.zip', url, extract=True)
    assert sorted(os.listdir(kcore_home / 'datasets')) == ['bad.zip']
    assert not (kcore_home / 'escaped.txt').exists()
