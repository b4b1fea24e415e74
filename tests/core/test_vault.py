"""Secrets in the keyring: a real Secret Service (gnome-keyring), and the no-keyring path."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import keyring
import pytest
from keyring.backends import fail, null

from core import vault
from core.credentials import StaticCredentials, TemporaryCredentials
from core.errors import NoKeyringError
from core.vault import KeyStore, MemoryStore, SessionCache

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)


def session(profile="reader", minutes=60, key="ASIAEXAMPLE00000001"):
    return TemporaryCredentials(
        key,
        "secret-" + key,
        "token-" + key,
        NOW + timedelta(minutes=minutes),
        assumed_role_arn="arn:aws:sts::123456789012:assumed-role/Reader/alice",
        profile=profile,
    )


@pytest.mark.keyring
def test_the_real_keyring_is_a_secret_service(real_keyring):
    assert "SecretService" in real_keyring.name


@pytest.mark.keyring
def test_sessions_survive_in_the_keyring_and_are_purged_when_expired(real_keyring):
    clock = [NOW]
    cache = SessionCache(real_keyring, clock=lambda: clock[0])
    cache.forget_all()
    cache.put(session("reader", 60))
    cache.put(session("admin", 10, key="ASIAEXAMPLE00000002"))
    fresh = SessionCache(vault.open_keyring(), clock=lambda: clock[0])
    assert sorted(fresh.sessions()) == ["admin", "reader"]
    clock[0] = NOW + timedelta(minutes=11)
    assert sorted(fresh.sessions()) == ["reader"]
    assert real_keyring.get("session:admin") is None


@pytest.mark.keyring
def test_long_term_keys_round_trip_and_can_be_deleted(real_keyring):
    keys = KeyStore(real_keyring)
    keys.set("person", StaticCredentials("AKIAIOSFODNN7EXAMPLE", "k" * 40))
    assert keys.get("person") == StaticCredentials("AKIAIOSFODNN7EXAMPLE", "k" * 40)
    keys.delete("person")
    assert keys.get("person") is None


@pytest.mark.keyring
def test_forget_all_clears_every_cached_session(real_keyring):
    cache = SessionCache(real_keyring, clock=lambda: NOW)
    cache.put(session("a"))
    cache.put(session("b"))
    assert set(cache.forget_all()) >= {"a", "b"}
    assert cache.sessions() == {}


def test_a_session_close_to_expiry_is_not_reused():
    cache = SessionCache(MemoryStore(), min_remaining=timedelta(minutes=5), clock=lambda: NOW)
    cache.put(session(minutes=6))
    assert cache.get("reader") is not None
    cache.put(session(minutes=5))
    assert cache.get("reader") is None


def test_a_session_for_another_role_arn_is_not_reused():
    cache = SessionCache(MemoryStore(), clock=lambda: NOW)
    cache.put(session())
    assert cache.get("reader", "arn:aws:iam::123456789012:role/team/Reader") is not None
    assert cache.get("reader", "arn:aws:iam::123456789012:role/Writer") is None


@pytest.mark.parametrize("backend", [null.Keyring(), fail.Keyring()])
def test_null_and_fail_backends_count_as_no_keyring(monkeypatch, backend):
    monkeypatch.setattr(keyring, "get_keyring", lambda: backend)
    vault.reset_probe()
    try:
        with pytest.raises(NoKeyringError, match=r"gnome-keyring or KWallet.*--no-cache"):
            vault.open_keyring()
    finally:
        vault.reset_probe()


def test_a_low_priority_backend_is_not_trusted(monkeypatch):
    class Plaintext(keyring.backend.KeyringBackend):
        """Like keyrings.alt's plaintext file: it works, but nobody should keep keys there."""

        priority = 0.5

        def get_password(self, service, username):
            return None

        def set_password(self, service, username, password):
            raise AssertionError("must never be written to")

        def delete_password(self, service, username):
            pass

    monkeypatch.setattr(keyring, "get_keyring", lambda: Plaintext())
    vault.reset_probe()
    try:
        assert vault.recommended_backend() is None
    finally:
        vault.reset_probe()


@pytest.mark.keyring
def test_the_direct_read_finds_what_keyring_wrote_and_nothing_else(
    real_keyring, monkeypatch, tmp_path
):
    real_keyring.set("session:direct", '{"a": "secret value"}')
    reader = vault.quick_reader()
    assert reader is not None
    assert reader.get("session:direct") == '{"a": "secret value"}'
    assert reader.get("session:nobody") is None
    reader.delete("session:direct")  # reads only: keyring's path purges
    assert real_keyring.get("session:direct") == '{"a": "secret value"}'
    real_keyring.delete("session:direct")
    assert reader.get("session:direct") is None


def test_the_direct_read_steps_aside_where_keyring_would_choose_otherwise(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.delenv("ROLECALL_SESSION_STORE", raising=False)
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.SecretService.Keyring")
    assert vault.quick_reader() is not None
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND")
    assert vault.quick_reader() is not None  # keyring's own choice on Linux
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")
    assert vault.quick_reader() is None
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND")
    (tmp_path / "python_keyring").mkdir()
    (tmp_path / "python_keyring" / "keyringrc.cfg").write_text("[backend]\ndefault-keyring=x\n")
    assert vault.quick_reader() is None
    (tmp_path / "python_keyring" / "keyringrc.cfg").unlink()
    monkeypatch.setenv("ROLECALL_SESSION_STORE", "memory")
    assert vault.quick_reader() is None


def test_the_direct_read_without_a_secret_service_is_a_miss_not_an_error(monkeypatch, tmp_path):
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path / 'no-bus'}")
    assert vault.SecretServiceReader().get("session:reader") is None
