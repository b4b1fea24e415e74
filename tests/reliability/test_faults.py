"""Faults survived, nothing lost: an endpoint that goes away, throttling and 5xx answers from
a proxy in front of moto, a session that expires mid-scan, a keyring that locks or vanishes,
and a config that cannot be written. Each checks the message, that the app goes on, and that
loaded rows, config and sessions are intact."""

from __future__ import annotations

import gc
import signal
import uuid
import warnings
from contextlib import closing

import pytest
from PySide6.QtWidgets import QPushButton

from core.dynamo import DynamoDB, ReadOptions
from core.engine import Engine
from core.errors import AwsError
from tests.conftest import _start_secret_service, wait_for_secret_service
from tests.helpers.dynamo import create_table, dynamodb_client
from tests.helpers.faultproxy import (
    PROVISIONED,
    SERVER_ERROR,
    STS_THROTTLING,
    THROTTLING,
    UNAVAILABLE,
    Fault,
)
from tests.helpers.windows import assume, open_table, wait_any

ROWS = 60
EXPIRED = Fault(
    400, "ExpiredTokenException", "The security token included in the request is expired"
)


@pytest.fixture
def orders(aws):
    """A table of ROWS items, made directly on moto (not through the proxy)."""
    client = dynamodb_client(aws.endpoint)
    name = create_table(client, f"faults-{uuid.uuid4().hex[:8]}", {"id": "N"})
    for i in range(ROWS):
        client.put_item(TableName=name, Item={"id": {"N": str(i)}, "v": {"S": f"row {i}"}})
    return name


def ids(items) -> list[int]:
    return [int(item["id"]["N"]) for item in items]


def reader_db(proxy) -> DynamoDB:
    engine = Engine()
    return engine.dynamodb(engine.credentials("reader", use_cache=False))


# ---- core: retries that succeed, retries that run out ------------------------------------


@pytest.mark.parametrize("fault", [THROTTLING, PROVISIONED, SERVER_ERROR, UNAVAILABLE])
def test_a_scan_rides_out_two_faults_on_a_page(proxy, orders, fault):
    db = reader_db(proxy)
    proxy.inject("dynamodb", "Scan", fault, fault)
    items = [i for page in db.scan(orders, ReadOptions(page_size=25)) for i in page.items]
    assert sorted(ids(items)) == list(range(ROWS))
    assert proxy.injected == 2 and proxy.pending() == 0


@pytest.mark.parametrize(
    ("fault", "said"),
    [
        (
            THROTTLING,
            "ThrottlingException: Rate of requests exceeds the allowed throughput, "
            "after 4 tries (AWS is throttling these requests: try again shortly)",
        ),
        (
            PROVISIONED,
            "ProvisionedThroughputExceededException: The level of configured "
            "provisioned throughput for the table was exceeded, after 4 tries "
            "(the table is throttling: try again shortly)",
        ),
        (
            SERVER_ERROR,
            "InternalServerError: Internal server error, after 4 tries "
            "(a failure on the AWS side: try again)",
        ),
    ],
)
def test_when_retries_run_out_the_pages_read_stay_and_the_scan_goes_on_later(
    proxy, orders, fault, said
):
    db = reader_db(proxy)
    pages = db.scan(orders, ReadOptions(page_size=25))
    first = next(pages)
    proxy.inject("dynamodb", "Scan", *[fault] * 4)  # one try and three retries
    with pytest.raises(AwsError) as caught:
        next(pages)
    assert str(caught.value) == f"scanning table '{orders}' failed: {said}"
    rest = db.scan(orders, ReadOptions(page_size=25, start_key=first.last_evaluated_key))
    items = list(first.items) + [i for page in rest for i in page.items]
    assert sorted(ids(items)) == list(range(ROWS))


def test_sts_throttling_is_retried_then_explained(proxy):
    engine = Engine()
    proxy.inject("sts", "AssumeRole", STS_THROTTLING, STS_THROTTLING)
    assert ":assumed-role/Reader/" in engine.credentials("reader", use_cache=False).assumed_role_arn
    assert proxy.injected == 2
    proxy.inject("sts", "AssumeRole", *[STS_THROTTLING] * 4)
    with pytest.raises(AwsError) as caught:
        engine.credentials("reader", use_cache=False)
    assert str(caught.value) == (
        "assuming the role of profile 'reader' failed: Throttling: Rate exceeded, after 4 tries "
        "(STS is throttling these requests: try again shortly)"
    )


def test_an_endpoint_that_is_down_before_an_assume_is_a_sentence_then_works_again(proxy):
    engine = Engine()
    proxy.down()
    with pytest.raises(AwsError, match=rf"failed: no answer from {proxy.url}"):
        engine.credentials("reader", use_cache=False)
    proxy.up()
    assert engine.credentials("reader", use_cache=False).access_key_id


# ---- the browser: rows kept, and the read goes on from where it stopped ------------------


@pytest.fixture
def browser(proxy, orders, make_window, qtbot):
    window = make_window()
    assume(qtbot, window, "reader")
    browser = open_table(qtbot, window, orders)
    browser.query.page_size.setValue(10)
    browser.window_ = window
    return browser


def read_first_page(qtbot, browser) -> list[int]:
    browser.findChild(QPushButton, "runQueryButton").click()
    wait_any(qtbot, browser.readFinished, browser.failed)
    qtbot.waitUntil(lambda: not browser.model.loading, timeout=20000)
    return ids(browser.model.items)


def finish(qtbot, browser) -> None:
    """Load all, then check every row is there exactly once."""
    if browser.model.more:
        with qtbot.waitSignal(browser.readFinished, timeout=60000):
            browser.load_all.click()
    assert browser.message.isHidden(), browser.message.text()
    assert sorted(ids(browser.model.items)) == list(range(ROWS))


def test_the_endpoint_dies_mid_scan_and_the_read_goes_on_when_it_is_back(browser, qtbot, proxy):
    before = read_first_page(qtbot, browser)
    assert before and browser.model.more
    proxy.down()
    with qtbot.waitSignal(browser.failed, timeout=60000) as failed:
        browser.load_all.click()
    assert failed.args[0].startswith(
        f"scanning table '{browser.table.name}' failed: no answer from"
    )
    assert browser.message.isVisible() and "rows loaded are kept" in browser.message.text()
    assert ids(browser.model.items)[: len(before)] == before
    assert browser.go_on_button.isVisible()
    proxy.up()
    with qtbot.waitSignal(browser.readFinished, timeout=60000):
        browser.go_on_button.click()
    assert not browser.go_on_button.isVisible()
    finish(qtbot, browser)
    assert ids(browser.model.items)[: len(before)] == before


def test_throttling_that_outlasts_the_retries_keeps_the_rows_then_goes_on(browser, qtbot, proxy):
    before = read_first_page(qtbot, browser)
    proxy.inject("dynamodb", "Scan", *[PROVISIONED] * 4)
    with qtbot.waitSignal(browser.failed, timeout=60000) as failed:
        browser.load_all.click()
    assert "ProvisionedThroughputExceededException" in failed.args[0]
    assert "after 4 tries (the table is throttling: try again shortly)" in failed.args[0]
    assert ids(browser.model.items) == before
    browser.go_on_button.click()
    qtbot.waitUntil(lambda: not browser.model.loading, timeout=60000)
    finish(qtbot, browser)


def test_5xx_within_the_retries_is_invisible(browser, qtbot, proxy):
    read_first_page(qtbot, browser)
    proxy.inject("dynamodb", "Scan", SERVER_ERROR, UNAVAILABLE, THROTTLING)
    finish(qtbot, browser)
    assert proxy.injected == 3


def test_a_session_that_expires_mid_scan_asks_for_renewal_and_goes_on(browser, qtbot, proxy):
    before = read_first_page(qtbot, browser)
    proxy.inject("dynamodb", "Scan", EXPIRED)
    with qtbot.waitSignal(browser.failed, timeout=60000) as failed:
        browser.load_all.click()
    assert "ExpiredTokenException" in failed.args[0] and "renew it and try again" in failed.args[0]
    assert browser.expired_bar.isVisible() and ids(browser.model.items) == before
    with qtbot.waitSignal(browser.readFinished, timeout=60000):
        browser.renew_button.click()  # a fresh assume, then the read goes on by itself
    qtbot.waitUntil(lambda: not browser.model.loading, timeout=60000)
    finish(qtbot, browser)
    assert ids(browser.model.items)[: len(before)] == before


# ---- the keyring locks or goes away while the app runs -----------------------------------


@pytest.fixture
def own_keyring(tmp_path, monkeypatch, secret_service):
    """A Secret Service of this test's own, so it can be locked or killed."""
    import keyring.core
    import secretstorage

    from core import vault

    home = tmp_path / "keyring-home"
    home.mkdir()
    service, procs = _start_secret_service(home)
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", service.address)
    wait_for_secret_service()
    keyring.core.init_backend()
    vault.reset_probe()

    def lock() -> None:
        with closing(secretstorage.dbus_init()) as connection:
            secretstorage.get_default_collection(connection).lock()

    def kill() -> None:
        daemon, bus = procs
        for proc in (bus, daemon):  # the bus first, so it cannot start a new daemon
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=10)

    yield vault.open_keyring(), lock, kill
    # What keyring left unclosed is closed here, in this test, not by a later test's
    # collection (where the ResourceWarning would fail that test).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=10)
        if proc.stdout:
            proc.stdout.close()
    monkeypatch.undo()
    keyring.core.init_backend()
    vault.reset_probe()


# keyring's SecretService backend leaves its D-Bus socket open when the collection is locked
# (keyring 25, get_preferred_collection); the garbage collector closes it, with a warning.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize("trouble", ["lock", "kill"])
def test_the_keyring_locking_or_vanishing_is_a_banner_and_sessions_go_on(
    own_keyring, make_window, qtbot, trouble
):
    store, lock, kill = own_keyring
    window = make_window(store_factory=lambda: store)
    controller = window.controller
    assert assume(qtbot, window, "reader")[0] == 0
    assert store.get("session:reader")  # kept in the keyring while it works
    kept = controller.sessions.get("reader")
    (lock if trouble == "lock" else kill)()
    which, args = assume(qtbot, window, "partner")
    assert which == 0, args
    expected = {"lock": "KeyringLocked", "kill": ""}[trouble]
    assert window.banners.banner.isVisible()
    text = window.banners.banner.text()
    assert text.startswith("The keyring (SecretService.Keyring) failed to ") and expected in text
    assert "New sessions are kept in memory only until the keyring answers again" in text
    assert controller.sessions.get("reader") is kept and controller.sessions.get("partner")
    assert window.model.rowCount() > 0 and "reader" in controller.config.roles
    # a chain whose first hop is read from the (failing) cache still gets assumed
    assert assume(qtbot, window, "admin")[0] == 0
    assert set(controller.sessions.sessions) == {"reader", "partner", "admin"}


def test_the_cli_goes_on_without_the_cache_when_the_keyring_is_locked(aws, own_keyring):
    from tests.conftest import run_cli

    _, lock, _ = own_keyring
    lock()
    result = run_cli("export", "reader", env=aws.env())
    assert result.returncode == 0, result.stderr
    assert "AWS_SESSION_TOKEN" in result.stdout
    assert "failed to read: KeyringLocked" in result.stderr
    assert "new sessions are not cached until it answers again" in result.stderr


# ---- the config cannot be written: the person is told, nothing is lost ------------------


def test_a_save_that_fails_is_told_and_the_file_and_window_stay(window, qtbot, aws, monkeypatch):
    from core import configfile

    original = aws.config.read_bytes()
    roles = sorted(window.controller.config.roles)
    assert assume(qtbot, window, "reader")[0] == 0

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(configfile.os, "fsync", full)
    with qtbot.waitSignal(window.controller.writeFailed, timeout=20000) as failed:
        window.controller.save_role("reader", {"region": "us-east-2"})
    assert failed.args[0] == (
        f"cannot write {aws.config}: No space left on device; it was left as it was"
    )
    assert window.detail.error.isVisible() and window.detail.error.text() == failed.args[0]
    assert aws.config.read_bytes() == original
    assert sorted(window.controller.config.roles) == roles
    assert window.controller.sessions.get("reader") is not None
