"""A STAND-IN for IAM Identity Center, for the demo and the tests: moto has no `sso` and no
`sso-oidc`, so this small loopback server speaks their real wire protocol instead.

It answers what botocore's models define (restJson1): for `sso-oidc` RegisterClient
(POST /client/register), StartDeviceAuthorization (POST /device_authorization) and CreateToken
(POST /token: authorization code with PKCE, device code, refresh token); for `sso` ListAccounts
(GET /assignment/accounts), ListAccountRoles (GET /assignment/roles), GetRoleCredentials
(GET /federation/credentials) and Logout (POST /logout), with the bearer token in the
`x-amz-sso_bearer_token` header. Errors carry the model's shape name in `x-amzn-ErrorType`,
so botocore raises `client.exceptions.<Shape>`. A person's side of a sign-in is two small
pages: /authorize (Allow or Deny a client) and /device (type the code, Allow).

stdlib only, one `ThreadingHTTPServer` on 127.0.0.1. It logs nothing: tokens, client secrets
and codes never reach a log line, and `requests` records only the method and path.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import math
import secrets
import threading
import time
import urllib.parse
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
CODE_GRANT = "authorization_code"
REFRESH_GRANT = "refresh_token"
GRANT_TYPES = frozenset({DEVICE_GRANT, CODE_GRANT, REFRESH_GRANT})
# What a registration without grantTypes may use (the AWS CLI's device-flow registration).
DEFAULT_GRANTS = frozenset({DEVICE_GRANT, REFRESH_GRANT})

TOKEN_SECONDS = 8 * 3600
CLIENT_SECRET_SECONDS = 90 * 24 * 3600
CODE_SECONDS = 300
DEVICE_SECONDS = 600
INTERVAL = 1.0
DEFAULT_PAGE = 20
MAX_PAGE = 100
BEARER_HEADER = "x-amz-sso_bearer_token"
USER_CODE_LETTERS = "BCDFGHJKLMNPQRSTVWXZ"  # no vowels, so no words (RFC 8628, 6.1)

# The HTTP status botocore's models give each error shape, and the OAuth code it stands for.
# ForbiddenException is not in the sso model: the real portal answers it (403, "No access")
# for a role that is not granted, and botocore raises a plain ClientError for it.
ERRORS: dict[str, tuple[int, str]] = {
    "AccessDeniedException": (400, "access_denied"),
    "AuthorizationPendingException": (400, "authorization_pending"),
    "ExpiredTokenException": (400, "expired_token"),
    "InternalServerException": (500, "server_error"),
    "InvalidClientException": (401, "invalid_client"),
    "InvalidClientMetadataException": (400, "invalid_client_metadata"),
    "InvalidGrantException": (400, "invalid_grant"),
    "InvalidRedirectUriException": (400, "invalid_redirect_uri"),
    "InvalidRequestException": (400, "invalid_request"),
    "InvalidScopeException": (400, "invalid_scope"),
    "SlowDownException": (400, "slow_down"),
    "UnauthorizedClientException": (400, "unauthorized_client"),
    "UnsupportedGrantTypeException": (400, "unsupported_grant_type"),
    "UnauthorizedException": (401, "unauthorized"),
    "ForbiddenException": (403, "forbidden"),
    "ResourceNotFoundException": (404, "not_found"),
    "TooManyRequestsException": (429, "too_many_requests"),
}

IssueCredentials = Callable[[str, str], dict[str, Any]]
Clock = Callable[[], float]


@dataclass(frozen=True)
class Account:
    """One AWS account the portal grants, with the roles (permission sets) it offers."""

    account_id: str
    name: str
    email: str
    roles: tuple[str, ...]


ROLE_NAMES = ("ReadOnly", "Developer", "Admin", "Billing", "Auditor", "Operator")


def many_accounts(n: int, roles_each: int = 3) -> list[Account]:
    """`n` accounts (ids 100000000000 upwards), each with the same `roles_each` roles."""
    roles = tuple(
        ROLE_NAMES[k] if k < len(ROLE_NAMES) else f"Role{k + 1:02d}" for k in range(roles_each)
    )
    return [
        Account(
            f"{100_000_000_000 + i:012d}", f"account-{i:03d}", f"aws+{i:03d}@example.com", roles
        )
        for i in range(n)
    ]


def fake_credentials(account_id: str, role_name: str) -> dict[str, Any]:
    """Role credentials that look real and open nothing: an hour from now."""
    return {
        "accessKeyId": "ASIA"
        + "".join(secrets.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16)),
        "secretAccessKey": secrets.token_urlsafe(30)[:40],
        "sessionToken": secrets.token_urlsafe(96),
        "expiration": int((time.time() + 3600) * 1000),
    }


class PortalError(Exception):
    """An answer in the model's error shape (the `shape` names it)."""

    def __init__(self, shape: str, description: str, status: int | None = None) -> None:
        super().__init__(description)
        self.shape = shape
        self.description = description
        self.status = status or ERRORS.get(shape, (400, ""))[0]

    @property
    def oauth_code(self) -> str:
        return ERRORS.get(self.shape, (0, "error"))[1] or "error"


class PageRefused(ValueError):
    """A sign-in page that refuses the request (shown as a 400 page, never redirected)."""


@dataclass
class _Client:
    client_id: str
    secret: str
    name: str
    grants: frozenset[str]
    redirect_uris: tuple[str, ...]
    scopes: tuple[str, ...]
    issued_at: float
    secret_expires_at: float


@dataclass
class _Code:
    client_id: str
    redirect_uri: str
    challenge: str
    scopes: tuple[str, ...]
    expires_at: float


@dataclass
class _Device:
    client_id: str
    user_code: str
    expires_at: float
    state: str = "pending"  # approved, denied, used
    last_poll: float | None = None


@dataclass
class _Access:
    client_id: str
    session: str
    expires_at: float


@dataclass
class _Refresh:
    client_id: str
    session: str
    scopes: tuple[str, ...] = ()


class StandIn:
    """The stand-in portal: `start()` it (or use it as a context manager), point botocore's
    `sso` and `sso-oidc` clients at `url`, and steer it from a test with `approve_device`,
    `expire_tokens`, `revoke_refresh` and `fail_next`."""

    def __init__(
        self,
        accounts: Sequence[Account] = (),
        issue_credentials: IssueCredentials = fake_credentials,
        *,
        token_seconds: float = TOKEN_SECONDS,
        interval: float = INTERVAL,
        device_expires: float = DEVICE_SECONDS,
        clock: Clock = time.time,
        latency: float = 0.0,
    ) -> None:
        self.accounts = list(accounts)
        self.issue_credentials = issue_credentials
        self.token_seconds = token_seconds
        self.interval = interval
        self.device_expires = device_expires
        self.clock = clock
        self.latency = latency
        """Seconds each answer waits, as a real portal's round trip does (benchmarks)."""
        self.requests: list[tuple[str, str]] = []
        """(method, path) of every request, in order: no query, no token."""
        self._by_id = {a.account_id: a for a in self.accounts}
        self._lock = threading.Lock()
        self._clients: dict[str, _Client] = {}
        self._codes: dict[str, _Code] = {}
        self._devices: dict[str, _Device] = {}
        self._user_codes: dict[str, str] = {}
        self._access: dict[str, _Access] = {}
        self._refresh: dict[str, _Refresh] = {}
        self._faults: list[tuple[int, str]] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> str:
        """Listen on 127.0.0.1 (a free port) in a thread of its own; returns `url`."""
        if self._server is None:
            self._server = _Server(("127.0.0.1", 0), _Handler)
            self._server.portal = self
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name="portal-standin",
                daemon=True,
            )
            self._thread.start()
        return self.url

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    @property
    def url(self) -> str:
        assert self._server is not None, "start() first"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> StandIn:
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # Test controls: called directly, never over HTTP.

    def approve_device(self, user_code: str) -> None:
        """What a person does on the /device page: allow the sign-in with this code."""
        self._decide_device(user_code, "approved")

    def deny_device(self, user_code: str) -> None:
        self._decide_device(user_code, "denied")

    def expire_tokens(self) -> None:
        """Every access token stops working now; refresh tokens still do."""
        with self._lock:
            self._access.clear()

    def revoke_refresh(self) -> None:
        """Every refresh token stops working now."""
        with self._lock:
            self._refresh.clear()

    def fail_next(self, status: int, shape: str, count: int = 1) -> None:
        """The next `count` requests (whatever they ask) answer this error."""
        with self._lock:
            self._faults += [(status, shape)] * count

    # What the handler calls.

    def _record(self, method: str, path: str) -> tuple[int, str] | None:
        with self._lock:
            self.requests.append((method, path))
            return self._faults.pop(0) if self._faults else None

    def _decide_device(self, user_code: str, state: str) -> str:
        """The client's name, once the code's sign-in is decided; PageRefused if it cannot be."""
        code = _normal_user_code(user_code)
        with self._lock:
            device = self._devices.get(self._user_codes.get(code, ""))
            if device is None or device.state != "pending" or self.clock() >= device.expires_at:
                raise PageRefused("That code is not known, was used already, or has expired.")
            device.state = state
            return self._clients[device.client_id].name

    def _client(self, body: dict[str, Any]) -> _Client:
        client = self._clients.get(str(body.get("clientId", "")))
        secret = str(body.get("clientSecret", ""))
        if client is None or not secrets.compare_digest(client.secret.encode(), secret.encode()):
            raise PortalError("InvalidClientException", "Invalid client credentials")
        if self.clock() >= client.secret_expires_at:
            raise PortalError("InvalidClientException", "The client registration has expired")
        return client

    def register_client(self, body: dict[str, Any], base: str) -> dict[str, Any]:
        if body.get("clientType") != "public":
            raise PortalError("InvalidClientMetadataException", "clientType must be public")
        if not body.get("clientName"):
            raise PortalError("InvalidRequestException", "clientName is required")
        asked = body.get("grantTypes")
        grants = frozenset(asked) if asked else DEFAULT_GRANTS
        if grants - GRANT_TYPES:
            raise PortalError(
                "UnsupportedGrantTypeException",
                f"Unsupported grant types: {sorted(grants - GRANT_TYPES)}",
            )
        redirects = tuple(body.get("redirectUris") or ())
        if CODE_GRANT in grants and not redirects:
            raise PortalError(
                "InvalidRedirectUriException", "authorization_code needs redirectUris"
            )
        for uri in redirects:
            if not _loopback(uri):
                raise PortalError("InvalidRedirectUriException", "redirect URIs must be loopback")
        now = self.clock()
        client = _Client(
            client_id=secrets.token_urlsafe(24),
            secret=secrets.token_urlsafe(96),
            name=str(body["clientName"]),
            grants=grants,
            redirect_uris=redirects,
            scopes=tuple(body.get("scopes") or ()),
            issued_at=now,
            secret_expires_at=now + CLIENT_SECRET_SECONDS,
        )
        with self._lock:
            self._clients[client.client_id] = client
        return {
            "clientId": client.client_id,
            "clientSecret": client.secret,
            "clientIdIssuedAt": int(now),
            "clientSecretExpiresAt": int(client.secret_expires_at),
            "authorizationEndpoint": f"{base}/authorize",
            "tokenEndpoint": f"{base}/token",
        }

    def start_device_authorization(self, body: dict[str, Any], base: str) -> dict[str, Any]:
        client = self._client(body)
        if DEVICE_GRANT not in client.grants:
            raise PortalError(
                "UnauthorizedClientException", "This client is not registered for the device grant"
            )
        if not body.get("startUrl"):
            raise PortalError("InvalidRequestException", "startUrl is required")
        device_code = secrets.token_urlsafe(48)
        with self._lock:
            user_code = _new_user_code()
            while user_code in self._user_codes:
                user_code = _new_user_code()
            self._devices[device_code] = _Device(
                client.client_id, user_code, self.clock() + self.device_expires
            )
            self._user_codes[user_code] = device_code
        query = urllib.parse.urlencode({"user_code": user_code})
        return {
            "deviceCode": device_code,
            "userCode": user_code,
            "verificationUri": f"{base}/device",
            "verificationUriComplete": f"{base}/device?{query}",
            "expiresIn": math.ceil(self.device_expires),
            # An integer in the model; a fractional test interval is rounded up for the client.
            "interval": max(1, math.ceil(self.interval)),
        }

    def create_token(self, body: dict[str, Any]) -> dict[str, Any]:
        client = self._client(body)
        grant = str(body.get("grantType", ""))
        if grant not in GRANT_TYPES:
            raise PortalError("UnsupportedGrantTypeException", f"Unsupported grant type: {grant}")
        if grant not in client.grants:
            raise PortalError(
                "UnauthorizedClientException", f"This client is not registered for {grant}"
            )
        if grant == CODE_GRANT:
            return self._code_token(client, body)
        if grant == DEVICE_GRANT:
            return self._device_token(client, body)
        return self._refreshed_token(client, body)

    def _code_token(self, client: _Client, body: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            code = self._codes.pop(str(body.get("code", "")), None)  # one use, whatever follows
        if code is None or code.client_id != client.client_id or self.clock() >= code.expires_at:
            raise PortalError("InvalidGrantException", "Invalid authorization code")
        if body.get("redirectUri") != code.redirect_uri:
            raise PortalError("InvalidGrantException", "redirectUri does not match the request")
        verifier = str(body.get("codeVerifier", ""))
        challenge = _challenge(verifier).encode()
        if not verifier or not secrets.compare_digest(challenge, code.challenge.encode()):
            raise PortalError("InvalidGrantException", "The code verifier does not match")
        return self._issue(client.client_id, secrets.token_urlsafe(16), code.scopes)

    def _device_token(self, client: _Client, body: dict[str, Any]) -> dict[str, Any]:
        now = self.clock()
        with self._lock:
            device = self._devices.get(str(body.get("deviceCode", "")))
            if device is None or device.client_id != client.client_id or device.state == "used":
                raise PortalError("InvalidGrantException", "Invalid device code")
            if now >= device.expires_at:
                raise PortalError("ExpiredTokenException", "The device code has expired")
            last, device.last_poll = device.last_poll, now
            if last is not None and now - last < self.interval:
                raise PortalError("SlowDownException", "Polling faster than the interval")
            if device.state == "denied":
                raise PortalError("AccessDeniedException", "The sign-in was denied")
            if device.state == "pending":
                raise PortalError("AuthorizationPendingException", "Authorization is pending")
            device.state = "used"
            self._user_codes.pop(device.user_code, None)
        return self._issue(client.client_id, secrets.token_urlsafe(16), client.scopes)

    def _refreshed_token(self, client: _Client, body: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            old = self._refresh.pop(str(body.get("refreshToken", "")), None)  # rotated
        if old is None or old.client_id != client.client_id:
            raise PortalError("InvalidGrantException", "Invalid refresh token")
        return self._issue(client.client_id, old.session, old.scopes)

    def _issue(self, client_id: str, session: str, scopes: tuple[str, ...]) -> dict[str, Any]:
        access = secrets.token_urlsafe(48)
        refresh = secrets.token_urlsafe(48)
        with self._lock:
            self._access[access] = _Access(client_id, session, self.clock() + self.token_seconds)
            self._refresh[refresh] = _Refresh(client_id, session, scopes)
        return {
            "accessToken": access,
            "tokenType": "Bearer",
            "expiresIn": int(self.token_seconds),
            "refreshToken": refresh,
        }

    def _signed_in(self, token: str | None) -> _Access:
        with self._lock:
            access = self._access.get(token or "")
            if access is not None and self.clock() < access.expires_at:
                return access
        raise PortalError("UnauthorizedException", "Session token not found or invalid")

    def list_accounts(self, token: str | None, query: dict[str, str]) -> dict[str, Any]:
        self._signed_in(token)
        rows = [
            {"accountId": a.account_id, "accountName": a.name, "emailAddress": a.email}
            for a in self.accounts
        ]
        page, next_token = _page(rows, query, "accounts")
        return {"accountList": page, **({"nextToken": next_token} if next_token else {})}

    def list_account_roles(self, token: str | None, query: dict[str, str]) -> dict[str, Any]:
        self._signed_in(token)
        account = self._granted(query.get("account_id", ""))
        rows = [{"roleName": r, "accountId": account.account_id} for r in account.roles]
        page, next_token = _page(rows, query, f"roles:{account.account_id}")
        return {"roleList": page, **({"nextToken": next_token} if next_token else {})}

    def get_role_credentials(self, token: str | None, query: dict[str, str]) -> dict[str, Any]:
        self._signed_in(token)
        account = self._granted(query.get("account_id", ""))
        role = query.get("role_name", "")
        if role not in account.roles:
            raise PortalError("ForbiddenException", "No access")
        try:
            issued = self.issue_credentials(account.account_id, role)
        except Exception as exc:  # noqa: BLE001 - named, never echoed (it may hold keys)
            raise PortalError(
                "InternalServerException", f"could not issue credentials ({type(exc).__name__})"
            ) from None
        return {
            "roleCredentials": {
                "accessKeyId": issued["accessKeyId"],
                "secretAccessKey": issued["secretAccessKey"],
                "sessionToken": issued["sessionToken"],
                "expiration": int(issued["expiration"]),
            }
        }

    def logout(self, token: str | None) -> None:
        """Ends the whole sign-in: its access and refresh tokens."""
        session = self._signed_in(token).session
        with self._lock:
            for store in (self._access, self._refresh):
                for key in [k for k, v in store.items() if v.session == session]:
                    del store[key]

    def _granted(self, account_id: str) -> Account:
        """The account, if the portal grants it; an account it does not is "No access"."""
        if not account_id:
            raise PortalError("InvalidRequestException", "account_id is required")
        account = self._by_id.get(account_id)
        if account is None:
            raise PortalError("ForbiddenException", "No access")
        return account

    def authorize_request(self, fields: dict[str, str]) -> _Client:
        """The client of an /authorize request, or PageRefused saying what is wrong with it."""
        if fields.get("response_type") != "code":
            raise PageRefused("Only response_type=code is supported.")
        with self._lock:
            client = self._clients.get(fields.get("client_id", ""))
        if client is None:
            raise PageRefused("This application is not registered with the portal.")
        if CODE_GRANT not in client.grants:
            raise PageRefused(
                "This application is not registered for the authorization code grant."
            )
        if fields.get("redirect_uri", "") not in client.redirect_uris:
            raise PageRefused("The redirect address is not one the application registered.")
        if fields.get("code_challenge_method") != "S256" or not fields.get("code_challenge"):
            raise PageRefused("A PKCE code_challenge with code_challenge_method=S256 is required.")
        return client

    def allow_code(self, fields: dict[str, str]) -> str:
        """The address the browser goes back to, carrying a new one-use code."""
        client = self.authorize_request(fields)
        code = secrets.token_urlsafe(32)
        scopes = tuple(fields.get("scopes", "").split()) or client.scopes
        with self._lock:
            self._codes[code] = _Code(
                client.client_id,
                fields["redirect_uri"],
                fields["code_challenge"],
                scopes,
                self.clock() + CODE_SECONDS,
            )
        return _with_query(fields["redirect_uri"], {"code": code, "state": fields.get("state")})

    def deny_code(self, fields: dict[str, str]) -> str:
        self.authorize_request(fields)
        return _with_query(
            fields["redirect_uri"],
            {
                "error": "access_denied",
                "error_description": "The request was denied",
                "state": fields.get("state"),
            },
        )


class _Server(ThreadingHTTPServer):
    portal: StandIn

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that hung up; nothing to log (and nothing secret may be)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"  # keep-alive: botocore reuses its connections
    timeout = 60  # an idle kept-alive connection goes after this
    server_version = "RolecallPortalStandIn/1"

    def log_message(self, format: str, *args: Any) -> None:
        pass  # request lines hold codes and states: never logged

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def _dispatch(self, method: str) -> None:
        parts = urllib.parse.urlsplit(self.path)
        path = parts.path
        query = dict(urllib.parse.parse_qsl(parts.query))
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        portal = self.server.portal
        fault = portal._record(method, path)
        if portal.latency:
            time.sleep(portal.latency)
        try:
            if fault is not None:
                raise PortalError(fault[1], "Injected failure", fault[0])
            self._route(method, path, query, raw)
        except PortalError as exc:
            self._json(
                exc.status,
                {
                    "error": exc.oauth_code,
                    "error_description": exc.description,
                    "message": exc.description,
                },
                exc.shape,
            )
        except PageRefused as exc:
            self._page(400, "Request refused", f"<p>{html.escape(str(exc))}</p>")
        except Exception as exc:  # noqa: BLE001 - an answer, not a dropped connection
            why = f"The stand-in failed ({type(exc).__name__})"
            self._json(
                500,
                {"error": "server_error", "error_description": why, "message": why},
                "InternalServerException",
            )

    def _route(self, method: str, path: str, query: dict[str, str], raw: bytes) -> None:
        portal = self.server.portal
        token = self.headers.get(BEARER_HEADER)
        route = (method, path)
        if route == ("POST", "/client/register"):
            self._json(200, portal.register_client(_body(raw), self._base))
        elif route == ("POST", "/device_authorization"):
            self._json(200, portal.start_device_authorization(_body(raw), self._base))
        elif route == ("POST", "/token"):
            if "aws_iam" in query:
                raise PortalError("InvalidRequestException", "CreateTokenWithIAM is not offered")
            self._json(200, portal.create_token(_body(raw)))
        elif route == ("GET", "/assignment/accounts"):
            self._json(200, portal.list_accounts(token, query))
        elif route == ("GET", "/assignment/roles"):
            self._json(200, portal.list_account_roles(token, query))
        elif route == ("GET", "/federation/credentials"):
            self._json(200, portal.get_role_credentials(token, query))
        elif route == ("POST", "/logout"):
            portal.logout(token)
            self._json(200, None)
        elif route == ("GET", "/authorize"):
            self._authorize_page(query)
        elif route == ("POST", "/authorize/allow"):
            self._redirect(portal.allow_code(_form(raw)))
        elif route == ("POST", "/authorize/deny"):
            self._redirect(portal.deny_code(_form(raw)))
        elif route == ("GET", "/device"):
            self._device_page(query.get("user_code", ""))
        elif route in (("POST", "/device/allow"), ("POST", "/device/deny")):
            state = "approved" if path.endswith("allow") else "denied"
            name = portal._decide_device(_form(raw).get("user_code", ""), state)
            done = "allowed" if state == "approved" else "denied"
            self._page(
                200, "Done", f"<p>You {done} {html.escape(name)}. You can close this tab.</p>"
            )
        elif route == ("GET", "/start"):
            self._page(
                200,
                "Rolecall demo portal",
                "<p>This is the Rolecall demo's stand-in for an IAM Identity Center portal. "
                "Sign in to it from Rolecall.</p>",
            )
        else:
            self._page(404, "Not found", "<p>Nothing here.</p>")

    @property
    def _base(self) -> str:
        return self.server.portal.url

    def _authorize_page(self, query: dict[str, str]) -> None:
        client = self.server.portal.authorize_request(query)
        carried = (
            "response_type",
            "client_id",
            "redirect_uri",
            "state",
            "code_challenge",
            "code_challenge_method",
            "scopes",
        )
        hidden = "".join(
            f'<input type=hidden name={name} value="{html.escape(query[name])}">'
            for name in carried
            if name in query
        )
        scopes = html.escape(query.get("scopes", "") or " ".join(client.scopes) or "-")
        name = html.escape(client.name)
        self._page(
            200,
            f"Rolecall demo portal - allow {name} to use your sign-in?",
            f"<p>Scopes asked for: {scopes}</p>"
            f"<form method=post action=/authorize/allow>{hidden}"
            "<button type=submit>Allow</button> "
            "<button type=submit formaction=/authorize/deny>Deny</button></form>",
        )

    def _device_page(self, user_code: str) -> None:
        value = html.escape(user_code)
        self._page(
            200,
            "Rolecall demo portal - sign in a device",
            "<form method=post action=/device/allow>"
            f'<label>Code <input name=user_code value="{value}" autocomplete=off></label> '
            "<button type=submit>Allow</button> "
            "<button type=submit formaction=/device/deny>Deny</button></form>",
        )

    def _json(self, status: int, answer: dict[str, Any] | None, shape: str = "") -> None:
        body = json.dumps(answer).encode() if answer is not None else b""
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        if shape:
            self.send_header("x-amzn-ErrorType", shape)
        self.end_headers()
        self.wfile.write(body)

    def _page(self, status: int, title: str, content: str) -> None:
        body = (
            "<!doctype html><html><head><meta charset=utf-8>"
            f"<title>{title}</title></head>"
            f"<body style='font:16px sans-serif;margin:3em'><h1>{title}</h1>{content}</body></html>"
        ).encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()


def _body(raw: bytes) -> dict[str, Any]:
    try:
        body = json.loads(raw or b"{}")
    except ValueError:
        raise PortalError("InvalidRequestException", "The body is not JSON") from None
    if not isinstance(body, dict):
        raise PortalError("InvalidRequestException", "The body is not a JSON object")
    return body


def _form(raw: bytes) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(raw.decode("utf-8", "replace")))


def _page(rows: list[dict[str, Any]], query: dict[str, str], kind: str) -> tuple[list[Any], str]:
    """One page of rows, and the opaque token of the next one ("" at the end)."""
    try:
        size = int(query.get("max_result") or DEFAULT_PAGE)
    except ValueError:
        raise PortalError("InvalidRequestException", "max_result is not a number") from None
    if not 1 <= size <= MAX_PAGE:
        raise PortalError("InvalidRequestException", f"max_result must be 1 to {MAX_PAGE}")
    start = 0
    if query.get("next_token"):
        try:
            name, _, offset = base64.urlsafe_b64decode(query["next_token"]).decode().rpartition("/")
            start = int(offset)
        except ValueError:
            raise PortalError("InvalidRequestException", "Invalid next_token") from None
        if name != kind or not 0 < start < len(rows):
            raise PortalError("InvalidRequestException", "Invalid next_token")
    end = start + size
    more = base64.urlsafe_b64encode(f"{kind}/{end}".encode()).decode() if end < len(rows) else ""
    return rows[start:end], more


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _new_user_code() -> str:
    letters = "".join(secrets.choice(USER_CODE_LETTERS) for _ in range(8))
    return f"{letters[:4]}-{letters[4:]}"


def _normal_user_code(typed: str) -> str:
    letters = "".join(c for c in typed.upper() if c.isalnum())
    return f"{letters[:4]}-{letters[4:]}"


def _loopback(uri: str) -> bool:
    parts = urllib.parse.urlsplit(uri)
    return parts.scheme in ("http", "https") and parts.hostname in ("127.0.0.1", "localhost", "::1")


def _with_query(uri: str, values: dict[str, str | None]) -> str:
    query = urllib.parse.urlencode({k: v for k, v in values.items() if v is not None})
    return f"{uri}{'&' if '?' in uri else '?'}{query}"
