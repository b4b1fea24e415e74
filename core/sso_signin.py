"""Signing in to an IAM Identity Center portal: authorization code with PKCE through a
loopback listener (the default), or the device code (RFC 8628) where no browser can open."""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
import threading
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from core import redact
from core.errors import AwsError, Cancelled, error_code
from core.sso import Portal, Token, _oauth_failure

if TYPE_CHECKING:
    from http.server import BaseHTTPRequestHandler

    from core.sso import IdentityCenter

CLIENT_NAME = "rolecall"
SIGN_IN_TIMEOUT = 300.0
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
CALLBACK_PATH = "/oauth/callback"


def _token_from_answer(answer: dict[str, Any], now: datetime, client: dict[str, Any]) -> Token:
    return Token(
        access_token=answer["accessToken"],
        expires_at=now + timedelta(seconds=int(answer.get("expiresIn", 3600))),
        refresh_token=answer.get("refreshToken"),
        client_id=client["clientId"],
        client_secret=client["clientSecret"],
        registration_expires_at=(
            datetime.fromtimestamp(client["clientSecretExpiresAt"], timezone.utc)
            if client.get("clientSecretExpiresAt")
            else None
        ),
    )


class _Callback:
    """The loopback listener the browser comes back to (127.0.0.1 only): it takes one answer
    to this sign-in's `state` and stops."""

    def __init__(self, state: str) -> None:
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.state = state
        self.result: dict[str, str] = {}
        self.refused = 0  # answers with another state, refused
        self.done = threading.Event()
        self._lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.answer(self)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # the query holds the code: never logged

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def redirect_uri(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{CALLBACK_PATH}"

    def answer(self, request: BaseHTTPRequestHandler) -> None:
        """One answer with this sign-in's `state` ends the wait. Anything else is refused and
        the wait goes on: another page or process calling the port cannot end the sign-in."""
        parts = urllib.parse.urlsplit(request.path)
        query = dict(urllib.parse.parse_qsl(parts.query))
        with self._lock:
            if parts.path != CALLBACK_PATH or self.done.is_set():
                status, text = 404, "Nothing here."
            elif not secrets.compare_digest(query.get("state", ""), self.state):
                self.refused += 1
                status, text = 400, "This answer was not for Rolecall's sign-in: refused."
            elif "error" in query:
                self.result = {"error": query["error"], "why": query.get("error_description", "")}
                status, text = 400, "The sign-in was not allowed. You can close this tab."
                self.done.set()
            elif not query.get("code"):
                self.result = {"error": "no code"}
                status, text = 400, "The answer carried no code: refused."
                self.done.set()
            else:
                redact.register(query["code"])
                self.result = {"code": query["code"]}
                status, text = 200, "Signed in; you can close this tab."
                self.done.set()
        self._page(request, status, text)

    @staticmethod
    def _page(request: BaseHTTPRequestHandler, status: int, text: str) -> None:
        body = (
            "<!doctype html><meta charset=utf-8><title>Rolecall</title>"
            f"<body style='font:16px sans-serif;margin:3em'><h2>Rolecall</h2><p>{text}</p>"
        ).encode()
        request.send_response(status)
        request.send_header("Content-Type", "text/html; charset=utf-8")
        request.send_header("Content-Length", str(len(body)))
        request.send_header("Cache-Control", "no-store")
        request.end_headers()
        request.wfile.write(body)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class BrowserSignIn:
    """Authorization code with PKCE, the AWS CLI's default since 2.22: register a client for
    that grant, listen on 127.0.0.1, send the browser to the portal's /authorize, and trade the
    code that comes back (with this sign-in's verifier) for a token."""

    def __init__(
        self, portal: Portal, center: IdentityCenter, timeout: float = SIGN_IN_TIMEOUT
    ) -> None:
        self.portal = portal
        self.center = center
        self.timeout = timeout
        self._verifier = secrets.token_urlsafe(64)
        redact.register(self._verifier)
        self._state = secrets.token_urlsafe(24)
        self._callback: _Callback | None = None
        self._client: dict[str, Any] = {}
        self._cancel = threading.Event()
        self.url = ""

    def cancel(self) -> None:
        self._cancel.set()

    def start(self) -> str:
        """Register and listen; the returned address is the one to open in a browser."""
        portal = self.portal
        self.center.check_region(portal)
        oidc = self.center.client("sso-oidc", portal)
        self._callback = _Callback(self._state)
        redirect = self._callback.redirect_uri
        try:
            self._client = oidc.register_client(
                clientName=CLIENT_NAME,
                clientType="public",
                grantTypes=["authorization_code", "refresh_token"],
                redirectUris=[redirect],
                issuerUrl=portal.start_url,
                scopes=list(portal.scopes),
            )
        except Exception as exc:  # noqa: BLE001 - turned into a sentence
            self.close()
            raise _oauth_failure(exc, portal, "registering with") from None
        redact.register(self._client.get("clientSecret"))
        challenge = (
            base64.urlsafe_b64encode(hashlib.sha256(self._verifier.encode()).digest())
            .rstrip(b"=")
            .decode()
        )
        query = urllib.parse.urlencode(
            {
                "response_type": "code",
                "client_id": self._client["clientId"],
                "redirect_uri": redirect,
                "state": self._state,
                "code_challenge_method": "S256",
                "scopes": " ".join(portal.scopes),
                "code_challenge": challenge,
            },
            quote_via=urllib.parse.quote,
        )
        self.url = f"{oidc.meta.endpoint_url.rstrip('/')}/authorize?{query}"
        return self.url

    def finish(self, cancel: threading.Event | None = None) -> Token:
        """Wait for the browser's answer (a sentence after `timeout`), then get the token."""
        assert self._callback is not None, "start() first"
        callback = self._callback
        cancel = cancel or self._cancel
        try:
            waited = 0.0
            while not callback.done.wait(0.2):
                waited += 0.2
                if cancel.is_set():
                    raise Cancelled(f"the sign-in to portal '{self.portal.name}' was cancelled")
                if waited >= self.timeout:
                    within = (
                        f"{self.timeout / 60:.0f} minutes"
                        if self.timeout >= 60
                        else f"{self.timeout:.0f} s"
                    )
                    refused = (
                        f" ({callback.refused} answer(s) for another sign-in were refused)"
                        if callback.refused
                        else ""
                    )
                    raise AwsError(
                        f"no answer from the browser within {within}: the sign-in to portal "
                        f"'{self.portal.name}' was given up{refused}; try again",
                        "SignInTimeout",
                    )
        finally:
            self.close()
        result = callback.result
        if "error" in result:
            why = f" ({result['why']})" if result.get("why") else ""
            raise AwsError(
                f"the portal '{self.portal.name}' did not allow the sign-in: "
                f"{result['error']}{why}",
                "AccessDenied",
            )
        oidc = self.center.client("sso-oidc", self.portal)
        now = self.center.clock()
        try:
            answer = oidc.create_token(
                grantType="authorization_code",
                clientId=self._client["clientId"],
                clientSecret=self._client["clientSecret"],
                code=result["code"],
                codeVerifier=self._verifier,
                redirectUri=callback.redirect_uri,
            )
        except Exception as exc:  # noqa: BLE001 - turned into a sentence
            raise _oauth_failure(exc, self.portal, "signing in to") from None
        token = _token_from_answer(dict(answer), now, self._client)
        self.center.tokens.put(self.portal, token)
        return token

    def close(self) -> None:
        if self._callback is not None:
            self._callback.close()


@dataclass(frozen=True)
class DevicePrompt:
    """What the person is shown: where to go and the code to type there."""

    verification_uri: str
    user_code: str
    complete_uri: str
    expires_in: int


class DeviceSignIn:
    """The device code flow (RFC 8628), for where no browser can be opened here: the person
    opens the address anywhere and types the code; we poll at the interval the portal gives,
    5 s slower for good at each SlowDown."""

    def __init__(
        self,
        portal: Portal,
        center: IdentityCenter,
        wait: Callable[[float], bool] | None = None,
    ) -> None:
        self.portal = portal
        self.center = center
        self._cancel = threading.Event()
        self._wait = wait or self._cancel.wait
        self._client: dict[str, Any] = {}
        self._device: dict[str, Any] = {}
        self.interval = 5.0
        self._expires_in = 600

    def start(self) -> DevicePrompt:
        portal = self.portal
        self.center.check_region(portal)
        oidc = self.center.client("sso-oidc", portal)
        try:
            # The AWS CLI's registration for this flow: no grant types named.
            self._client = oidc.register_client(
                clientName=CLIENT_NAME, clientType="public", scopes=list(portal.scopes)
            )
            redact.register(self._client.get("clientSecret"))
            self._device = oidc.start_device_authorization(
                clientId=self._client["clientId"],
                clientSecret=self._client["clientSecret"],
                startUrl=portal.start_url,
            )
        except Exception as exc:  # noqa: BLE001 - turned into a sentence
            raise _oauth_failure(exc, portal, "starting the sign-in to") from None
        redact.register(self._device.get("deviceCode"))
        self.interval = float(self._device.get("interval") or 5)
        self._expires_in = int(self._device.get("expiresIn", 600))
        return DevicePrompt(
            verification_uri=self._device["verificationUri"],
            user_code=self._device["userCode"],
            complete_uri=self._device.get("verificationUriComplete", ""),
            expires_in=int(self._device.get("expiresIn", 600)),
        )

    def cancel(self) -> None:
        self._cancel.set()

    def finish(self) -> Token:
        oidc = self.center.client("sso-oidc", self.portal)
        waited = 0.0
        while True:
            if self._wait(self.interval) or self._cancel.is_set():
                raise Cancelled(f"the sign-in to portal '{self.portal.name}' was cancelled")
            waited += self.interval
            if waited > self._expires_in + self.interval:  # the portal should have said so
                raise AwsError(
                    f"the code for portal '{self.portal.name}' expired before it was "
                    "entered: sign in again",
                    "ExpiredTokenException",
                )
            now = self.center.clock()
            try:
                answer = oidc.create_token(
                    grantType=DEVICE_GRANT,
                    deviceCode=self._device["deviceCode"],
                    clientId=self._client["clientId"],
                    clientSecret=self._client["clientSecret"],
                )
            except Exception as exc:  # noqa: BLE001 - sorted below
                code = error_code(exc)
                if code == "AuthorizationPendingException":
                    continue
                if code == "SlowDownException":
                    self.interval += 5
                    continue
                if code == "ExpiredTokenException":
                    raise AwsError(
                        f"the code for portal '{self.portal.name}' expired before it was "
                        "entered: sign in again",
                        code,
                    ) from None
                if code == "AccessDeniedException":
                    raise AwsError(
                        f"the portal '{self.portal.name}' did not allow the sign-in", code
                    ) from None
                raise _oauth_failure(exc, self.portal, "signing in to") from None
            token = _token_from_answer(dict(answer), now, self._client)
            self.center.tokens.put(self.portal, token)
            return token


def can_open_browser(env: dict[str, str] | None = None) -> bool:
    """Whether a browser can be opened here: not over SSH without a display, nor on a Linux
    session without one (granted's rule), unless $BROWSER says which to run."""
    import sys

    env = dict(os.environ) if env is None else env
    if env.get("BROWSER"):
        return True
    display = env.get("DISPLAY") or env.get("WAYLAND_DISPLAY")
    if (env.get("SSH_CONNECTION") or env.get("SSH_TTY")) and not display:
        return False
    return not (sys.platform.startswith("linux") and not display)
