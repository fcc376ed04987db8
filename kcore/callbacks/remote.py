"""RemoteMonitor: posts the epoch logs to an HTTP server."""
import json
import urllib.parse
import urllib.request
import warnings

import numpy as np

from kcore.callbacks.base import Callback


class RemoteMonitor(Callback):
    """After each epoch, POSTs ``{'epoch': epoch, **logs}`` as JSON in the form field
    ``field`` (form-encoded body) to ``root + path``. ``headers`` are added to the request
    (by default ``Accept: application/json``). A server that cannot be reached or answers
    with an error only causes a warning: training goes on.
    """

    #: Seconds to wait for the server before giving up on one epoch's post.
    timeout = 10.0

    def __init__(self, root='http://localhost:9000', path='/publish/epoch/end/', field='data',
                 headers=None):
        self.root = root
        self.path = path
        self.field = field
        self.headers = {'Accept': 'application/json'} if headers is None else dict(headers)

    def on_epoch_end(self, epoch, logs=None):
        event = {'epoch': epoch}
        event.update(logs or {})
        url = self.root + self.path
        try:
            body = urllib.parse.urlencode({self.field: json.dumps(event, default=_plain)})
            request = urllib.request.Request(url, data=body.encode('utf-8'),
                                             headers=self.headers, method='POST')
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                response.read()
        except Exception as e:   # any failure must leave training running
            warnings.warn('RemoteMonitor could not post epoch %d to %s: %s: %s. Training goes '
                          'on.' % (epoch, url, type(e).__name__, e), RuntimeWarning)


def _plain(value):
    """numpy numbers and arrays as JSON-encodable Python values."""
    if isinstance(value, (np.generic, np.ndarray)):
        return value.tolist()
    raise TypeError('%r (%s) cannot be sent as JSON' % (value, type(value).__name__))
