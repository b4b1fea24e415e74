"""A refresh never throws a good session away: with the fault proxy between Rolecall and
moto, a refresh that fails (throttling, 5xx, an expired source, a changed trust policy, no
answer at all) leaves the old session listed with its time left, in the keyring, and served
to terminals; once AWS answers again, the next refresh replaces it."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from core.endpoint import CredentialEndpoint, refresh_served
from core.engine import Engine
from core.vault import MemoryStore, SessionCache
from tests.core.test_endpoint import get
from tests.helpers.faultproxy import STS_THROTTLING, UNAVAILABLE, Fault, FaultProxy
from tests.helpers.windows import assume
from tests.reliability.test_faults import EXPIRED

DENIED = Fault(
    403,
    "AccessDenied",
    "User: arn:aws:iam::123456789012:user/base is not authorized to perform: sts:AssumeRole",
)
# (name, the fault STS answers with until healed; None: it does not answer at all)
FAULTS = [
    ("throttled", STS_THROTTLING),
    ("unavailable", UNAVAILABLE),
    ("expired source", EXPIRED),
    ("trust policy changed", DENIED),
    ("no answer", None),
]
ENOUGH = 40  # more faults than the assumes (and their retries) a test makes while broken


def break_sts(proxy: FaultProxy, fault: Fault | None) -> None:
    if fault is None:
        proxy.down()
    else:
        proxy.inject("sts", "AssumeRole", *[fault] * ENOUGH)


def heal(proxy: FaultProxy, fault: Fault | None) -> None:
    if fault is None:
        proxy.up()
    else:
        assert proxy.injected > 0  # the fault was met
        proxy.clear()


def cached_key(store: MemoryStore) -> str:
    return json.loads(store.get("session:reader"))["AccessKeyId"]


def to_minutes_left(clock, creds, minutes: float) -> None:
    clock.now = creds.expiration - timedelta(minutes=minutes)


@pytest.mark.parametrize(("name", "fault"), FAULTS, ids=[f[0] for f in FAULTS])
def test_a_failed_refresh_in_the_window_keeps_the_session_listed_cached_and_served(
    make_window, proxy, qtbot, clock, store, name, fault
):
    window = make_window()
    assume(qtbot, window, "reader")
    first = window.sessions.get("reader")
    endpoint = window.controller.endpoint
    to_minutes_left(clock, first, 9)
    break_sts(proxy, fault)
    with qtbot.waitSignal(window.controller.assumeFailed, timeout=60000) as failed:
        window.sessions.tick()
    profile, message = failed.args
    ends = first.expiration.astimezone()
    assert profile == "reader"
    assert message.startswith(
        "Renewing the session failed: assuming the role of profile 'reader' failed: "
    )
    assert message.endswith(f". The current session stays valid until {ends:%H:%M} (9 min left)")
    assert window.sessions.get("reader") is first
    assert window.card.expiry_label.text() == "09:00"
    assert message in window.detail.error.text()
    assert cached_key(store) == first.access_key_id
    to_minutes_left(clock, first, 4)  # under 5 minutes the endpoint tries to renew first
    status, served = get(endpoint, "/role/reader")
    assert status == 200 and served["AccessKeyId"] == first.access_key_id
    heal(proxy, fault)
    clock.advance(minutes=1, seconds=1)  # the next try, a minute after the failed one
    with qtbot.waitSignal(window.controller.assumed, timeout=60000):
        window.sessions.tick()
    renewed = window.sessions.get("reader")
    assert renewed.access_key_id != first.access_key_id
    # moto's sessions end an hour from the real time, so on this clock the new one is short
    # too and the endpoint may renew it again: what it serves is new, and the cached one.
    served = get(endpoint, "/role/reader")[1]["AccessKeyId"]
    assert served != first.access_key_id and served == cached_key(store)


def test_a_failed_refresh_is_tried_again_a_minute_later_not_every_second(
    make_window, proxy, qtbot, clock
):
    window = make_window()
    assume(qtbot, window, "reader")
    to_minutes_left(clock, window.sessions.get("reader"), 9)
    break_sts(proxy, DENIED)
    with qtbot.waitSignal(window.controller.assumeFailed, timeout=60000):
        window.sessions.tick()
    with qtbot.assertNotEmitted(window.controller.busyChanged):
        clock.advance(seconds=59)
        window.sessions.tick()
    with qtbot.waitSignal(window.controller.busyChanged):
        clock.advance(seconds=2)
        window.sessions.tick()


@pytest.mark.parametrize(("name", "fault"), FAULTS, ids=[f[0] for f in FAULTS])
def test_a_failed_refresh_of_rolecall_serve_keeps_serving_the_session(aws, proxy, name, fault):
    from tests.helpers.stubs import FakeClock

    clock = FakeClock()
    store = MemoryStore()
    engine = Engine(cache=SessionCache(store, clock=clock), clock=clock)
    server = CredentialEndpoint(engine.usable, current="reader", clock=clock).start()
    try:
        first = get(server, "/role")[1]
        creds = engine.cached("reader")
        to_minutes_left(clock, creds, 8)
        break_sts(proxy, fault)
        refresh_served(engine, server)
        assert cached_key(store) == first["AccessKeyId"]
        to_minutes_left(clock, creds, 3)
        status, served = get(server, "/role")
        assert status == 200 and served["AccessKeyId"] == first["AccessKeyId"]
        heal(proxy, fault)
        refresh_served(engine, server)
        assert cached_key(store) != first["AccessKeyId"]
        renewed = get(server, "/role")[1]["AccessKeyId"]
        assert renewed != first["AccessKeyId"] and renewed == cached_key(store)
    finally:
        server.stop()


def test_the_endpoint_stops_serving_a_session_once_it_has_really_ended(aws, proxy):
    from tests.helpers.stubs import FakeClock

    clock = FakeClock()
    engine = Engine(cache=SessionCache(MemoryStore(), clock=clock), clock=clock)
    server = CredentialEndpoint(engine.usable, current="reader", clock=clock).start()
    try:
        assert get(server, "/role")[0] == 200
        clock.now = engine.cached("reader").expiration + timedelta(seconds=1)
        break_sts(proxy, DENIED)
        status, body = get(server, "/role")
        assert status == 502 and "AccessDenied" in body["message"]
    finally:
        server.stop()
