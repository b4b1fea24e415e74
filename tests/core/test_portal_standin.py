"""The Identity Center stand-in (moto has no sso / sso-oidc), spoken to by real botocore
clients over HTTP, and by a small test "browser" for the person's side of a sign-in."""

from __future__ import annotations

import base64
import hashlib
import http.client
import secrets
import urllib.parse
from html.parser import HTMLParser

import boto3
import pytest
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError

from core.portal_standin import (
    DEVICE_GRANT,
    Account,
    StandIn,
    fake_credentials,
    many_accounts,
)

START_URL = "https://rolecall-test.awsapps.com/start"
ACCOUNTS = [
    Account("111111111111", "main", "main@example.com", ("ReadOnly", "Admin")),
    Account("222222222222", "sandbox", "sandbox@example.com", ("Developer",)),
]
NO_RETRIES = Config(signature_version=UNSIGNED, retries={"total_max_attempts": 1})


class Clock:
    """Wall time that moves only when a test says so."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def portal(clock):
    with StandIn(ACCOUNTS, interval=5, device_expires=600, clock=clock) as running:
        yield running


def clients(url: str, config: Config | None = None):
    config = config or Config(signature_version=UNSIGNED)
    make = boto3.client
    return (
        make("sso-oidc", endpoint_url=url, region_name="eu-west-1", config=config),
        make("sso", endpoint_url=url, region_name="eu-west-1", config=config),
    )


@pytest.fixture
def oidc(portal):
    return clients(portal.url)[0]


@pytest.fixture
def sso(portal):
    return clients(portal.url)[1]


def challenge_of(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


REDIRECT = "http://127.0.0.1:43210/oauth/callback"


def register_for_code(oidc, redirect: str = REDIRECT) -> dict:
    return oidc.register_client(
        clientName="rolecall-test",
        clientType="public",
        grantTypes=["authorization_code", "refresh_token"],
        redirectUris=[redirect],
        issuerUrl=START_URL,
        scopes=["sso:account:access"],
    )


def register_for_device(oidc) -> dict:
    return oidc.register_client(
        clientName="rolecall-test", clientType="public", scopes=["sso:account:access"]
    )


class FormReader(HTMLParser):
    """The page's title, its form's fields and the buttons' actions, as a browser sees them."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}
        self.actions: dict[str, str] = {}
        self.action = ""
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "title":
            self._in_title = True
        elif tag == "form":
            self.action = attrs["action"]
        elif tag == "input":
            self.fields[attrs["name"]] = attrs.get("value") or ""
        elif tag == "button":
            self._button = attrs.get("formaction") or self.action

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        elif hasattr(self, "_button"):
            self.actions[data.strip()] = self._button
            del self._button

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False


class Browser:
    """Just enough of a browser: GET a page, submit its form with a button, see the answer."""

    def __init__(self, url: str) -> None:
        self.host = urllib.parse.urlsplit(url).netloc

    def request(self, method: str, target: str, form: dict | None = None):
        connection = http.client.HTTPConnection(self.host, timeout=10)
        try:
            body = urllib.parse.urlencode(form) if form is not None else None
            headers = {"Content-Type": "application/x-www-form-urlencoded"} if form else {}
            connection.request(method, target, body=body, headers=headers)
            answer = connection.getresponse()
            return answer.status, dict(answer.getheaders()), answer.read().decode()
        finally:
            connection.close()

    def open(self, url: str) -> tuple[int, FormReader]:
        parts = urllib.parse.urlsplit(url)
        status, _, page = self.request("GET", f"{parts.path}?{parts.query}")
        reader = FormReader()
        reader.feed(page)
        return status, reader

    def press(self, page: FormReader, button: str, **typed: str) -> tuple[int, dict, str]:
        return self.request("POST", page.actions[button], {**page.fields, **typed})


def authorize_url(portal, client: dict, verifier: str, **overrides: str) -> str:
    query = {
        "response_type": "code",
        "client_id": client["clientId"],
        "redirect_uri": REDIRECT,
        "state": "state-4711",
        "code_challenge": challenge_of(verifier),
        "code_challenge_method": "S256",
        "scopes": "sso:account:access",
        **overrides,
    }
    return f"{portal.url}/authorize?{urllib.parse.urlencode(query)}"


def sign_in_with_code(portal, oidc, verifier: str | None = None) -> tuple[dict, str, str]:
    """(client, code, verifier) after a person pressed Allow on the portal's page."""
    client = register_for_code(oidc)
    verifier = verifier or secrets.token_urlsafe(64)
    browser = Browser(portal.url)
    status, page = browser.open(authorize_url(portal, client, verifier))
    assert status == 200
    status, headers, _ = browser.press(page, "Allow")
    assert status == 302
    back = urllib.parse.urlsplit(headers["Location"])
    query = dict(urllib.parse.parse_qsl(back.query))
    assert f"{back.scheme}://{back.netloc}{back.path}" == REDIRECT
    assert query["state"] == "state-4711"
    return client, query["code"], verifier


def code_token(oidc, client: dict, code: str, verifier: str, redirect: str = REDIRECT) -> dict:
    return oidc.create_token(
        grantType="authorization_code",
        clientId=client["clientId"],
        clientSecret=client["clientSecret"],
        code=code,
        codeVerifier=verifier,
        redirectUri=redirect,
    )


def device_sign_in(portal, oidc) -> tuple[dict, dict]:
    client = register_for_device(oidc)
    device = oidc.start_device_authorization(
        clientId=client["clientId"], clientSecret=client["clientSecret"], startUrl=START_URL
    )
    return client, device


def device_token(oidc, client: dict, device: dict) -> dict:
    return oidc.create_token(
        grantType=DEVICE_GRANT,
        deviceCode=device["deviceCode"],
        clientId=client["clientId"],
        clientSecret=client["clientSecret"],
    )


def signed_in(portal, oidc) -> dict:
    client, device = device_sign_in(portal, oidc)
    portal.approve_device(device["userCode"])
    return {**device_token(oidc, client, device), "client": client}


# Registration


def test_registering_gives_an_id_a_secret_and_a_90_day_registration(portal, oidc, clock):
    client = register_for_device(oidc)
    assert client["clientId"] and len(client["clientSecret"]) > 40
    assert client["clientIdIssuedAt"] == int(clock.now)
    assert client["clientSecretExpiresAt"] - client["clientIdIssuedAt"] == 90 * 24 * 3600


def test_a_registration_that_is_not_public_is_refused(oidc):
    with pytest.raises(oidc.exceptions.InvalidClientMetadataException):
        oidc.register_client(clientName="rolecall-test", clientType="confidential")


def test_an_authorization_code_registration_needs_a_loopback_redirect(oidc):
    with pytest.raises(oidc.exceptions.InvalidRedirectUriException):
        register_for_code(oidc, redirect="https://evil.example.com/callback")


def test_an_expired_registration_is_refused(portal, oidc, clock):
    client = register_for_device(oidc)
    clock.advance(91 * 24 * 3600)
    with pytest.raises(oidc.exceptions.InvalidClientException) as caught:
        oidc.start_device_authorization(
            clientId=client["clientId"], clientSecret=client["clientSecret"], startUrl=START_URL
        )
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 401


# Authorization code with PKCE


def test_the_authorize_page_names_the_client_and_offers_allow_and_deny(portal, oidc):
    client = register_for_code(oidc)
    status, page = Browser(portal.url).open(authorize_url(portal, client, "v" * 64))
    assert status == 200
    assert page.title == "Rolecall demo portal - allow rolecall-test to use your sign-in?"
    assert page.actions == {"Allow": "/authorize/allow", "Deny": "/authorize/deny"}
    assert page.fields["client_id"] == client["clientId"]


def test_a_pkce_sign_in_gives_tokens_that_list_the_accounts(portal, oidc, sso):
    client, code, verifier = sign_in_with_code(portal, oidc)
    token = code_token(oidc, client, code, verifier)
    assert token["tokenType"] == "Bearer"
    assert token["expiresIn"] == 8 * 3600
    assert token["accessToken"] and token["refreshToken"]
    accounts = sso.list_accounts(accessToken=token["accessToken"])["accountList"]
    assert [a["accountId"] for a in accounts] == ["111111111111", "222222222222"]


def test_a_wrong_code_verifier_is_refused(portal, oidc):
    client, code, _ = sign_in_with_code(portal, oidc)
    with pytest.raises(oidc.exceptions.InvalidGrantException) as caught:
        code_token(oidc, client, code, secrets.token_urlsafe(64))
    assert caught.value.response["error"] == "invalid_grant"


def test_a_code_is_good_for_one_token_only(portal, oidc):
    client, code, verifier = sign_in_with_code(portal, oidc)
    code_token(oidc, client, code, verifier)
    with pytest.raises(oidc.exceptions.InvalidGrantException):
        code_token(oidc, client, code, verifier)


def test_a_redirect_uri_other_than_the_requests_is_refused(portal, oidc):
    client, code, verifier = sign_in_with_code(portal, oidc)
    with pytest.raises(oidc.exceptions.InvalidGrantException):
        code_token(oidc, client, code, verifier, redirect="http://127.0.0.1:1/oauth/callback")


def test_a_code_is_refused_to_another_client(portal, oidc):
    _, code, verifier = sign_in_with_code(portal, oidc)
    other = register_for_code(oidc)
    with pytest.raises(oidc.exceptions.InvalidGrantException):
        code_token(oidc, other, code, verifier)


def test_a_wrong_client_secret_is_refused(portal, oidc):
    client, code, verifier = sign_in_with_code(portal, oidc)
    with pytest.raises(oidc.exceptions.InvalidClientException):
        code_token(oidc, {**client, "clientSecret": "guessed"}, code, verifier)


def test_deny_sends_the_browser_back_with_access_denied(portal, oidc):
    client = register_for_code(oidc)
    browser = Browser(portal.url)
    _, page = browser.open(authorize_url(portal, client, "v" * 64))
    status, headers, _ = browser.press(page, "Deny")
    assert status == 302
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(headers["Location"]).query))
    assert query["error"] == "access_denied" and query["state"] == "state-4711"
    assert "code" not in query


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"client_id": "unknown-client"}, "not registered"),
        ({"redirect_uri": "http://127.0.0.1:9/elsewhere"}, "redirect address"),
        ({"response_type": "token"}, "response_type=code"),
        ({"code_challenge_method": "plain"}, "S256"),
    ],
)
def test_the_authorize_page_refuses_a_request_it_cannot_trust(portal, oidc, change, why):
    client = register_for_code(oidc)
    url = authorize_url(portal, client, "v" * 64, **change)
    status, _, page = Browser(portal.url).request("GET", url.removeprefix(portal.url))
    assert status == 400 and why in page
    assert "<form" not in page


def test_allow_checks_the_request_again_when_it_is_posted(portal, oidc):
    client = register_for_code(oidc)
    browser = Browser(portal.url)
    _, page = browser.open(authorize_url(portal, client, "v" * 64))
    status, headers, _ = browser.press(page, "Allow", redirect_uri="http://127.0.0.1:9/x")
    assert status == 400 and "Location" not in headers


# Device code


def test_the_device_flow_is_pending_until_the_person_approves(portal, oidc, clock, sso):
    client, device = device_sign_in(portal, oidc)
    assert device["verificationUri"] == f"{portal.url}/device"
    assert device["verificationUriComplete"].endswith(f"?user_code={device['userCode']}")
    assert device["interval"] == 5 and device["expiresIn"] == 600
    letters, dash, rest = device["userCode"].partition("-")
    assert len(letters) == len(rest) == 4 and dash and device["userCode"].isupper()
    with pytest.raises(oidc.exceptions.AuthorizationPendingException) as caught:
        device_token(oidc, client, device)
    assert caught.value.response["error"] == "authorization_pending"
    portal.approve_device(device["userCode"])
    clock.advance(5)
    token = device_token(oidc, client, device)
    assert sso.list_accounts(accessToken=token["accessToken"])["accountList"]


def test_the_device_page_approves_the_code_typed_into_it(portal, oidc, clock):
    client, device = device_sign_in(portal, oidc)
    browser = Browser(portal.url)
    status, page = browser.open(f"{portal.url}/device")
    assert status == 200 and page.fields == {"user_code": ""}
    status, _, answer = browser.press(page, "Allow", user_code=device["userCode"].lower())
    assert status == 200 and "rolecall-test" in answer
    assert device_token(oidc, client, device)["accessToken"]


def test_the_complete_verification_address_fills_in_the_code(portal, oidc):
    _, device = device_sign_in(portal, oidc)
    _, page = Browser(portal.url).open(device["verificationUriComplete"])
    assert page.fields == {"user_code": device["userCode"]}


def test_an_unknown_code_on_the_device_page_is_refused(portal):
    browser = Browser(portal.url)
    _, page = browser.open(f"{portal.url}/device")
    status, _, answer = browser.press(page, "Allow", user_code="BCDF-GHJK")
    assert status == 400 and "not known" in answer


def test_polling_faster_than_the_interval_gets_slow_down(portal, oidc, clock):
    client, device = device_sign_in(portal, oidc)
    with pytest.raises(oidc.exceptions.AuthorizationPendingException):
        device_token(oidc, client, device)
    clock.advance(2)
    with pytest.raises(oidc.exceptions.SlowDownException) as caught:
        device_token(oidc, client, device)
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    clock.advance(5)
    with pytest.raises(oidc.exceptions.AuthorizationPendingException):
        device_token(oidc, client, device)


def test_a_device_code_expires(portal, oidc, clock):
    client, device = device_sign_in(portal, oidc)
    clock.advance(601)
    with pytest.raises(oidc.exceptions.ExpiredTokenException):
        device_token(oidc, client, device)
    with pytest.raises(ValueError, match="expired"):
        portal.approve_device(device["userCode"])


def test_a_denied_device_sign_in_gets_access_denied(portal, oidc):
    client, device = device_sign_in(portal, oidc)
    portal.deny_device(device["userCode"])
    with pytest.raises(oidc.exceptions.AccessDeniedException):
        device_token(oidc, client, device)


def test_a_device_code_gives_one_token_only(portal, oidc, clock):
    client, device = device_sign_in(portal, oidc)
    portal.approve_device(device["userCode"])
    device_token(oidc, client, device)
    clock.advance(5)
    with pytest.raises(oidc.exceptions.InvalidGrantException):
        device_token(oidc, client, device)


# Which client may use which grant


def test_an_authorization_code_client_may_not_use_the_device_grant(portal, oidc):
    client = register_for_code(oidc)
    with pytest.raises(oidc.exceptions.UnauthorizedClientException):
        oidc.start_device_authorization(
            clientId=client["clientId"], clientSecret=client["clientSecret"], startUrl=START_URL
        )
    _, device = device_sign_in(portal, oidc)
    with pytest.raises(oidc.exceptions.UnauthorizedClientException):
        device_token(oidc, client, device)


def test_a_device_client_may_not_use_the_authorization_code_grant(portal, oidc):
    client = register_for_device(oidc)
    with pytest.raises(oidc.exceptions.UnauthorizedClientException):
        code_token(oidc, client, "any-code", "v" * 64)
    url = authorize_url(portal, client, "v" * 64)
    status, _, page = Browser(portal.url).request("GET", url.removeprefix(portal.url))
    assert status == 400 and "authorization code grant" in page


def test_an_unknown_grant_type_is_unsupported(portal, oidc):
    client = register_for_device(oidc)
    with pytest.raises(oidc.exceptions.UnsupportedGrantTypeException):
        oidc.create_token(
            grantType="password", clientId=client["clientId"], clientSecret=client["clientSecret"]
        )


# Refresh and expiry


def refresh(oidc, token: dict, refresh_token: str | None = None) -> dict:
    return oidc.create_token(
        grantType="refresh_token",
        clientId=token["client"]["clientId"],
        clientSecret=token["client"]["clientSecret"],
        refreshToken=refresh_token or token["refreshToken"],
    )


def test_a_refresh_gives_a_new_access_token_and_rotates_the_refresh_token(portal, oidc, sso):
    token = signed_in(portal, oidc)
    fresh = refresh(oidc, token)
    assert fresh["accessToken"] != token["accessToken"]
    assert fresh["refreshToken"] != token["refreshToken"]
    assert sso.list_accounts(accessToken=fresh["accessToken"])["accountList"]
    with pytest.raises(oidc.exceptions.InvalidGrantException):
        refresh(oidc, token)  # the old refresh token went with the rotation


def test_an_access_token_ends_after_its_lifetime(portal, oidc, sso, clock):
    token = signed_in(portal, oidc)
    clock.advance(8 * 3600)
    with pytest.raises(sso.exceptions.UnauthorizedException):
        sso.list_accounts(accessToken=token["accessToken"])
    assert sso.list_accounts(accessToken=refresh(oidc, token)["accessToken"])["accountList"]


def test_expire_tokens_ends_every_access_token_but_refreshing_still_works(portal, oidc, sso):
    token = signed_in(portal, oidc)
    portal.expire_tokens()
    with pytest.raises(sso.exceptions.UnauthorizedException) as caught:
        sso.list_accounts(accessToken=token["accessToken"])
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 401
    assert sso.list_accounts(accessToken=refresh(oidc, token)["accessToken"])["accountList"]


def test_revoke_refresh_ends_every_refresh_token(portal, oidc):
    token = signed_in(portal, oidc)
    portal.revoke_refresh()
    with pytest.raises(oidc.exceptions.InvalidGrantException):
        refresh(oidc, token)


def test_the_token_lifetime_can_be_set():
    with StandIn(ACCOUNTS, token_seconds=900) as portal:
        oidc = clients(portal.url)[0]
        assert signed_in(portal, oidc)["expiresIn"] == 900


# Accounts, roles, credentials, logout


def test_200_accounts_come_in_pages_of_20_by_default():
    with StandIn(many_accounts(200)) as portal:
        oidc, sso = clients(portal.url)
        token = signed_in(portal, oidc)["accessToken"]
        first = sso.list_accounts(accessToken=token)
        assert len(first["accountList"]) == 20 and first["nextToken"]
        before = len(portal.requests)
        pages = list(sso.get_paginator("list_accounts").paginate(accessToken=token))
        assert len(portal.requests) - before == len(pages) == 10
        ids = [a["accountId"] for p in pages for a in p["accountList"]]
        assert len(set(ids)) == 200 and ids == sorted(ids)
        assert "nextToken" not in pages[-1]


def test_the_page_size_follows_max_results():
    with StandIn(many_accounts(200)) as portal:
        oidc, sso = clients(portal.url)
        token = signed_in(portal, oidc)["accessToken"]
        pages = sso.get_paginator("list_accounts").paginate(
            accessToken=token, PaginationConfig={"PageSize": 100}
        )
        assert [len(p["accountList"]) for p in pages] == [100, 100]
        with pytest.raises(sso.exceptions.InvalidRequestException):
            sso.list_accounts(accessToken=token, nextToken="bm90LWEtdG9rZW4=")


def test_an_accounts_roles_come_in_pages(portal, oidc, sso):
    token = signed_in(portal, oidc)["accessToken"]
    pages = list(
        sso.get_paginator("list_account_roles").paginate(
            accessToken=token, accountId="111111111111", PaginationConfig={"PageSize": 1}
        )
    )
    assert [p["roleList"] for p in pages] == [
        [{"roleName": "ReadOnly", "accountId": "111111111111"}],
        [{"roleName": "Admin", "accountId": "111111111111"}],
    ]


def test_role_credentials_come_from_the_issuer_with_expiry_in_milliseconds(clock):
    asked = []

    def issue(account_id: str, role_name: str) -> dict:
        asked.append((account_id, role_name))
        return {**fake_credentials(account_id, role_name), "expiration": 1_800_003_600_000}

    with StandIn(ACCOUNTS, issue) as portal:
        oidc, sso = clients(portal.url)
        token = signed_in(portal, oidc)["accessToken"]
        answer = sso.get_role_credentials(
            accessToken=token, accountId="222222222222", roleName="Developer"
        )
    creds = answer["roleCredentials"]
    assert asked == [("222222222222", "Developer")]
    assert creds["accessKeyId"].startswith("ASIA") and len(creds["accessKeyId"]) == 20
    assert creds["secretAccessKey"] and creds["sessionToken"]
    assert creds["expiration"] == 1_800_003_600_000


def test_the_default_credentials_expire_in_an_hour_counted_in_milliseconds(portal, oidc, sso):
    import time

    token = signed_in(portal, oidc)["accessToken"]
    creds = sso.get_role_credentials(
        accessToken=token, accountId="111111111111", roleName="ReadOnly"
    )["roleCredentials"]
    assert abs(creds["expiration"] - (time.time() + 3600) * 1000) < 60_000


@pytest.mark.parametrize(
    ("account", "role"), [("111111111111", "Developer"), ("999999999999", "ReadOnly")]
)
def test_a_role_not_granted_is_forbidden(portal, oidc, sso, account, role):
    token = signed_in(portal, oidc)["accessToken"]
    with pytest.raises(ClientError) as caught:
        sso.get_role_credentials(accessToken=token, accountId=account, roleName=role)
    assert caught.value.response["Error"] == {"Code": "ForbiddenException", "Message": "No access"}
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_an_unknown_token_is_unauthorized_everywhere(sso):
    with pytest.raises(sso.exceptions.UnauthorizedException):
        sso.list_accounts(accessToken="not-a-token")
    with pytest.raises(sso.exceptions.UnauthorizedException):
        sso.list_account_roles(accessToken="not-a-token", accountId="111111111111")
    with pytest.raises(sso.exceptions.UnauthorizedException):
        sso.get_role_credentials(
            accessToken="not-a-token", accountId="111111111111", roleName="ReadOnly"
        )
    with pytest.raises(sso.exceptions.UnauthorizedException):
        sso.logout(accessToken="not-a-token")


def test_logout_ends_the_sign_in(portal, oidc, sso):
    token = signed_in(portal, oidc)
    sso.logout(accessToken=token["accessToken"])
    with pytest.raises(sso.exceptions.UnauthorizedException):
        sso.list_accounts(accessToken=token["accessToken"])
    with pytest.raises(oidc.exceptions.InvalidGrantException):
        refresh(oidc, token)


def test_logout_leaves_other_sign_ins_alone(portal, oidc, sso):
    mine, theirs = signed_in(portal, oidc), signed_in(portal, oidc)
    sso.logout(accessToken=mine["accessToken"])
    assert sso.list_accounts(accessToken=theirs["accessToken"])["accountList"]


# Fault injection, the request log, and silence


def test_an_injected_fault_answers_the_next_request_in_the_models_shape(portal):
    oidc, sso = clients(portal.url, NO_RETRIES)
    token = signed_in(portal, oidc)["accessToken"]
    portal.fail_next(429, "TooManyRequestsException")
    with pytest.raises(sso.exceptions.TooManyRequestsException) as caught:
        sso.list_accounts(accessToken=token)
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert sso.list_accounts(accessToken=token)["accountList"]


def test_botocore_retries_through_an_injected_server_error(portal):
    oidc, sso = clients(portal.url)
    token = signed_in(portal, oidc)["accessToken"]
    portal.fail_next(500, "InternalServerException")
    before = len(portal.requests)
    answer = sso.list_accounts(accessToken=token)
    assert answer["ResponseMetadata"]["RetryAttempts"] == 1
    assert portal.requests[before:] == [("GET", "/assignment/accounts")] * 2


def test_several_injected_faults_outlast_the_retries(portal):
    oidc, _ = clients(portal.url, NO_RETRIES)
    portal.fail_next(500, "InternalServerException", count=2)
    for _ in range(2):
        with pytest.raises(oidc.exceptions.InternalServerException) as caught:
            register_for_device(oidc)
        assert caught.value.response["error"] == "server_error"
    assert register_for_device(oidc)["clientId"]


def test_the_request_log_has_methods_and_paths_and_no_secret(portal, oidc, sso):
    client, code, verifier = sign_in_with_code(portal, oidc)
    token = code_token(oidc, client, code, verifier)
    sso.get_role_credentials(
        accessToken=token["accessToken"], accountId="111111111111", roleName="Admin"
    )
    assert portal.requests == [
        ("POST", "/client/register"),
        ("GET", "/authorize"),
        ("POST", "/authorize/allow"),
        ("POST", "/token"),
        ("GET", "/federation/credentials"),
    ]
    logged = repr(portal.requests)
    for secret in (client["clientSecret"], code, verifier, token["accessToken"]):
        assert secret not in logged


def test_the_stand_in_writes_no_log_line(portal, oidc, sso, capfd):
    token = signed_in(portal, oidc)
    sso.list_accounts(accessToken=token["accessToken"])
    with pytest.raises(sso.exceptions.UnauthorizedException):
        sso.list_accounts(accessToken="not-a-token")
    Browser(portal.url).request("GET", "/nothing-here?code=secret-code")
    assert capfd.readouterr() == ("", "")


def test_a_stopped_stand_in_answers_no_more():
    portal = StandIn(ACCOUNTS)
    url = portal.start()
    assert url.startswith("http://127.0.0.1:")
    assert Browser(url).request("GET", "/start")[0] == 200
    portal.stop()
    with pytest.raises(ConnectionRefusedError):
        Browser(url).request("GET", "/start")


def test_many_accounts_makes_distinct_accounts_with_the_same_roles():
    accounts = many_accounts(200, roles_each=4)
    assert len({a.account_id for a in accounts}) == 200
    assert all(len(a.account_id) == 12 and a.account_id.isdigit() for a in accounts)
    assert {a.roles for a in accounts} == {("ReadOnly", "Developer", "Admin", "Billing")}
