"""AWS console sign-in through the federation endpoint (getSigninToken, then login), where
to land, sign-out, and handing the sign-in URL to a browser without putting it on a command
line (a one-time redirect on 127.0.0.1)."""

from __future__ import annotations

import http.client
import http.server
import json
import os
import secrets
import subprocess
import threading
import urllib.error
import urllib.parse
import urllib.request
import webbrowser
from collections.abc import Callable
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from core import browsers, redact
from core.browsers import Browser, Target
from core.credentials import TemporaryCredentials
from core.errors import AwsError, ConfigError

if TYPE_CHECKING:
    from core.profiles import RoleProfile

FEDERATION_URLS = {
    "aws": "https://signin.aws.amazon.com/federation",
    "aws-cn": "https://signin.amazonaws.cn/federation",
    "aws-us-gov": "https://signin.amazonaws-us-gov.com/federation",
}
CONSOLE_URLS = {
    "aws": "https://console.aws.amazon.com/",
    "aws-cn": "https://console.amazonaws.cn/",
    "aws-us-gov": "https://console.amazonaws-us-gov.com/",
}
FEDERATION_URL_ENV = "ROLECALL_FEDERATION_URL"
CONSOLE_URL_ENV = "ROLECALL_CONSOLE_URL"  # the demo's and the tests' stand-in console
CONTAINERS_ENV = "ROLECALL_FIREFOX_CONTAINERS"  # which container add-on's links: container|granted
CHAINED_CONSOLE_LIMIT = 3600  # AWS ends a chained role's console session within the hour
# `--service` names and where each lands in the console (the console's own paths).
SERVICES = {
    "home": "console/home",
    "dynamodb": "dynamodbv2/home",
    "s3": "s3/home",
    "ec2": "ec2/home",
    "iam": "iam/home",
    "lambda": "lambda/home",
    "cloudwatch": "cloudwatch/home",
    "logs": "cloudwatch/home#logsV2:",
    "cloudformation": "cloudformation/home",
    "rds": "rds/home",
    "sqs": "sqs/v3/home",
    "sns": "sns/v3/home",
    "ecs": "ecs/v2/home",
    "eks": "eks/home",
    "ecr": "ecr/home",
    "route53": "route53/v2/home",
    "secretsmanager": "secretsmanager/home",
    "kms": "kms/home",
    "billing": "billing/home",
    "cloudtrail": "cloudtrail/home",
}

SERVICE_NAMES = {
    "home": "Console home",
    "dynamodb": "DynamoDB",
    "s3": "S3",
    "ec2": "EC2",
    "iam": "IAM",
    "lambda": "Lambda",
    "cloudwatch": "CloudWatch",
    "logs": "CloudWatch Logs",
    "cloudformation": "CloudFormation",
    "rds": "RDS",
    "sqs": "SQS",
    "sns": "SNS",
    "ecs": "ECS",
    "eks": "EKS",
    "ecr": "ECR",
    "route53": "Route 53",
    "secretsmanager": "Secrets Manager",
    "kms": "KMS",
    "billing": "Billing",
    "cloudtrail": "CloudTrail",
}


def console_destination(partition: str, region: str | None, service: str = "home") -> str:
    """Where the console opens: a service's page (`SERVICES`) in `region`."""
    if service not in SERVICES:
        known = ", ".join(sorted(SERVICES))
        raise ConfigError(f"'{service}' is not a console service Rolecall knows: use {known}")
    base = os.environ.get(CONSOLE_URL_ENV) or CONSOLE_URLS[partition]
    path, _, fragment = SERVICES[service].partition("#")
    url = base.rstrip("/") + "/" + path
    if region:
        url += f"?region={urllib.parse.quote(region)}"
    return url + (f"#{fragment}" if fragment else "")


def check_duration(*, chained: bool, asked: int | None) -> None:
    """A sentence for a console session longer than AWS allows for this role."""
    if chained and asked is not None and asked > CHAINED_CONSOLE_LIMIT:
        raise ConfigError(
            "a chained role's console session lasts at most one hour (AWS limits role "
            f"chaining to an hour): ask for {CHAINED_CONSOLE_LIMIT} seconds or less"
        )
    if asked is not None and not 900 <= asked <= 43200:
        raise ConfigError("the console session duration must be from 900 to 43200 seconds")


def session_duration(
    creds: TemporaryCredentials,
    *,
    chained: bool,
    asked: int | None = None,
    now: datetime | None = None,
) -> int | None:
    """The console session's length (SessionDuration): what was asked for, or else as long
    as the credentials are valid (15 minutes to 12 hours). None for a chained role: AWS
    refuses SessionDuration for a session that came from another role session and ends its
    console within the hour; asking for more is a sentence."""
    check_duration(chained=chained, asked=asked)
    if chained:
        return None
    if asked is not None:
        return asked
    left = (creds.expiration - (now or datetime.now(timezone.utc))).total_seconds()
    return int(min(43200, max(900, left)))


def signin_url(
    creds: TemporaryCredentials,
    partition: str = "aws",
    *,
    session_duration: int | None = None,
    chained: bool = False,
    destination: str | None = None,
    federation_url: str | None = None,
    timeout: float = 10,
) -> str:
    """A console URL that signs the browser in with these credentials (valid for 15 minutes)."""
    federation = federation_url or os.environ.get(FEDERATION_URL_ENV) or FEDERATION_URLS[partition]
    params = {
        "Action": "getSigninToken",
        "Session": json.dumps(
            {
                "sessionId": creds.access_key_id,
                "sessionKey": creds.secret_access_key,
                "sessionToken": creds.session_token,
            }
        ),
    }
    if session_duration is not None and not chained:
        if not 900 <= session_duration <= 43200:
            raise ConfigError("the console session duration must be from 900 to 43200 seconds")
        params["SessionDuration"] = str(session_duration)
    token = _signin_token(federation, params, timeout)
    login = {
        "Action": "login",
        "Issuer": "rolecall",
        "Destination": destination or console_destination(partition, creds.region),
        "SigninToken": token,
    }
    return federation + "?" + urllib.parse.urlencode(login)


def role_signin_url(
    creds: TemporaryCredentials,
    role: RoleProfile,
    destination: str,
    *,
    asked: int | None = None,
    now: datetime | None = None,
) -> str:
    """`role`'s console sign-in URL for `creds`, landing on `destination`, the session as
    long as AWS allows it for this role (see `session_duration`)."""
    length = session_duration(creds, chained=role.chained, asked=asked, now=now)
    return signin_url(
        creds,
        role.partition,
        session_duration=length,
        chained=role.chained,
        destination=destination,
    )


def _signin_token(federation: str, params: dict[str, str], timeout: float) -> str:
    """The federation endpoint's getSigninToken answer: a token for one console sign-in.

    The request's query holds the session's secret key and token: no error said here ever
    includes an exception's own text, which may quote the request."""
    if urllib.parse.urlsplit(federation).scheme not in ("https", "http"):
        raise ConfigError(f"the federation URL must be http(s): {federation}")
    if any(c.isspace() or not c.isprintable() for c in federation):
        raise ConfigError("the federation URL must not contain spaces or control characters")
    request = urllib.request.Request(federation + "?" + urllib.parse.urlencode(params))  # noqa: S310
    try:
        # The scheme was checked above, so S310's file:// concern does not apply.
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310
            body = answer.read()
    except urllib.error.HTTPError as exc:
        raise AwsError(
            f"the AWS sign-in endpoint refused the session (HTTP {exc.code}): the role's "
            "credentials may have expired, or the duration is not allowed"
        ) from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        why = reason if isinstance(reason, str) else getattr(reason, "strerror", None)
        raise AwsError(
            f"cannot reach the AWS sign-in endpoint {federation}: {why or type(reason).__name__}"
        ) from None
    except (http.client.HTTPException, ValueError) as exc:  # a broken answer; may quote the query
        raise AwsError(
            f"the AWS sign-in endpoint {federation} broke off its answer ({type(exc).__name__})"
        ) from None
    try:
        token = json.loads(body)["SigninToken"]
    except (ValueError, KeyError, TypeError):
        raise AwsError("the AWS sign-in endpoint gave an answer Rolecall cannot read") from None
    redact.register(token)
    return token


def logout_url(partition: str = "aws", federation_url: str | None = None) -> str:
    """The URL that signs a browser's console session out (in the container it opens in)."""
    federation = federation_url or os.environ.get(FEDERATION_URL_ENV) or FEDERATION_URLS[partition]
    parts = urllib.parse.urlsplit(federation)
    home = os.environ.get(CONSOLE_URL_ENV) or CONSOLE_URLS[partition]
    query = urllib.parse.urlencode({"Action": "logout", "redirect_uri": home})
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, "/oauth", query, ""))


def masked(url: str) -> str:
    """The sign-in URL with its token hidden, for `--print` without `--show`."""
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.parse_qsl(parts.query)
    shown = [(k, "****" if k == "SigninToken" else v) for k, v in query]
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(shown)))


AFTER_USE = 5.0  # seconds a used redirect still answers (404) before it stops


class OneTimeRedirect:
    """A page on 127.0.0.1, at a random path, that sends one browser on to `url` and then
    answers 404; it stops `AFTER_USE` seconds after its use, or after `lifetime` unused. A
    browser is given this address instead of the sign-in URL, so the URL is never on a
    command line (on Linux any user can read every process's, in /proc/PID/cmdline). The
    address is on one, so on Linux
    the page answers only a connection of this user's own (the owner of the other end, as
    /proc/net/tcp says): another user who reads the address cannot take the sign-in."""

    def __init__(self, url: str, lifetime: float = 120) -> None:
        self.path = "/" + secrets.token_urlsafe(24)
        self.used = threading.Event()
        self._lock = threading.Lock()
        self._closed = False
        redirect = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if not redirect._take(self.path, self.client_address[1]):
                    self.send_error(404)
                    return
                self.send_response(302)
                self.send_header("Location", url)
                self.send_header("Cache-Control", "no-store")
                self.send_header("Referrer-Policy", "no-referrer")
                self.send_header("Content-Length", "0")
                self.end_headers()
                redirect.stop_in(AFTER_USE)  # used: only 404s are left to answer

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.address = f"http://127.0.0.1:{self.server.server_port}{self.path}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self._timer = threading.Timer(0, lambda: None)
        self.stop_in(lifetime)

    def stop_in(self, seconds: float) -> None:
        self._timer.cancel()
        self._timer = threading.Timer(seconds, self.close)
        self._timer.daemon = True
        self._timer.start()

    def _take(self, path: str, client_port: int) -> bool:
        """Whether this request gets the sign-in: the right path, the first to ask, and (on
        Linux) from a connection of this user's."""
        if path != self.path:
            return False
        with self._lock:
            if self.used.is_set():
                return False
            if _connection_owner(client_port, self.server.server_port) is False:
                return False
            self.used.set()
            return True

    def wait(self, seconds: float) -> bool:
        """Whether a browser followed it within `seconds`; it stops either way."""
        used = self.used.wait(seconds)
        self.close()
        return used

    def close(self) -> None:
        self._timer.cancel()
        with self._lock:
            if self._closed:
                return
            self._closed = True
        threading.Thread(target=self._stop, daemon=True).start()

    def _stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _connection_owner(client_port: int, server_port: int) -> bool | None:
    """Whether the loopback connection from `client_port` is this user's (None: cannot tell
    here, as on macOS and Windows)."""
    try:
        with open("/proc/net/tcp") as table:
            lines = table.read().splitlines()[1:]
    except OSError:
        return None
    for line in lines:
        fields = line.split()
        local, remote, uid = fields[1], fields[2], fields[7]
        if (
            int(local.split(":")[1], 16) == client_port
            and int(remote.split(":")[1], 16) == server_port
        ):
            return int(uid) == os.getuid()
    return False


def open_in(
    browser: Browser,
    url: str,
    target: Target,
    *,
    protocol: str | None = None,
    secret: bool = True,
    launch: Callable[[list[str]], object] | None = None,
) -> OneTimeRedirect | None:
    """Open `url` as `target` in `browser` (a Firefox container through the links of the
    add-on `protocol` names, else $ROLECALL_FIREFOX_CONTAINERS'). A `secret` URL goes
    through a one-time redirect, which is returned (wait on it to know the browser came);
    a sentence if nothing opens."""
    protocol = protocol or os.environ.get(CONTAINERS_ENV) or "container"
    if protocol not in browsers.CONTAINER_PROTOCOLS:
        raise ConfigError(f"{CONTAINERS_ENV} must be container or granted, not '{protocol}'")
    redirect = OneTimeRedirect(url) if secret else None
    address = redirect.address if redirect else url
    try:
        if browser.kind == "default":
            if not webbrowser.open(address):
                raise ConfigError("no web browser could be opened: use `rolecall console --print`")
        else:
            argv = browsers.command(browser, address, target, protocol)
            (launch or _start)(argv)
    except BaseException:
        if redirect:
            redirect.close()
        raise
    return redirect


def _start(argv: list[str]) -> None:
    try:
        browser = subprocess.Popen(  # the person's own browser, or their template
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except FileNotFoundError:
        raise ConfigError(f"the browser command was not found: {argv[0]}") from None
    except PermissionError:
        raise ConfigError(f"the browser command cannot be run: {argv[0]}") from None
    # It goes on by itself; a thread waits for its end, so it is never left a zombie.
    threading.Thread(target=browser.wait, daemon=True).start()
