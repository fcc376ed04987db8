"""Each test gets an empty KCORE_HOME and HOME (no Keras cache), fresh config and
plugins, and a file server on 127.0.0.1."""
import socket

import pytest

from kcore import config, plugins
from kcore.testing.file_server import FileServer


@pytest.fixture(autouse=True)
def homes(tmp_path, monkeypatch):
    monkeypatch.setenv('KCORE_HOME', str(tmp_path / 'kcore_home'))
    monkeypatch.setenv('HOME', str(tmp_path / 'home'))
    monkeypatch.delenv('KERAS_HOME', raising=False)
    config.reset()
    plugins.reset()
    yield tmp_path / 'kcore_home'
    config.reset()
    plugins.reset()


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch):
    """A test that would reach a host other than this machine fails instead."""
    resolve = socket.getaddrinfo

    def local_only(host, *args, **kwargs):
        if host not in ('127.0.0.1', 'localhost', '::1'):
            raise AssertionError('a test tried to reach %s: tests use 127.0.0.1 only' % host)
        return resolve(host, *args, **kwargs)

    monkeypatch.setattr(socket, 'getaddrinfo', local_only)


@pytest.fixture
def server():
    with FileServer() as s:
        yield s


@pytest.fixture
def serve(server, monkeypatch):
    """serve(module, attribute, body): the module's origin ``attribute`` points at ``body``
    on the local server."""
    def make(module, attribute, body, path=None):
        url = server.add(path or '/' + attribute.lower(), body)
        monkeypatch.setattr(module, attribute, url)
        return url
    return make
