"""Downloads that datasets and pretrained models share (``keras.utils.data_utils``).

:func:`get_file` caches a file under ``$KCORE_HOME/<cache_subdir>`` (a Keras 1 user's
``~/.keras/<cache_subdir>`` is used when it already holds the file), checks its hash,
and never leaves a partial file at the final path: a download goes to a temporary file
in the same folder, is checked, then renamed. Archives are unpacked member by member
after checking that none would land outside the target folder.
"""
import hashlib
import http.client
import os
import shutil
import tarfile
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile

from kcore import config
from kcore.utils import io_utils
from kcore.utils.generic_utils import Progbar

__all__ = ['get_file', 'validate_file', 'hash_file', 'Progbar', 'DownloadError',
           'UnsafeArchiveError', 'cache_folder', 'keras_cache_folder', 'find_cached',
           'extract_archive']

CHUNK_SIZE = 64 * 1024
TIMEOUT = 60   # seconds without data before a download is abandoned


class DownloadError(OSError):
    """A file could not be downloaded, or what came did not match its hash.

    ``url``, ``reason`` and ``path`` (where the file belongs, for a user who fetches it
    by hand) are kept as fields."""

    def __init__(self, url, reason, path, expected_hash=None):
        self.url, self.reason, self.path, self.expected_hash = url, reason, path, expected_hash
        message = ('Could not get %s: %s. To install the file by hand, download it and save it as '
                   '%s' % (url, reason, path))
        if expected_hash:
            message += ' (its %s must be %s)' % (_algorithm(expected_hash), expected_hash)
        super().__init__(message + '.')


class UnsafeArchiveError(ValueError):
    """An archive member would be written outside the target folder, or is a link."""

    def __init__(self, archive, member, why):
        self.archive, self.member = archive, member
        super().__init__('Refusing to extract %s: member %r %s. Nothing was extracted.'
                         % (archive, member, why))


def cache_folder(cache_subdir='datasets', cache_dir=None):
    """The folder kcore caches ``cache_subdir`` files in: ``<cache_dir or $KCORE_HOME>/<subdir>``
    (an absolute ``cache_subdir`` is used as it is)."""
    return os.path.join(os.path.expanduser(cache_dir or config.home()), cache_subdir)


def keras_cache_folder(cache_subdir='datasets'):
    """Where Keras 1 cached the same files: ``$KERAS_HOME`` or ``~/.keras``, then the subdir."""
    return os.path.join(config.keras_home(), cache_subdir)


def find_cached(fname, cache_subdir='datasets', cache_dir=None):
    """The path of ``fname`` already in kcore's cache, else in a Keras 1 cache, else None."""
    folders = [cache_folder(cache_subdir, cache_dir)]
    if cache_dir is None:
        folders.append(keras_cache_folder(cache_subdir))
    for folder in folders:
        path = os.path.join(folder, fname)
        if os.path.exists(path):
            return path
    return None


def get_file(fname, origin, untar=False, md5_hash=None, cache_subdir='datasets', file_hash=None,
             extract=False, cache_dir=None):
    """Return the local path of ``fname``, downloading it from ``origin`` unless cached.

    ``origin`` is a URL (http, https, file) or a local path. ``md5_hash`` or
    ``file_hash`` (md5 or sha256, told apart by length) is checked on the cached file
    and on every download: a cached file that does not match is downloaded again,
    once; a download that does not match is an error. ``untar=True`` (Keras 1): the
    download is ``<fname>.tar.gz``, unpacked beside it, and the path returned is the
    folder ``fname``. ``extract=True``: the file is a tar or zip archive, unpacked
    beside it; its own path is returned. Files go to ``$KCORE_HOME/<cache_subdir>``
    (or ``cache_dir``), unless a Keras 1 cache (``~/.keras/<cache_subdir>``) has them.
    """
    expected = file_hash or md5_hash
    target = fname + '.tar.gz' if untar else fname
    unpacked = fname if untar else None
    found = _usable_keras_cache(target, unpacked, expected, cache_subdir, cache_dir)
    if found:
        return found
    folder = _writable_folder(cache_folder(cache_subdir, cache_dir))
    fpath = os.path.join(folder, target)
    if untar and os.path.isdir(os.path.join(folder, fname)):
        return os.path.join(folder, fname)
    if os.path.exists(fpath) and expected and not validate_file(fpath, expected):
        print('The cached file %s does not match its %s hash; downloading it again.'
              % (fpath, _algorithm(expected)))
        os.remove(fpath)
    if not os.path.exists(fpath):
        download(origin, fpath, expected)
    if untar:
        extract_archive(fpath, folder, archive_format='tar')
        if not os.path.isdir(os.path.join(folder, fname)):
            raise DownloadError(origin, 'the archive %s holds no folder named %r' % (fpath, fname),
                                os.path.join(folder, fname))
        return os.path.join(folder, fname)
    if extract:
        extract_archive(fpath, folder)
    return fpath


def _usable_keras_cache(target, unpacked, expected, cache_subdir, cache_dir):
    """A file (or unpacked folder) in a Keras 1 cache that can be used as it is, or None."""
    if cache_dir is not None:
        return None
    folder = keras_cache_folder(cache_subdir)
    if unpacked and os.path.isdir(os.path.join(folder, unpacked)):
        return os.path.join(folder, unpacked)
    path = os.path.join(folder, target)
    if unpacked is None and os.path.isfile(path) and (not expected or validate_file(path, expected)):
        return path
    return None


def _writable_folder(folder):
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as e:
        raise OSError('Cannot create the cache folder %s (%s). Set KCORE_HOME to a folder you '
                      'can write, or pass cache_dir=.' % (folder, e)) from None
    return folder


def download(origin, fpath, expected_hash=None):
    """Download ``origin`` to ``fpath`` through a temporary file in the same folder, with a
    progress bar; check ``expected_hash``; rename. Leaves ``fpath`` complete or absent, and
    first removes what downloads of ``fpath`` killed before this process started left."""
    url = _as_url(origin)
    print('Downloading data from %s' % url)
    io_utils.remove_stale_temporaries(fpath)
    partial = io_utils.temporary_path(fpath, '.part')
    handle = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(handle, 'wb') as out:
            _copy_url(url, out, fpath)
        if expected_hash and not validate_file(partial, expected_hash):
            raise DownloadError(url, 'the downloaded file does not match the expected %s hash'
                                % _algorithm(expected_hash), fpath, expected_hash)
        os.replace(partial, fpath)
    except BaseException:
        if os.path.exists(partial):
            os.remove(partial)
        raise
    return fpath


def _as_url(origin):
    """``origin`` as a URL: local paths become file:// URLs."""
    scheme = urllib.parse.urlparse(origin).scheme
    if len(scheme) > 1:   # one letter: a Windows drive
        return origin
    return 'file://' + urllib.request.pathname2url(os.path.abspath(os.path.expanduser(origin)))


def _copy_url(url, out, fpath):
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT) as response:
            length = response.headers.get('Content-Length') if response.headers else None
            total = int(length) if length and length.isdigit() else None
            progress = Progbar(total)
            received = 0
            while True:
                chunk = response.read(CHUNK_SIZE)
                if not chunk:
                    break
                out.write(chunk)
                received += len(chunk)
                progress.update(received)
            if total is not None and received < total:
                raise http.client.IncompleteRead(b'', total - received)
    except urllib.error.HTTPError as e:
        raise DownloadError(url, 'the server answered HTTP %d %s' % (e.code, e.reason),
                            fpath) from None
    except urllib.error.URLError as e:
        raise DownloadError(url, str(e.reason), fpath) from None
    except http.client.IncompleteRead as e:
        raise DownloadError(url, 'the connection closed with %d bytes still to come'
                            % (e.expected or 0), fpath) from None
    except (OSError, http.client.HTTPException) as e:
        raise DownloadError(url, '%s: %s' % (type(e).__name__, e), fpath) from None


def _algorithm(file_hash):
    return 'sha256' if len(file_hash) == 64 else 'md5'


def hash_file(fpath, algorithm='sha256', chunk_size=CHUNK_SIZE):
    """The hex digest of a file (``algorithm`` 'sha256' or 'md5')."""
    digest = hashlib.sha256() if algorithm == 'sha256' else hashlib.md5()
    with open(fpath, 'rb') as f:
        for chunk in iter(lambda: f.read(chunk_size), b''):
            digest.update(chunk)
    return digest.hexdigest()


def validate_file(fpath, md5_hash=None, algorithm='auto', file_hash=None):
    """True if the file's hash is ``md5_hash`` (or ``file_hash``): an md5 or, by its
    length of 64, a sha256 hex digest; ``algorithm`` 'md5'/'sha256' overrides the guess."""
    expected = file_hash or md5_hash
    if not expected:
        raise ValueError('validate_file(%r): give the expected hash (md5 or sha256 hex digest).'
                         % (fpath,))
    if algorithm == 'auto':
        algorithm = _algorithm(expected)
    if algorithm not in ('md5', 'sha256'):
        raise ValueError("validate_file: algorithm must be 'auto', 'md5' or 'sha256', got %r."
                         % (algorithm,))
    return hash_file(fpath, algorithm) == str(expected).lower()


def extract_archive(path, folder, archive_format='auto'):
    """Unpack a tar (any compression) or zip archive into ``folder``; ``archive_format`` is
    'auto', 'tar' or 'zip'. Every member is checked first: one that is a link, a device,
    or would land outside ``folder`` makes the whole archive refused. Members are unpacked
    into a temporary folder beside the target and moved into place when all are out."""
    kind = archive_format
    if kind == 'auto':
        kind = 'tar' if tarfile.is_tarfile(path) else 'zip' if zipfile.is_zipfile(path) else None
    if kind not in ('tar', 'zip'):
        raise ValueError('%s is not a tar or zip archive (archive_format=%r).'
                         % (path, archive_format))
    staging = tempfile.mkdtemp(prefix='.extracting-', dir=folder)
    try:
        if kind == 'tar':
            _extract_tar(path, staging)
        else:
            _extract_zip(path, staging)
        for name in os.listdir(staging):
            destination = os.path.join(folder, name)
            if os.path.isdir(destination) and not os.path.islink(destination):
                shutil.rmtree(destination)
            os.replace(os.path.join(staging, name), destination)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _check_member(archive, name, folder):
    target = os.path.realpath(os.path.join(folder, name))
    root = os.path.realpath(folder)
    if os.path.isabs(name) or os.path.commonpath([root, target]) != root:
        raise UnsafeArchiveError(archive, name, 'would be written outside %s' % folder)


def _extract_tar(path, folder):
    try:
        with tarfile.open(path) as archive:
            members = archive.getmembers()
            for member in members:
                _check_member(path, member.name, folder)
                if not (member.isfile() or member.isdir()):
                    raise UnsafeArchiveError(path, member.name, 'is a link or a special file')
            # Python's own 'data' filter, where it exists, checks the same again.
            safety = {'filter': 'data'} if hasattr(tarfile, 'data_filter') else {}
            for member in members:
                archive.extract(member, folder, set_attrs=False, **safety)
    except tarfile.TarError as e:
        raise ValueError('%s is not a readable tar archive: %s' % (path, e)) from None


def _extract_zip(path, folder):
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            _check_member(path, info.filename, folder)
            if (info.external_attr >> 16) & 0o170000 == 0o120000:
                raise UnsafeArchiveError(path, info.filename, 'is a symbolic link')
        archive.extractall(folder)
