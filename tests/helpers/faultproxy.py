"""A small HTTP proxy in front of moto that injects AWS faults: throttling, 5xx answers, or
no answer at all (it stops listening, and comes back on the same port when told)."""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
import threading
import zlib
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

_STS_XML = (
    '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>'
    "<Code>{code}</Code><Message>{message}</Message></Error><RequestId>fault</RequestId>"
    "</ErrorResponse>"
)


@dataclass(frozen=True)
class Fault:
    """One answer to give instead of moto's."""

    status: int
    code: str
    message: str

    def body(self, service: str) -> tuple[bytes, str]:
        if service == "dynamodb":
            data = {
                "__type": f"com.amazonaws.dynamodb.v20120810#{self.code}",
                "message": self.message,
            }
            return json.dumps(data).encode(), "application/x-amz-json-1.0"
        return _STS_XML.format(code=self.code, message=self.message).encode(), "text/xml"


THROTTLING = Fault(400, "ThrottlingException", "Rate of requests exceeds the allowed throughput.")
STS_THROTTLING = Fault(400, "Throttling", "Rate exceeded")
PROVISIONED = Fault(
    400,
    "ProvisionedThroughputExceededException",
    "The level of configured provisioned throughput for the table was exceeded.",
)
SERVER_ERROR = Fault(500, "InternalServerError", "Internal server error")
UNAVAILABLE = Fault(503, "ServiceUnavailable", "Service is unavailable")


class FaultProxy:
    """Forwards to `target`; `inject(service, action, *faults)` answers the next matching
    requests with those faults, in order; `down()` / `up()` stop and restart listening."""

    def __init__(self, target: str) -> None:
        parts = urlsplit(target)
        self._target = (parts.hostname or "127.0.0.1", parts.port or 80)
        self._faults: dict[tuple[str, str], deque[Fault]] = {}
        self._lock = threading.Lock()
        self.injected = 0
        self.forwarded: list[tuple[str, str]] = []
        # moto answers ExecuteStatement with the whole result and ignores Limit and NextToken;
        # with this set, the proxy hands the answer out this many items at a time with a
        # NextToken (an offset), as DynamoDB pages a result at 1 MB (the request is unchanged).
        self.page_statements: int | None = None
        self.statement_pages: list[int] = []  # the items in each ExecuteStatement page sent
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self._server: ThreadingHTTPServer | None = None
        self._open: set[socket.socket] = set()
        self.up()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def inject(self, service: str, action: str, *faults: Fault) -> None:
        with self._lock:
            self._faults.setdefault((service, action), deque()).extend(faults)

    def clear(self) -> None:
        """Drop the faults not met yet: from now on every request reaches moto."""
        with self._lock:
            self._faults.clear()

    def pending(self) -> int:
        with self._lock:
            return sum(len(q) for q in self._faults.values())

    def up(self) -> None:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def setup(self) -> None:
                super().setup()
                with proxy._lock:
                    proxy._open.add(self.connection)

            def finish(self) -> None:
                with proxy._lock:
                    proxy._open.discard(self.connection)
                super().finish()

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                service, action = _what(self.headers, body)
                fault = proxy._take(service, action)
                if fault is not None:
                    data, kind = fault.body(service)
                    self._answer(fault.status, data, {"Content-Type": kind})
                    return
                proxy.forwarded.append((service, action))
                upstream = http.client.HTTPConnection(*proxy._target, timeout=30)
                try:
                    headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
                    upstream.request("POST", self.path, body, headers)
                    answer = upstream.getresponse()
                    data = answer.read()
                    passed = {
                        k: v
                        for k, v in answer.getheaders()
                        if k.lower() not in ("content-length", "transfer-encoding", "connection")
                    }
                    if action == "ExecuteStatement" and answer.status == 200:
                        data = proxy._statement_page(body, data)
                        passed = {k: v for k, v in passed.items() if k.lower() != "x-amz-crc32"}
                        passed["x-amz-crc32"] = str(zlib.crc32(data))
                    self._answer(answer.status, data, passed)
                finally:
                    upstream.close()

            def _answer(self, status: int, data: bytes, headers: dict[str, str]) -> None:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self._server = server

    def down(self) -> None:
        """Stop listening: new connections are refused, as from a host that went away."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        with self._lock:
            kept_alive = list(self._open)
        for connection in kept_alive:  # clients' kept-alive connections go too
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def _statement_page(self, request: bytes, data: bytes) -> bytes:
        if not self.page_statements:
            return data
        asked = json.loads(request)
        answer = json.loads(data)
        start = int(asked.get("NextToken") or 0)
        size = min(self.page_statements, asked.get("Limit") or self.page_statements)
        items = answer.get("Items", [])
        answer["Items"] = items[start : start + size]
        answer.pop("NextToken", None)
        if start + size < len(items):
            answer["NextToken"] = str(start + size)
        self.statement_pages.append(len(answer["Items"]))
        return json.dumps(answer).encode()

    def _take(self, service: str, action: str) -> Fault | None:
        with self._lock:
            queue = self._faults.get((service, action))
            if queue:
                self.injected += 1
                return queue.popleft()
        return None


def _what(headers, body: bytes) -> tuple[str, str]:
    target = headers.get("X-Amz-Target") or ""
    if target.startswith("DynamoDB_"):
        return "dynamodb", target.split(".", 1)[1]
    from urllib.parse import parse_qs

    action = parse_qs(body.decode("utf-8", "replace")).get("Action", [""])[0]
    return "sts", action
