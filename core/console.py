"""AWS console sign-in through the federation endpoint (getSigninToken, then login)."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request

from core import redact
from core.credentials import TemporaryCredentials
from core.errors import AwsError, ConfigError

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


def console_destination(partition: str, region: str | None) -> str:
    base = CONSOLE_URLS[partition]
    if region:
        return base + f"console/home?region={urllib.parse.quote(region)}"
    return base


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
    if session_duration is not None:
        if chained:
            raise ConfigError(
                "AWS does not allow a console session duration for a chained role; "
                "leave out --duration"
            )
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


def _signin_token(federation: str, params: dict[str, str], timeout: float) -> str:
    """The federation endpoint's getSigninToken answer: a token for one console sign-in."""
    if urllib.parse.urlsplit(federation).scheme not in ("https", "http"):
        raise ConfigError(f"the federation URL must be http(s): {federation}")
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
        raise AwsError(f"cannot reach the AWS sign-in endpoint {federation}: {reason}") from None
    try:
        token = json.loads(body)["SigninToken"]
    except (ValueError, KeyError, TypeError):
        raise AwsError("the AWS sign-in endpoint gave an answer Rolecall cannot read") from None
    redact.register(token)
    return token
