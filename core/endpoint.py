"""A local credential endpoint speaking the AWS SDKs' container credential protocol.

A terminal sets AWS_CONTAINER_CREDENTIALS_FULL_URI and AWS_CONTAINER_AUTHORIZATION_TOKEN once;
from then on boto3, the AWS CLI and the other SDKs ask Rolecall for credentials, and get
those of the role picked in the window (or with `rolecall use PROFILE`).

How fast processes follow a switch: a new process asks at its first call, so it follows at
once. A running one keeps what it has until the SDK thinks it is about to expire; botocore
refreshes when less than 15 minutes are left, so the Expiration reported here is at most
15 minutes plus `follow_seconds` (60 s) away, never later than the real one: a running
boto3 or AWS CLI process follows a switch within a minute, at the cost of one local request
a minute.
"""

from __future__ import annotations

import hmac
import http.server
import json
import logging
import os
import secrets
import stat
import threading
import urllib.parse
from collections import Counter
from collections.abc import Callable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypedDict, cast

from core.clock import Clock, utc_now
from core.credentials import TemporaryCredentials, sh_quote
from core.errors import AwsError, ConfigError, MfaRequired, RolecallError

if TYPE_CHECKING:
    from core.engine import Engine

log = logging.getLogger(__name__)
SDK_REFRESH_WINDOW = timedelta(minutes=15)
ENV_URI = "AWS_CONTAINER_CREDENTIALS_FULL_URI"
ENV_TOKEN = "AWS_CONTAINER_AUTHORIZATION_TOKEN"  # noqa: S105 - a variable name
# Variables that would win over the container provider in the SDKs' credential chain.
SHADOWING = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
)
Source = Callable[[str], TemporaryCredentials]


class Headers(Protocol):
    """A request's headers, as http.server gives them (or a dict)."""

    def get(self, name: str) -> str | None: ...


class RunningEndpoint(TypedDict):
    """What the runtime file (or the keyring) says about the running endpoint."""

    url: str
    token: str
    control_token: str
    pid: int


class Refusal(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class CredentialEndpoint:
    """Serves `/role` (the current role) and `/role/PROFILE` on 127.0.0.1, GET only."""

    def __init__(
        self,
        source: Source,
        port: int = 0,
        clock: Clock = utc_now,
        follow_seconds: int = 60,
        current: str | None = None,
    ) -> None:
        self.source = source
        self.clock = clock
        self.follow = timedelta(seconds=follow_seconds)
        self.current = current
        self.token = secrets.token_urlsafe(32)  # 32 random bytes, new for every run
        self.control_token = secrets.token_urlsafe(32)
        self.served: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", port), _Handler)
        self._server.endpoint = self
        self.port: int = self._server.server_address[1]
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, profile: str | None = None) -> str:
        if profile is None:
            return f"{self.base_url}/role"
        return f"{self.base_url}/role/{urllib.parse.quote(profile, safe='')}"

    def start(self) -> CredentialEndpoint:
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.1,), name="rolecall-endpoint", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def use(self, profile: str | None) -> None:
        with self._lock:
            self.current = profile

    def answer(self, method: str, path: str, headers: Headers) -> tuple[int, dict[str, Any]]:
        """Status and JSON body for a request; every refusal carries no credentials."""
        try:
            self._check(method, headers)
            route = urllib.parse.urlsplit(path).path
            if route.startswith("/control/"):
                return 200, self._control(route, headers)
            return 200, self._serve(route, headers)
        except Refusal as refusal:
            return refusal.status, {"code": refusal.code, "message": refusal.message}

    def _check(self, method: str, headers: Headers) -> None:
        if method != "GET":
            raise Refusal(405, "MethodNotAllowed", "Rolecall's endpoint answers GET only")
        allowed = {f"127.0.0.1:{self.port}", f"localhost:{self.port}"}
        if headers.get("Host") not in allowed:
            raise Refusal(403, "BadHost", "requests must be made to 127.0.0.1 (DNS rebinding?)")
        if headers.get("Authorization") is None:
            raise Refusal(401, "MissingToken", f"set {ENV_TOKEN} (see `rolecall shell-env`)")

    def _authorized(self, headers: Headers, expected: str) -> bool:
        given = headers.get("Authorization") or ""
        return hmac.compare_digest(given.encode(), expected.encode())

    def _control(self, route: str, headers: Headers) -> dict[str, Any]:
        if not self._authorized(headers, self.control_token):
            raise Refusal(403, "BadToken", "the control token is not valid")
        parts = route.split("/")
        if len(parts) == 4 and parts[2] == "use":
            profile = urllib.parse.unquote(parts[3]) or None
            self.use(profile)
            return {"current": profile}
        if route == "/control/status":
            return {"current": self.current, "served": dict(self.served)}
        raise Refusal(404, "NotFound", "no such control path")

    def _serve(self, route: str, headers: Headers) -> dict[str, Any]:
        if not self._authorized(headers, self.token):
            raise Refusal(403, "BadToken", f"{ENV_TOKEN} is not this endpoint's token")
        if route in ("/role", "/role/"):
            profile = self.current
            if profile is None:
                raise Refusal(
                    503,
                    "NoCurrentRole",
                    "Rolecall: no role is picked: choose one in "
                    "the window or run `rolecall use PROFILE`",
                )
        elif route.startswith("/role/"):
            profile = urllib.parse.unquote(route[len("/role/") :])
        else:
            raise Refusal(404, "NotFound", "use /role or /role/PROFILE")
        try:
            creds = self.source(profile)
        except MfaRequired:
            raise Refusal(
                503,
                "MfaRequired",
                f"Rolecall: the role '{profile}' needs an MFA code: "
                "renew its session in the Rolecall window",
            ) from None
        except ConfigError as exc:
            raise Refusal(404, "UnknownProfile", f"Rolecall: {exc}") from None
        except (AwsError, RolecallError) as exc:
            raise Refusal(502, "AssumeFailed", f"Rolecall: {exc}") from None
        now = self.clock()
        if creds.expired(now):
            raise Refusal(503, "Expired", f"Rolecall: the session of '{profile}' has expired")
        expiration = min(creds.expiration, now + SDK_REFRESH_WINDOW + self.follow)
        with self._lock:
            self.served[profile] += 1
        return {
            "AccessKeyId": creds.access_key_id,
            "SecretAccessKey": creds.secret_access_key,
            "Token": creds.session_token,
            "Expiration": expiration.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "RoleArn": creds.assumed_role_arn,
        }


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 512  # the default 5 drops bursts of new connections for a second
    endpoint: CredentialEndpoint


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def _reply(self, method: str) -> None:
        endpoint = self.server.endpoint
        status, body = endpoint.answer(method, self.path, self.headers)
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if method != "HEAD":
            self.wfile.write(data)

    def do_GET(self) -> None:
        self._reply("GET")

    def do_POST(self) -> None:
        self._reply("POST")

    def do_PUT(self) -> None:
        self._reply("PUT")

    def do_DELETE(self) -> None:
        self._reply("DELETE")

    def do_PATCH(self) -> None:
        self._reply("PATCH")

    def do_HEAD(self) -> None:
        self._reply("HEAD")

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("endpoint: %s %s", self.command, self.path.split("?")[0])


def runtime_file() -> Path | None:
    """`$XDG_RUNTIME_DIR/rolecall/endpoint.json`: memory-backed and private to the user.
    None (the keyring holds it then) without such a folder of the user's own: unset, set to
    one that does not exist (in a container), or to another user's (after `su`), where the
    XDG spec says to fall back."""
    base = os.environ.get("XDG_RUNTIME_DIR")
    return Path(base) / "rolecall" / "endpoint.json" if base and _own_folder(base) else None


def _own_folder(path: str) -> bool:
    try:
        info = os.stat(path)
    except OSError:
        return False
    mine = not hasattr(os, "getuid") or info.st_uid == os.getuid()
    return stat.S_ISDIR(info.st_mode) and mine and os.access(path, os.W_OK | os.X_OK)


def publish(endpoint: CredentialEndpoint) -> Path | None:
    """Tell `shell-env` and `use` where the endpoint is; never on persistent disk."""
    path = runtime_file()
    data = json.dumps(
        {
            "url": endpoint.base_url,
            "token": endpoint.token,
            "control_token": endpoint.control_token,
            "pid": os.getpid(),
        }
    )
    if path is None:
        from core.vault import open_keyring

        open_keyring().set("endpoint", data)
        return None
    path.parent.mkdir(mode=0o700, exist_ok=True)
    os.chmod(path.parent, 0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(data)
    return path


def unpublish() -> None:
    path = runtime_file()
    try:
        if path is not None and path.exists():
            if json.loads(path.read_text()).get("pid") == os.getpid():
                path.unlink()
        elif path is None:
            from core.vault import open_keyring

            open_keyring().delete("endpoint")
    except (OSError, ValueError, RolecallError):
        pass


def find_running() -> RunningEndpoint:
    path = runtime_file()
    try:
        if path is not None:
            info = json.loads(path.read_text())
        else:
            from core.vault import open_keyring

            raw = open_keyring().get("endpoint")
            if not raw:
                raise FileNotFoundError
            info = json.loads(raw)
    except (OSError, ValueError):
        raise RolecallError(
            "no Rolecall endpoint is running: start the app, or run `rolecall serve`"
        ) from None
    if not isinstance(info, dict) or "url" not in info:
        raise RolecallError("the endpoint's runtime file is not readable; restart it")
    return cast(RunningEndpoint, info)


def _fish_quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def shell_lines(
    url: str,
    token: str,
    fmt: str = "env",
    endpoint_url: str | None = None,
    files: Mapping[str, str] | None = None,
) -> str:
    """The lines that point a shell's AWS tools at the endpoint (and, for the demo or another
    local AWS, at the same service endpoint as the window; `files`: the demo's own config
    and credentials files, so code that names a demo profile runs there too)."""
    values = {ENV_URI: url, ENV_TOKEN: token}
    if endpoint_url:
        values["AWS_ENDPOINT_URL"] = endpoint_url
    values.update(files or {})
    if fmt == "env":
        unset = "unset " + " ".join(SHADOWING) + "\n"
        return unset + "".join(f"export {k}={sh_quote(v)}\n" for k, v in values.items())
    if fmt == "fish":
        unset = "".join(f"set -e {n};\n" for n in SHADOWING)
        return unset + "".join(f"set -gx {k} {_fish_quote(v)};\n" for k, v in values.items())
    if fmt == "powershell":
        unset = "".join(f"Remove-Item Env:{n} -ErrorAction SilentlyContinue\n" for n in SHADOWING)
        return unset + "".join(
            f"$Env:{k} = '{v.replace(chr(39), chr(39) * 2)}'\n" for k, v in values.items()
        )
    raise ConfigError(f"'{fmt}' is not a shell format: use env, fish or powershell")


def control(info: RunningEndpoint, path: str, timeout: float = 5) -> dict[str, Any]:
    """Ask the running endpoint to do something (`use`, `status`) with its control token."""
    import urllib.error
    import urllib.request

    if not str(info["url"]).startswith("http://127.0.0.1:"):
        raise RolecallError("the endpoint's runtime file does not point at 127.0.0.1; restart it")
    url = info["url"] + path  # checked just above: http on loopback only
    request = urllib.request.Request(url, headers={"Authorization": info["control_token"]})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310
            result: dict[str, Any] = json.loads(answer.read())
            return result
    except urllib.error.HTTPError as exc:
        body = json.loads(exc.read() or b"{}")
        raise RolecallError(body.get("message") or f"the endpoint answered {exc.code}") from None
    except (urllib.error.URLError, OSError):
        raise RolecallError(
            "the Rolecall endpoint does not answer: start the app, or run `rolecall serve`"
        ) from None


def keep_fresh(
    engine: Engine, server: CredentialEndpoint, stop: threading.Event, every: float = 30
) -> None:
    """Until `stop` is set: every `every` seconds, refresh the served role's session."""
    while not stop.wait(every):
        refresh_served(engine, server)


def refresh_served(engine: Engine, server: CredentialEndpoint) -> None:
    """Keep the served role's session fresh: re-assume when 10 minutes or less remain. The
    cached session is replaced only by a new one, so a failed refresh leaves it served."""
    profile = server.current
    if not profile:
        return
    try:
        cached = engine.cached(profile)
        if cached is None or cached.remaining(engine.clock()) <= timedelta(minutes=10):
            engine.credentials(profile, fresh=True)
    except RolecallError as exc:
        log.warning("could not refresh %s: %s", profile, exc)
    except Exception as exc:
        log.debug("unexpected failure", exc_info=True)
        log.warning("could not refresh %s: unexpected %s", profile, type(exc).__name__)
