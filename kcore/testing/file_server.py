"""An HTTP server on 127.0.0.1 for tests of downloads: serves bytes from memory, can
answer with an error status or close a connection half-way, and records requests."""
import http.server
import threading


class FileServer:
    """``with FileServer() as server: server.add('/a.bin', b'...'); get(server.url('/a.bin'))``.

    ``add(path, body, status=200, cut_after=None)``: ``status`` other than 200 answers
    with that error; ``cut_after=n`` announces the whole body but sends only its first
    ``n`` bytes, then closes the connection. ``requests`` lists the paths asked for.
    """

    def __init__(self):
        self.files = {}
        self.requests = []
        self._httpd = None
        self._thread = None

    def add(self, path, body, status=200, cut_after=None):
        self.files[path] = (bytes(body), status, cut_after)
        return self.url(path)

    def url(self, path):
        host, port = self._httpd.server_address[:2]
        return 'http://%s:%d%s' % (host, port, path)

    def __enter__(self):
        self._httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0), self._handler())
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,),
                                        daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=10)

    def _handler(self):
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                server.requests.append(self.path)
                body, status, cut_after = server.files.get(self.path, (b'', 404, None))
                if status != 200:
                    self.send_error(status)
                    return
                self.send_response(200)
                self.send_header('Content-Type', 'application/octet-stream')
                self.send_header('Content-Length', str(len(body)))
                self.end_headers()
                self.wfile.write(body if cut_after is None else body[:cut_after])
                self.wfile.flush()
                self.close_connection = True

            def log_message(self, *args):
                """Quiet: tests read ``requests`` instead of a log."""

        return Handler
