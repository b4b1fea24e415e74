"""A stand-in for the AWS federation endpoint (`getSigninToken`) on loopback."""

from __future__ import annotations

import http.server
import json
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def federation(token: str) -> Iterator[tuple[str, list[dict[str, list[str]]]]]:
    """Yields its URL and the query of every request it answered with `token`."""
    seen: list[dict[str, list[str]]] = []

    class Federation(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query))
            body = json.dumps({"SigninToken": token}).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Federation)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/federation", seen
    finally:
        server.shutdown()
        server.server_close()
