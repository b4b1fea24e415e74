"""A role's console: the command line each kind of browser is given, where it lands, how long
the session lasts, the one-time redirect that keeps the sign-in URL off every command line,
and each bad input a sentence."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from core import browsers, console
from core.browsers import Browser, Target
from core.credentials import TemporaryCredentials
from core.errors import AwsError, ConfigError

PROD = Target("prod-admin", "111111111111", "AdministratorAccess")
STAGING = Target("staging-ro", "222222222222", "ReadOnly")
URL = "http://127.0.0.1:9/one-time"


def creds(minutes_left: float) -> TemporaryCredentials:
    return TemporaryCredentials(
        access_key_id="ASIAEXAMPLEEXAMPLE00",
        secret_access_key="s" * 40,
        session_token="t" * 40,
        expiration=datetime(2026, 12, 2, 12, 0, tzinfo=timezone.utc)
        + timedelta(minutes=minutes_left),
        profile="prod-admin",
    )


def query(word: str) -> dict[str, list[str]]:
    return urllib.parse.parse_qs(word.split(":", 1)[1])


@pytest.mark.parametrize(
    ("browser", "target", "expected"),
    [
        (
            Browser("firefox", "/usr/bin/firefox"),
            PROD,
            lambda argv: (
                argv[0] == "/usr/bin/firefox"
                and argv[1].startswith("ext+container:")
                and query(argv[1])
                == {"name": ["prod-admin"], "url": [URL], "color": ["red"], "icon": ["fingerprint"]}
            ),
        ),
        (
            Browser("firefox", "/usr/bin/firefox"),
            STAGING,
            lambda argv: (
                query(argv[1])["color"] == ["green"] and query(argv[1])["icon"] == ["fence"]
            ),
        ),
        *[
            (
                Browser(kind, f"/opt/{kind}"),
                PROD,
                lambda argv, kind=kind: (
                    argv
                    == [
                        f"/opt/{kind}",
                        f"--user-data-dir={browsers.profile_folder(PROD, Path('/data'))}",
                        "--no-first-run",
                        "--new-window",
                        URL,
                    ]
                ),
            )
            for kind in browsers.CHROMIUM_FAMILY
        ],
        (
            Browser(
                "template",
                "open -a 'My Browser' --args --profile={profile} {url} # {account}/{role}",
            ),
            STAGING,
            lambda argv: (
                argv
                == [
                    "open",
                    "-a",
                    "My Browser",
                    "--args",
                    "--profile=staging-ro",
                    URL,
                    "#",
                    "222222222222/ReadOnly",
                ]
            ),
        ),
    ],
    ids=["firefox-admin", "firefox-readonly", *browsers.CHROMIUM_FAMILY, "template"],
)
def test_the_command_line_of_every_kind(browser, target, expected):
    argv = browsers.command(browser, URL, target, base=Path("/data"))
    assert expected(argv), argv


def test_each_profile_has_a_folder_of_its_own_whatever_its_name():
    names = ["team/prod", "team_prod", "team@prod", "..", "prod-admin"]
    folders = {browsers.profile_folder(Target(n, "1", "R"), Path("/data")) for n in names}
    assert len(folders) == len(names)
    assert all(f.parent == Path("/data/browser-profiles") for f in folders)
    assert browsers.profile_folder(PROD, Path("/data")).name.startswith("prod-admin-")


def test_a_template_may_hold_braces_of_its_own():
    template = Browser("template", 'sh -c \'awk "{{print}}" ; open "$0"\' {url}')
    assert browsers.command(template, URL, PROD)[-2:] == ['awk "{print}" ; open "$0"', URL]


def test_granteds_container_extension_has_its_own_protocol():
    argv = browsers.command(Browser("firefox", "firefox"), URL, PROD, protocol="granted")
    assert argv[1].startswith("ext+granted-containers:name=prod-admin&")


def test_a_role_that_is_neither_admin_nor_read_only_takes_its_accounts_colour():
    colour, icon = browsers.container_look(Target("dev", "333333333333", "Developer"))
    again, _ = browsers.container_look(Target("dev-other", "333333333333", "Deployer"))
    assert colour == again and colour not in ("red", "green") and icon == "briefcase"


def test_browsers_are_found_on_the_path_and_in_the_usual_places_and_none_is_assumed():
    on_path = {"chromium": "/usr/bin/chromium", "firefox-esr": "/usr/bin/firefox-esr"}
    found = browsers.found(
        which=on_path.get,
        exists=lambda p: p == "/Applications/Brave Browser.app/Contents/MacOS/Brave Browser",
    )
    assert [(b.kind, b.path) for b in found] == [
        ("firefox", "/usr/bin/firefox-esr"),
        ("chromium", "/usr/bin/chromium"),
        ("brave", "/Applications/Brave Browser.app/Contents/MacOS/Brave Browser"),
    ]
    assert browsers.found(which=lambda _: None, exists=lambda _: False) == []


@pytest.mark.parametrize(
    ("call", "sentence"),
    [
        (lambda: browsers.choose("netscape"), "'netscape' is not a browser Rolecall knows"),
        (lambda: browsers.choose("edge", browsers=[]), "Microsoft Edge is not installed here"),
        (lambda: browsers.choose("template", "xdg-open"), "needs {url} where the address goes"),
        (lambda: browsers.choose("template", "open {url} {who}"), "has {who}"),
        (lambda: browsers.choose("template", "open '{url}"), "cannot be read"),
        (lambda: browsers.choose("template", "open {{url}}"), "needs {url}"),
        (lambda: browsers.choose("template", "x {url} {print $1"), "a lone brace"),
        (lambda: console.console_destination("aws", None, "s4"), "'s4' is not a console service"),
        (
            lambda: console.session_duration(creds(50), chained=True, asked=7200),
            "a chained role's console session lasts at most one hour",
        ),
    ],
    ids=[
        "unknown browser",
        "not installed",
        "no {url}",
        "unknown {}",
        "unclosed quote",
        "only {{url}}",
        "lone brace",
        "service",
        "chained over an hour",
    ],
)
def test_bad_input_is_a_sentence(call, sentence):
    with pytest.raises(ConfigError) as raised:
        call()
    assert sentence in str(raised.value)


def test_the_console_lasts_as_long_as_the_session_within_awss_bounds():
    now = datetime(2026, 12, 2, 12, 0, tzinfo=timezone.utc)
    assert console.session_duration(creds(50), chained=False, now=now) == 3000
    assert console.session_duration(creds(5), chained=False, now=now) == 900
    assert console.session_duration(creds(60 * 36), chained=False, now=now) == 43200
    assert console.session_duration(creds(50), chained=False, asked=1800, now=now) == 1800
    assert console.session_duration(creds(50), chained=True, now=now) is None
    assert console.session_duration(creds(50), chained=True, asked=3600, now=now) is None


def test_it_lands_on_the_service_and_region_asked_for():
    assert (
        console.console_destination("aws", "eu-west-1", "dynamodb")
        == "https://console.aws.amazon.com/dynamodbv2/home?region=eu-west-1"
    )
    assert (
        console.console_destination("aws-cn", "cn-north-1", "logs")
        == "https://console.amazonaws.cn/cloudwatch/home?region=cn-north-1#logsV2:"
    )
    assert console.console_destination("aws", None) == "https://console.aws.amazon.com/console/home"


def test_sign_out_is_the_federation_logout_back_to_the_console():
    url = urllib.parse.urlsplit(console.logout_url("aws", "http://127.0.0.1:5/federation"))
    assert (url.netloc, url.path) == ("127.0.0.1:5", "/oauth")
    assert urllib.parse.parse_qs(url.query)["Action"] == ["logout"]


def test_a_printed_url_has_its_token_masked():
    url = "https://signin.aws.amazon.com/federation?Action=login&SigninToken=SECRET&Destination=x"
    assert "SECRET" not in console.masked(url) and "SigninToken=%2A%2A%2A%2A" in console.masked(url)


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def fetch(url: str) -> tuple[int, str | None]:
    opener = urllib.request.build_opener(NoRedirects)
    try:
        with opener.open(url, timeout=5) as answer:
            return answer.status, answer.headers.get("Location")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Location")


def test_the_one_time_redirect_answers_once_then_404():
    redirect = console.OneTimeRedirect("https://signin.example/federation?SigninToken=T")
    try:
        base = redirect.address.rsplit("/", 1)[0]
        assert fetch(base + "/guessed")[0] == 404
        assert fetch(redirect.address) == (302, "https://signin.example/federation?SigninToken=T")
        assert fetch(redirect.address)[0] == 404
        assert redirect.wait(1)
    finally:
        redirect.close()


def test_an_unused_redirect_stops_after_its_lifetime():
    redirect = console.OneTimeRedirect("https://x.example/", lifetime=0.2)
    assert not redirect.used.wait(0.5)
    with pytest.raises(OSError):
        fetch(redirect.address)


def test_open_in_gives_the_browser_the_redirect_never_the_url():
    launched: list[list[str]] = []
    secret = "https://signin.example/federation?SigninToken=T0KEN"
    redirect = console.open_in(
        Browser("chromium", "chromium"), secret, PROD, launch=launched.append
    )
    assert redirect is not None
    try:
        assert not any("T0KEN" in word for word in launched[0])
        assert launched[0][-1] == redirect.address
        assert fetch(redirect.address) == (302, secret)
    finally:
        redirect.close()


def test_a_browser_that_cannot_be_started_is_a_sentence():
    with pytest.raises(ConfigError, match="the browser command was not found: /no/such/browser"):
        console.open_in(Browser("template", "/no/such/browser {url}"), "https://x.example/", PROD)


@pytest.mark.skipif(
    not sys.platform.startswith("linux")
    or os.getuid() != 0
    or not os.path.exists("/usr/bin/python3"),
    reason="acting as another user needs root (as in CI) and a Python that user may run",
)
def test_another_user_who_reads_the_address_cannot_take_the_sign_in():
    secret = "https://signin.example/federation?SigninToken=T0KEN"
    redirect = console.OneTimeRedirect(secret)
    try:
        script = (
            "import sys, urllib.request, urllib.error\n"
            "try:\n    urllib.request.urlopen(sys.argv[1], timeout=5)\n"
            "except urllib.error.HTTPError as e:\n    print(e.code)\n"
        )
        other = subprocess.run(
            ["/usr/bin/python3", "-c", script, redirect.address],
            capture_output=True,
            text=True,
            timeout=30,
            user=65534,
            cwd="/",
        )
        assert other.stdout.strip() == "404", other.stderr
        assert fetch(redirect.address) == (302, secret), "the person's own browser still can"
    finally:
        redirect.close()


def test_no_failure_of_the_sign_in_call_quotes_the_session_it_sent():
    import socket
    import threading

    with socket.socket() as server:  # answers every request with a broken status line
        server.bind(("127.0.0.1", 0))
        server.listen()

        def answer() -> None:
            connection, _ = server.accept()
            with connection:
                connection.recv(65536)
                connection.sendall(b"NOT HTTP AT ALL\r\n\r\n")

        threading.Thread(target=answer, daemon=True).start()
        federation = f"http://127.0.0.1:{server.getsockname()[1]}/federation"
        with pytest.raises(AwsError) as broken:
            console.signin_url(creds(50), federation_url=federation)
    assert "broke off its answer" in str(broken.value)
    with pytest.raises(ConfigError) as spaced:
        console.signin_url(creds(50), federation_url="http://127.0.0.1:9/fed eration")
    for error in (broken.value, spaced.value):
        assert "s" * 40 not in str(error) and "t" * 40 not in str(error)
        assert "sessionKey" not in str(error)
