"""No secret at rest: drive the CLI and the window through every path that touches a secret,
with HOME, the XDG folders and the temp folder pointed at a fresh folder and debug logging on,
then look for every secret key, session token and MFA code used in every file written there,
in everything printed, and in every log record. Only the keyring (which lives elsewhere) and
the one credentials-file section the test asked for may hold them."""

from __future__ import annotations

import json
import logging
import os
import sys
import tempfile
import uuid

import pytest
from PySide6.QtCore import QSettings, QThreadPool
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from core import redact
from core.credentials import FORMATS
from tests.conftest import ROOT, STANDARD_CONFIG, run_cli
from tests.helpers.dynamo import create_table, dynamodb_client
from tests.helpers.federation import federation
from tests.helpers.portal import cli_sign_in, portal_config, start_portal
from tests.helpers.windows import assume, open_table, wait_any

LONG_TERM_ID = "AKIAROLECALLTESTKEY1"
MFA_CODES = ("246810", "135792")


@pytest.fixture
def fresh(tmp_path, monkeypatch, aws, real_keyring):
    """HOME, XDG folders and TMPDIR in one new folder; the AWS files in its ~/.aws."""
    home = tmp_path / "home"
    folders = {
        "HOME": home,
        "XDG_CONFIG_HOME": home / ".config",
        "XDG_DATA_HOME": home / ".local/share",
        "XDG_CACHE_HOME": home / ".cache",
        "XDG_STATE_HOME": home / ".local/state",
        "XDG_RUNTIME_DIR": home / "run",
        "TMPDIR": home / "tmp",
    }
    for name, folder in folders.items():
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        monkeypatch.setenv(name, str(folder))
    monkeypatch.setattr(tempfile, "tempdir", None)  # tempfile caches the folder it picked
    (home / ".aws").mkdir(mode=0o700)
    config, credentials = home / ".aws/config", home / ".aws/credentials"
    config.write_text(STANDARD_CONFIG.lstrip())
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    yield home
    monkeypatch.setattr(tempfile, "tempdir", None)


def cli(*args: str, input: str | None = None):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    result = run_cli("-vv", *args, input=input, env=env)
    assert result.returncode == 0, result.stderr
    return result


def exported(stdout: str) -> dict[str, str]:
    import shlex

    values = {}
    for line in stdout.splitlines():
        if line.startswith("export "):
            name, value = line.removeprefix("export ").split("=", 1)
            values[name] = shlex.split(value)[0]
    return values


def test_no_secret_is_left_anywhere(fresh, qtbot, monkeypatch, caplog, capfd, aws, request):
    from core.profiles import load_config
    from core.sso import Tokens, find_portal
    from core.vault import SessionCache, open_keyring
    from gui.app import install_crash_handler
    from gui.controller import Controller
    from gui.dialogs import Ask
    from gui.mainwindow import MainWindow
    from gui.settings import Settings

    secrets: dict[str, str] = {}  # value -> what it is
    printed: list[str] = []  # output that must be clean (not the keys a command exists to print)
    long_term = "LongTerm/" + uuid.uuid4().hex + "+Secret"
    secrets[long_term] = "long-term secret key"
    for code in MFA_CODES:
        secrets[code] = "MFA code"

    # ---- the CLI: add long-term keys, assume with and without MFA, every output path -------
    added = cli("add-keys", "base", input=f"{LONG_TERM_ID}\n{long_term}\n")
    printed += [added.stdout, added.stderr]
    for args in (
        ("export", "reader"),
        ("export", "mfa", "--mfa-code", MFA_CODES[0]),
        ("export", "partner", "--format", "json"),
        ("credential-process", "admin"),
    ):
        result = cli(*args)
        printed.append(result.stderr)  # stdout is the keys themselves: that is the command
        values = exported(result.stdout) or json.loads(result.stdout)
        secret = values.get("AWS_SECRET_ACCESS_KEY") or values["SecretAccessKey"]
        token = values.get("AWS_SESSION_TOKEN") or values["SessionToken"]
        secrets[secret], secrets[token] = f"secret key from {args}", f"token from {args}"
    # an Identity Center sign-in (device code), its tokens read back from the keyring
    standin = start_portal(aws.endpoint)
    request.addfinalizer(standin.stop)
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSO", standin.url)
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSO_OIDC", standin.url)
    config_file = fresh / ".aws/config"
    config_file.write_text(config_file.read_text() + portal_config(standin.url))
    said = cli_sign_in(standin, "-vv", env=dict(os.environ, PYTHONPATH=str(ROOT)))
    printed.append(said)
    portal = find_portal(load_config(), "corp")
    token = Tokens(open_keyring()).get(portal)
    assert token is not None and token.refresh_token and token.client_secret
    secrets[token.access_token] = "Identity Center access token"
    secrets[token.refresh_token] = "Identity Center refresh token"
    secrets[token.client_secret] = "Identity Center client secret"
    result = cli("export", "dev")
    printed.append(result.stderr)
    values = exported(result.stdout)
    secrets[values["AWS_SECRET_ACCESS_KEY"]] = "secret key of an SSO role"
    secrets[values["AWS_SESSION_TOKEN"]] = "token of an SSO role"
    signin_token = "SigninTok" + uuid.uuid4().hex
    secrets[signin_token] = "console sign-in token"
    with federation(signin_token) as (url, _):
        monkeypatch.setenv("ROLECALL_FEDERATION_URL", url)
        for args in (("list",), ("exec", "reader", "--", "true"), ("console", "reader", "--print")):
            result = cli(*args)
            printed += [result.stderr, result.stdout]  # --print masks the sign-in token
        result = cli("console", "reader", "--print", "--show")
        assert signin_token in result.stdout  # the URL the person asked to be shown
        printed.append(result.stderr)

    # ---- the window: debug logging on, real keyring, settings in the fresh folder ---------
    caplog.set_level(logging.DEBUG)
    log_file = fresh / ".local/state/rolecall.log"
    log_stream = log_file.open("w")
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # put back after the test
    levels = {name: logging.getLogger(name).level for name in ("", *redact.AWS_LOGGERS)}
    request.addfinalizer(  # and the log levels -vv changes (setLevel clears logging's cache)
        lambda: [logging.getLogger(n).setLevel(level) for n, level in levels.items()]
    )
    handler = redact.configure_logging(2, stream=log_stream)
    install_crash_handler()
    table = f"secrets-{uuid.uuid4().hex[:6]}"
    create_table(dynamodb_client(), table, {"id": "S"})
    settings_file = fresh / ".config/Rolecall/Rolecall.conf"
    settings = Settings(QSettings(str(settings_file), QSettings.Format.IniFormat))
    pool = QThreadPool()
    controller = Controller(pool)
    window = MainWindow(controller, settings)
    qtbot.addWidget(window)
    window.show()
    controller.start()
    assert wait_any(qtbot, controller.configLoaded, controller.configFailed)[0] == 0
    qtbot.waitUntil(lambda: controller.store is not None, timeout=20000)
    assert controller.persistent  # the real keyring
    asked = []
    monkeypatch.setattr(
        Ask, "mfa_code", classmethod(lambda cls, *a, **k: asked.append(1) or MFA_CODES[1])
    )
    monkeypatch.setattr(Ask, "text", classmethod(lambda cls, *a: "written-on-request"))
    for profile in ("reader", "mfa", "partner", "admin"):
        which, args = assume(qtbot, window, profile)
        if which == 2:  # the MFA prompt
            which, args = wait_any(qtbot, controller.assumed, controller.assumeFailed)
        assert which == 0, args
    window.select("reader")
    settings.set_auto_refresh("reader", False)  # something in QSettings, as a person would
    with qtbot.waitSignal(controller.assumed, timeout=20000):
        window.renew_current()  # a refresh: a new session
    window.select("mfa")
    with qtbot.waitSignal(controller.assumed, timeout=20000):
        window.renew_current()  # a refresh that asks for a new MFA code
    assert asked == [1]
    window.select("reader")
    copied = []
    for fmt in FORMATS:
        window.findChild(object, f"copy_{fmt}").trigger()
        copied.append(QGuiApplication.clipboard().text())
    window.card.reveal_button.click()  # shown while asked...
    window.card.reveal_button.click()  # ...and masked again
    window.findChild(object, "copy_env").trigger()
    with qtbot.waitSignal(controller.wrote, timeout=20000):
        window.prompts.write_credentials()  # the one file write the person asked for
    written = controller.sessions.get("reader")
    browser = open_table(qtbot, window, table)
    with qtbot.waitSignal(browser.readFinished, timeout=20000):
        browser.run()
    for creds in controller.sessions.sessions.values():
        secrets[creds.secret_access_key] = f"secret key of {creds.profile}"
        secrets[creds.session_token] = f"token of {creds.profile}"
    cached = SessionCache(open_keyring()).sessions()  # what the keyring holds (it may)
    assert cached["reader"].secret_access_key == written.secret_access_key
    # a bug that puts a secret in an exception: the crash report masks it
    try:
        raise RuntimeError(f"a bug that shows {written.secret_access_key}")
    except RuntimeError:
        sys.excepthook(*sys.exc_info())
    # what a person can see without revealing: titles, tooltips, status texts
    shown = []
    for widget in QApplication.allWidgets():
        shown += [
            widget.windowTitle(),
            widget.toolTip(),
            widget.statusTip(),
            widget.accessibleName(),
            widget.accessibleDescription(),
        ]
    if window.tray is not None:
        shown.append(window.tray.toolTip())
    window.close()  # quit
    assert QGuiApplication.clipboard().text() == ""  # ours, so cleared on quit
    assert pool.waitForDone(30000)
    settings.q.sync()
    logging.getLogger().removeHandler(handler)
    handler.close()
    log_stream.close()

    # ---- the search -----------------------------------------------------------------------
    # keys, codes, console sign-in; 3 portal secrets; 5 sessions from the CLI, 2 renewed
    assert len(secrets) == 4 + 3 + 2 * 7
    assert all(copied) and any(written.secret_access_key in text for text in copied)
    out, err = capfd.readouterr()
    texts = {
        "printed by the CLI": "\n".join(printed),
        "stdout and stderr of the window": out + err,
        "log records": "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records),
        "titles and tooltips": "\n".join(shown),
    }
    files = [p for p in fresh.rglob("*") if p.is_file()]
    assert log_file in files and settings_file in files and log_file.stat().st_size > 10_000
    hits = []
    credentials_file = fresh / ".aws/credentials"
    for path in files:
        data = path.read_bytes()
        for value, what in secrets.items():
            if value.encode() in data:
                allowed = path == credentials_file and value in (
                    written.secret_access_key,
                    written.session_token,
                )
                if not allowed:
                    hits.append(f"{what} in {path.relative_to(fresh)}")
    for where, text in texts.items():
        for value, what in secrets.items():
            if value in text:
                hits.append(f"{what} in {where}")
    assert hits == []
    # the search finds what is there: the section written on request holds its keys
    assert written.secret_access_key in credentials_file.read_text()
    assert "****" in log_file.read_text()  # the debug log had secrets to mask, and did
    print(f"secrets-at-rest: {len(files)} files, {len(secrets)} secrets, {len(hits)} found")
