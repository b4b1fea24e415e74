"""IAM Identity Center against the stand-in portal and moto: sign-in by PKCE and by device
code, refresh, the accounts listing, role credentials, and every bad input as a sentence."""

from __future__ import annotations

import threading
import urllib.parse
from datetime import timedelta

import pytest

from core.clients import ClientFactory
from core.clock import utc_now
from core.engine import Engine
from core.errors import AwsError, ConfigError
from core.profiles import load_config
from core.sso import IdentityCenter, SignInRequired, Tokens, find_portal, portals
from core.sso_signin import BrowserSignIn, DeviceSignIn
from core.vault import MemoryStore, SessionCache
from tests.conftest import ACCOUNT, STANDARD_CONFIG
from tests.helpers import browser
from tests.helpers.portal import PROD, portal_config, start_portal


@pytest.fixture
def standin(aws, monkeypatch):
    server = start_portal(aws.endpoint)
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSO", server.url)
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSO_OIDC", server.url)
    aws.write_config(STANDARD_CONFIG + portal_config(server.url))
    yield server
    server.stop()


@pytest.fixture
def center():
    return IdentityCenter(ClientFactory(), Tokens(MemoryStore()))


def sign_in(center: IdentityCenter, name: str = "corp"):
    portal = find_portal(load_config(), name)
    flow = BrowserSignIn(portal, center)
    url = flow.start()
    pages = []
    clicker = threading.Thread(target=lambda: pages.append(browser.allow(url)))
    clicker.start()
    token = flow.finish()
    clicker.join(20)
    return portal, token, url, pages[0]


def test_portals_come_from_sso_sessions_and_legacy_profiles(standin, aws):
    config = load_config()
    found = portals(config)
    assert found["corp"].start_url == f"{standin.url}/start"
    assert found["corp"].region == "eu-west-1" and not found["corp"].legacy
    assert found["https://legacy.awsapps.com/start"].legacy
    assert config.roles["dev"].is_sso and config.roles["dev"].sso_portal == "corp"
    assert config.roles["dev"].account_id == ACCOUNT
    assert find_portal(config, "dev").name == "corp"  # a profile's name finds its portal
    with pytest.raises(ConfigError, match=r"no IAM Identity Center portal 'nope'.*corp"):
        find_portal(config, "nope")


def test_pkce_sign_in_end_to_end(standin, center):
    portal, token, url, page = sign_in(center)
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
    assert url.startswith(f"{standin.url}/authorize?")
    assert query["response_type"] == "code" and query["code_challenge_method"] == "S256"
    assert query["redirect_uri"].startswith("http://127.0.0.1:")
    assert query["redirect_uri"].endswith("/oauth/callback")
    assert len(query["state"]) >= 24 and query["scopes"] == "sso:account:access"
    assert page.status == 200 and "Signed in; you can close this tab" in page.body
    assert token.refresh_token and token.expires_at > utc_now() + timedelta(hours=1)
    raw = center.tokens.store.get("sso:corp")
    assert raw and token.access_token in raw  # in the keyring (here: memory), nowhere else
    assert center.access_token(portal) == token.access_token


def test_a_callback_with_another_state_is_refused_and_the_real_one_still_counts(standin, center):
    portal = find_portal(load_config(), "corp")
    flow = BrowserSignIn(portal, center)
    url = flow.start()
    redirect = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))["redirect_uri"]
    page = browser.request(f"{redirect}?code=stolen&state=not-ours")
    assert page.status == 400 and "refused" in page.body
    assert center.tokens.store.get("sso:corp") is None
    clicker = threading.Thread(target=lambda: browser.allow(url))
    clicker.start()
    token = flow.finish()  # the answer with this sign-in's state
    clicker.join(20)
    assert token.access_token and center.tokens.store.get("sso:corp")


def test_only_answers_for_another_sign_in_end_in_a_timeout_that_says_so(standin, center):
    portal = find_portal(load_config(), "corp")
    flow = BrowserSignIn(portal, center, timeout=1)
    url = flow.start()
    redirect = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))["redirect_uri"]
    assert browser.request(f"{redirect}?code=x&state=forged").status == 400
    with pytest.raises(AwsError, match=r"within 1 s.*1 answer\(s\) for another sign-in"):
        flow.finish()


def test_a_callback_with_an_error_is_a_sentence(standin, center):
    portal = find_portal(load_config(), "corp")
    flow = BrowserSignIn(portal, center)
    url = flow.start()
    clicker = threading.Thread(target=lambda: browser.allow(url, button="Deny"))
    clicker.start()
    with pytest.raises(AwsError, match="did not allow the sign-in: access_denied"):
        flow.finish()
    clicker.join(20)


def test_a_closed_browser_tab_gives_up_with_a_sentence(standin, center):
    portal = find_portal(load_config(), "corp")
    flow = BrowserSignIn(portal, center, timeout=0.5)
    flow.start()
    with pytest.raises(AwsError, match=r"no answer from the browser.*given up"):
        flow.finish()


def portal_time(standin):
    """The portal's clock, moved by the sign-in's own waits (so no test sleeps)."""
    import time

    now = [time.time()]
    standin.clock = lambda: now[0]
    return now


def test_device_code_pending_then_allowed(standin, center):
    portal = find_portal(load_config(), "corp")
    polls: list[float] = []
    now = portal_time(standin)

    def wait(seconds: float) -> bool:
        polls.append(seconds)
        now[0] += seconds
        if len(polls) == 3:
            standin.approve_device(prompt.user_code)
        return False

    flow = DeviceSignIn(portal, center, wait=wait)
    prompt = flow.start()
    assert prompt.verification_uri.startswith(standin.url) and prompt.user_code
    token = flow.finish()
    assert token.access_token and center.tokens.store.get("sso:corp")
    assert len(polls) >= 3


def test_device_code_slow_down_adds_five_seconds_for_good(standin, center):
    standin.interval = 1
    portal = find_portal(load_config(), "corp")
    polls: list[float] = []
    now = portal_time(standin)

    def wait(seconds: float) -> bool:  # the first waits are too short for the portal
        polls.append(seconds)
        now[0] += seconds if len(polls) > 2 else 0.1
        if len(polls) == 4:
            standin.approve_device(prompt.user_code)
        return False

    flow = DeviceSignIn(portal, center, wait=wait)
    prompt = flow.start()
    flow.finish()
    assert polls[:3] == [1, 1, 6] and polls[-1] == 6  # once slowed down, for good


def test_device_code_expiry_is_a_sentence(standin, center):
    standin.device_expires = 0
    portal = find_portal(load_config(), "corp")
    now = portal_time(standin)
    flow = DeviceSignIn(portal, center, wait=lambda s: bool(now.__setitem__(0, now[0] + s)))
    flow.start()
    with pytest.raises(AwsError, match="expired before it was entered: sign in again"):
        flow.finish()


def test_a_token_near_its_end_is_refreshed_once_for_the_portal(standin):
    now = [utc_now()]
    center = IdentityCenter(ClientFactory(), Tokens(MemoryStore()), clock=lambda: now[0])
    portal, token, _, _ = sign_in(center)
    now[0] = token.expires_at - timedelta(minutes=5)
    standin.expire_tokens()
    results: list[str] = []
    threads = [
        threading.Thread(target=lambda: results.append(center.access_token(portal)))
        for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert len(set(results)) == 1 and results[0] != token.access_token
    assert [r for r in standin.requests if r[1] == "/token"].__len__() == 2  # sign-in + 1 refresh
    assert center.tokens.get(portal).access_token == results[0]


def test_an_expired_sign_in_without_refresh_asks_to_sign_in(standin):
    now = [utc_now()]
    center = IdentityCenter(ClientFactory(), Tokens(MemoryStore()), clock=lambda: now[0])
    portal, token, _, _ = sign_in(center)
    standin.revoke_refresh()
    now[0] = token.expires_at + timedelta(seconds=1)
    with pytest.raises(SignInRequired, match="run `rolecall sso login corp`"):
        center.access_token(portal)


def test_the_listing_has_every_account_and_role(standin, center):
    portal, *_ = sign_in(center)
    found = center.accounts(portal)
    pairs = {(r.account_name, r.account_id, r.role_name) for r in found}
    assert pairs == {
        ("prod", PROD, "Admin"),
        ("prod", PROD, "ReadOnly"),
        ("dev", ACCOUNT, "Developer"),
        ("dev", ACCOUNT, "ReadOnly"),
    }


def test_a_200_account_portal_is_listed_through_every_page(aws, monkeypatch, center):
    server = start_portal(aws.endpoint, accounts=200)
    try:
        monkeypatch.setenv("AWS_ENDPOINT_URL_SSO", server.url)
        monkeypatch.setenv("AWS_ENDPOINT_URL_SSO_OIDC", server.url)
        aws.write_config(STANDARD_CONFIG + portal_config(server.url))
        portal, *_ = sign_in(center)
        found = center.accounts(portal)
        assert len({r.account_id for r in found}) == 200 and len(found) == 600
        pages = [r for r in server.requests if r[1] == "/assignment/accounts"]
        assert len(pages) >= 10  # paged by the portal, every page read
    finally:
        server.stop()


def test_a_portal_that_fails_is_a_sentence(standin, center):
    portal, *_ = sign_in(center)
    standin.fail_next(500, "InternalServerException", count=10)
    with pytest.raises(AwsError, match=r"listing the accounts \(portal 'corp'\) failed"):
        center.accounts(portal)
    standin.fail_next(403, "AccessDeniedException")
    with pytest.raises(AwsError, match="AccessDeniedException"):
        center.accounts(portal)


def test_bad_portals_are_sentences(aws, center):
    aws.write_config(
        STANDARD_CONFIG
        + """
[sso-session plain]
sso_start_url = http://corp.example.com/start
sso_region = eu-west-1
[sso-session nowhere]
sso_start_url = https://corp.awsapps.com/start
sso_region = moon-base
"""
    )
    with pytest.raises(ConfigError, match="must be an https:// address"):
        find_portal(load_config(), "plain")
    with pytest.raises(ConfigError, match="'moon-base' is not a region code"):
        find_portal(load_config(), "nowhere")


def test_a_region_without_identity_center_is_a_sentence(aws, center, monkeypatch):
    monkeypatch.delenv("AWS_ENDPOINT_URL")
    aws.write_config(
        STANDARD_CONFIG
        + """
[sso-session far]
sso_start_url = https://corp.awsapps.com/start
sso_region = xx-nowhere-9
"""
    )
    portal = find_portal(load_config(), "far")
    for flow in (BrowserSignIn(portal, center), DeviceSignIn(portal, center)):
        with pytest.raises(ConfigError, match="'xx-nowhere-9' is not a region where IAM"):
            flow.start()


def test_an_sso_profile_and_a_role_chained_from_it_give_sessions(standin, center):
    sign_in(center)
    cache = SessionCache(MemoryStore())
    engine = Engine(cache=cache, tokens=center.tokens)
    dev = engine.credentials("dev")
    assert dev.profile == "dev" and dev.expiration > utc_now()
    assert cache.get("dev") == dev  # cached like any session
    assert engine.credentials("dev") == dev  # and reused
    via = engine.credentials("via-dev")
    assert via.assumed_role_arn.startswith(f"arn:aws:sts::{ACCOUNT}:assumed-role/Auditor/")
    assert load_config().roles["via-dev"].chained  # from an SSO session: AWS's one hour cap


def test_a_sign_in_the_aws_cli_cached_is_used(standin, center, tmp_path):
    import hashlib

    portal, token, _, _ = sign_in(center)
    cache = tmp_path / "sso-cache"
    cache.mkdir()
    # what `aws sso login --sso-session corp` leaves: sha1 of the session's name
    name = hashlib.sha1(b"corp").hexdigest()  # noqa: S324 - the AWS CLI's file name
    (cache / f"{name}.json").write_text(token.to_json(portal))
    tokens = Tokens(MemoryStore(), cli_cache=cache)
    assert tokens.get(portal).access_token == token.access_token
    other = IdentityCenter(ClientFactory(), tokens)
    assert len(other.accounts(portal)) == 4


def test_the_cli_cache_is_written_only_when_sharing_is_on(standin, center, tmp_path):
    import json
    import stat

    portal, token, _, _ = sign_in(center)
    cache = tmp_path / "sso-cache"
    Tokens(MemoryStore(), cli_cache=cache).put(portal, token)
    assert not cache.exists()  # off by default: the keyring only
    Tokens(MemoryStore(), share_with_cli=True, cli_cache=cache).put(portal, token)
    [written] = list(cache.iterdir())
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    data = json.loads(written.read_text())
    assert data["startUrl"] == portal.start_url and data["accessToken"] == token.access_token
    assert data["expiresAt"].endswith("Z") and data["refreshToken"] == token.refresh_token


def test_a_portal_that_refuses_the_sign_in_is_a_sentence(standin, center):
    portal = find_portal(load_config(), "corp")
    standin.fail_next(403, "AccessDeniedException")
    with pytest.raises(AwsError, match=r"registering with portal 'corp' failed"):
        BrowserSignIn(portal, center).start()
    assert center.tokens.store.get("sso:corp") is None


def test_sign_out_takes_a_shared_sign_in_out_of_the_cli_cache_even_once_sharing_is_off(
    standin, tmp_path
):
    cache = tmp_path / "sso-cache"
    center = IdentityCenter(
        ClientFactory(), Tokens(MemoryStore(), share_with_cli=True, cli_cache=cache)
    )
    portal, *_ = sign_in(center)
    assert list(cache.iterdir())
    center.tokens.share_with_cli = False  # turned off later
    center.logout(portal)
    assert not list(cache.iterdir()) and center.tokens.get(portal) is None
    assert ("POST", "/logout") in standin.requests


def test_a_good_aws_cli_sign_in_wins_over_an_expired_one_in_the_keyring(standin, tmp_path):
    now = [utc_now()]
    cache = tmp_path / "sso-cache"
    store = MemoryStore()
    center = IdentityCenter(ClientFactory(), Tokens(store), clock=lambda: now[0])
    portal, old, *_ = sign_in(center)
    now[0] += timedelta(hours=1)  # the AWS CLI signs in an hour later
    fresh = IdentityCenter(ClientFactory(), Tokens(MemoryStore(), True, cache), lambda: now[0])
    _, new, *_ = sign_in(fresh)  # as `aws sso login` would leave it
    standin.revoke_refresh()
    raw = store.get("sso:corp")
    store.set("sso:corp", raw.replace(old.refresh_token, ""))  # nothing to refresh with
    now[0] = old.expires_at + timedelta(seconds=1)
    reader = IdentityCenter(ClientFactory(), Tokens(store, cli_cache=cache), lambda: now[0])
    assert reader.tokens.get(portal, now[0]).access_token == new.access_token
