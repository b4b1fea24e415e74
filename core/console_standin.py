"""A stand-in for the AWS sign-in endpoint and the console, on one 127.0.0.1 port: the demo has
no real console, and the tests sign a real browser in against it. getSigninToken gives each
session a token of its own, login sets it as a cookie and sends the browser on to its
Destination, every console page says which session's cookie it got, and logout clears it.
Every request is kept, cookies included. A stand-in: it checks nothing AWS would."""

from __future__ import annotations

import hashlib
import html
import http.server
import json
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie


@dataclass
class Seen:
    path: str
    query: dict[str, list[str]]
    cookie: str | None


@dataclass
class ConsoleStandIn:
    base: str = ""
    requests: list[Seen] = field(default_factory=list)
    sessions: dict[str, str] = field(default_factory=dict)  # token -> the session's key id
    server: http.server.ThreadingHTTPServer | None = None

    @property
    def federation(self) -> str:
        return self.base + "/federation"

    @property
    def console(self) -> str:
        return self.base + "/console/home"

    @staticmethod
    def token_for(session_id: str) -> str:
        return "signin-" + hashlib.sha256(session_id.encode()).hexdigest()[:24]

    def visits(self) -> list[Seen]:
        """The console pages the browsers asked for."""
        return [r for r in self.requests if r.path.endswith("/home")]

    def start(self) -> ConsoleStandIn:
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.base = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


@contextmanager
def console_standin() -> Iterator[ConsoleStandIn]:
    standin = ConsoleStandIn().start()
    try:
        yield standin
    finally:
        standin.stop()


PAGE = """<!doctype html><html><head><meta charset="utf-8">
<title>AWS console (Rolecall demo stand-in)</title>
<style>body{{font:15px system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1d2026}}
header{{background:#232f3e;color:#fff;padding:12px 20px;font-weight:600}}
main{{margin:28px auto;max-width:540px;background:#fff;border:1px solid #d9dde3;
border-radius:12px;padding:20px 24px}}code{{background:#eef0f3;padding:2px 6px;border-radius:4px}}
</style></head><body><header>AWS Management Console · stand-in</header><main>
<h1>{title}</h1><p id="who">signed in as {who}</p><p>Session <code>{session}</code> ·
page <code>{path}</code></p><p>This is Rolecall's demo stand-in for the AWS console: each role
opens in a browser profile of its own, and this page says which session's cookie it got.</p>
</main></body></html>"""


def _handler(standin: ConsoleStandIn) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urllib.parse.urlsplit(self.path)
            query = urllib.parse.parse_qs(parts.query)
            jar = SimpleCookie(self.headers.get("Cookie", ""))
            cookie = jar["signin"].value if "signin" in jar else None
            standin.requests.append(Seen(parts.path, query, cookie))
            action = query.get("Action", [""])[0]
            if parts.path == "/federation" and action == "getSigninToken":
                session = json.loads(query["Session"][0])["sessionId"]
                token = standin.token_for(session)
                standin.sessions[token] = session
                self._answer(200, json.dumps({"SigninToken": token}))
            elif parts.path == "/federation" and action == "login":
                self._answer(
                    302,
                    "",
                    Location=query["Destination"][0],
                    **{"Set-Cookie": f"signin={query['SigninToken'][0]}; Max-Age=3600; Path=/"},
                )
            elif parts.path == "/oauth" and action == "logout":
                self._answer(
                    302,
                    "",
                    Location=query["redirect_uri"][0],
                    **{"Set-Cookie": "signin=; Max-Age=0; Path=/"},
                )
            elif parts.path.endswith("/home"):
                session = standin.sessions.get(cookie or "", "none")
                page = PAGE.format(
                    title="Signed in" if cookie else "Signed out",
                    who=html.escape(cookie or "nobody"),
                    session=html.escape(session),
                    path=html.escape(parts.path),
                )
                self._answer(200, page, type="text/html")
            else:
                self._answer(404, "")

        def _answer(
            self, code: int, body: str, type: str = "application/json", **headers: str
        ) -> None:
            data = body.encode()
            self.send_response(code)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Type", f"{type}; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    return Handler
