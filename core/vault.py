"""Where secrets live: the OS keyring (service `rolecall`), or memory, and nothing else."""

from __future__ import annotations

import json
import logging
import os
import re
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Protocol

from core.clock import Clock, utc_now
from core.credentials import StaticCredentials, TemporaryCredentials
from core.errors import ConfigError, NoKeyringError

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

    from core.profiles import AwsConfig

SERVICE = "rolecall"
DEFAULT_MIN_REMAINING = timedelta(minutes=5)
_INDEX = "sessions-index"
log = logging.getLogger(__name__)


class SecretStore(Protocol):
    name: str

    def get(self, key: str) -> str | None: ...
    def set(self, key: str, value: str) -> None: ...
    def delete(self, key: str) -> None: ...


class MemoryStore:
    """Secrets in this process's memory only: gone when it exits (demo, or no keyring)."""

    name = "memory only"

    def __init__(self) -> None:
        self._data: dict[str, str] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> str | None:
        with self._lock:
            return self._data.get(key)

    def set(self, key: str, value: str) -> None:
        with self._lock:
            self._data[key] = value

    def delete(self, key: str) -> None:
        with self._lock:
            self._data.pop(key, None)


class KeyringStore:
    """The OS keyring through `keyring`, limited to one recommended backend."""

    def __init__(self, backend: KeyringBackend) -> None:
        self._backend = backend
        self.name = describe_backend(backend)

    def _call(self, what: str, fn: Callable[..., str | None], *args: str) -> str | None:
        try:
            return fn(SERVICE, *args)
        except Exception as exc:  # noqa: BLE001 - turned into a sentence
            # The backend's message never holds the value we passed, only what failed. Its
            # traceback's frames do (and keyring's unclosed D-Bus connection when the
            # collection is locked): dropped here, not kept alive by the sentence's context.
            exc.__traceback__ = None
            raise NoKeyringError(
                f"the keyring ({self.name}) failed to {what}: {type(exc).__name__}; "
                "check that it is running and unlocked"
            ) from None

    def get(self, key: str) -> str | None:
        return self._call("read", self._backend.get_password, key)

    def set(self, key: str, value: str) -> None:
        self._call("save", self._backend.set_password, key, value)

    def delete(self, key: str) -> None:
        import keyring.errors

        try:
            self._backend.delete_password(SERVICE, key)
        except keyring.errors.PasswordDeleteError:
            pass
        except Exception as exc:  # noqa: BLE001 - turned into a sentence
            exc.__traceback__ = None
            raise NoKeyringError(
                f"the keyring ({self.name}) failed to delete an entry: {type(exc).__name__}"
            ) from None


def describe_backend(backend: KeyringBackend) -> str:
    cls = type(backend)
    return f"{cls.__module__.replace('keyring.backends.', '')}.{cls.__name__}"


def recommended_backend() -> KeyringBackend | None:
    """The keyring backend to trust, or None: plaintext, null and fail backends never qualify."""
    import keyring
    import keyring.core
    from keyring.backends.chainer import ChainerBackend

    backend = keyring.get_keyring()
    candidates = backend.backends if isinstance(backend, ChainerBackend) else [backend]
    for candidate in candidates:
        if keyring.core.recommended(candidate):
            return candidate
    return None


_probe_lock = threading.Lock()
_probed: list[KeyringBackend | None] = []


def open_keyring() -> KeyringStore:
    """The OS keyring, probed once per process; NoKeyringError says how to get one."""
    with _probe_lock:
        if not _probed:
            _probed.append(recommended_backend())
        backend = _probed[0]
    if backend is None:
        raise NoKeyringError(
            "no usable keyring: start a Secret Service such as gnome-keyring or KWallet "
            "(on macOS and Windows the system keychain is used), or pass --no-cache"
        )
    return KeyringStore(backend)


def reset_probe() -> None:
    with _probe_lock:
        _probed.clear()


KEYRING_DEFAULT_ON_LINUX = "keyring.backends.SecretService.Keyring"


class SecretServiceReader:
    """Reads, without `keyring`, the entries keyring's Secret Service backend wrote: the
    same item it would find (its default scheme, in the default collection). A cached
    `credential-process` call spends about half its own time importing keyring and probing
    its backends; this read skips both. Read-only: writes, purges, and every case this
    cannot read (locked, missing, another backend chosen) go through keyring itself."""

    name = "SecretService (direct read)"

    def get(self, key: str) -> str | None:
        from contextlib import closing

        try:
            import secretstorage

            with closing(secretstorage.dbus_init()) as bus:
                collection = secretstorage.get_default_collection(bus)
                if collection.is_locked():
                    return None
                for item in collection.search_items({"service": SERVICE, "username": key}):
                    return None if item.is_locked() else item.get_secret().decode("utf-8")
        except Exception as exc:  # noqa: BLE001 - any trouble: keyring's own path decides
            exc.__traceback__ = None  # its frames could hold the secret's bytes
        return None

    def set(self, key: str, value: str) -> None:
        """Nothing: this store only reads."""

    def delete(self, key: str) -> None:
        """Nothing: an expired entry is purged by keyring's path, which runs next."""


def quick_reader() -> SecretServiceReader | None:
    """The direct Secret Service read, where keyring would choose Secret Service anyway (on
    Linux, no other backend named by PYTHON_KEYRING_BACKEND or keyring's config file); else
    None."""
    import sys

    if sys.platform != "linux" or os.environ.get("ROLECALL_SESSION_STORE") == "memory":
        return None
    chosen = os.environ.get("PYTHON_KEYRING_BACKEND", KEYRING_DEFAULT_ON_LINUX)
    if chosen != KEYRING_DEFAULT_ON_LINUX:
        return None
    config_home = os.environ.get("XDG_CONFIG_HOME") or os.path.expanduser("~/.config")
    if os.path.exists(os.path.join(config_home, "python_keyring", "keyringrc.cfg")):
        return None
    return SecretServiceReader()


_memory = MemoryStore()


def open_store(demo: bool) -> SecretStore:
    """Where this process keeps secrets: its memory for the demo (or when
    ROLECALL_SESSION_STORE=memory), so nothing outlives it and the real keychain is never
    touched; else the OS keyring, or NoKeyringError saying how to get one."""
    if demo or os.environ.get("ROLECALL_SESSION_STORE") == "memory":
        return _memory
    return open_keyring()


class SessionCache:
    """Cached STS sessions, reused while more than `min_remaining` is left (aws-vault's rule)."""

    def __init__(
        self,
        store: SecretStore,
        min_remaining: timedelta = DEFAULT_MIN_REMAINING,
        clock: Clock = utc_now,
    ) -> None:
        self.store = store
        self.min_remaining = min_remaining
        self.clock = clock
        self._lock = threading.Lock()
        self.trouble: str | None = None  # why the last keyring call failed, until one works

    def trouble_seen(self, error: Exception) -> None:
        """The keyring failed mid-run (locked, or its service went away): say so once."""
        if self.trouble is None:
            log.warning("%s; new sessions are not cached until it answers again", error)
        self.trouble = str(error)

    @staticmethod
    def _key(profile: str) -> str:
        return f"session:{profile}"

    def _index(self) -> list[str]:
        raw = self.store.get(_INDEX)
        try:
            names = json.loads(raw) if raw else []
        except ValueError:
            names = []
        return [n for n in names if isinstance(n, str)]

    def _save_index(self, names: list[str]) -> None:
        self.store.set(_INDEX, json.dumps(sorted(set(names))))

    def _load(self, profile: str) -> TemporaryCredentials | None:
        raw = self.store.get(self._key(profile))
        if not raw:
            return None
        try:
            return TemporaryCredentials.from_json(raw)
        except (ValueError, KeyError, TypeError):
            log.warning("dropping an unreadable cached session for %s", profile)
            self.store.delete(self._key(profile))
            return None

    def get(
        self, profile: str, role_arn: str | None = None, at_least: timedelta | None = None
    ) -> TemporaryCredentials | None:
        """A cached session that is still good for more than `at_least` (min_remaining
        unless given), else None."""
        with self._lock:
            creds = self._load(profile)
            if creds is None:
                return None
            if creds.expired(self.clock()):
                self._forget(profile)
                return None
            if role_arn and creds.assumed_role_arn and not _same_role(creds, role_arn):
                return None
            wanted = self.min_remaining if at_least is None else at_least
            if creds.remaining(self.clock()) <= wanted:
                return None
            return creds

    def put(self, creds: TemporaryCredentials) -> None:
        with self._lock:
            self.store.set(self._key(creds.profile), creds.to_json())
            self._save_index([*self._index(), creds.profile])
            self.trouble = None

    def _forget(self, profile: str) -> None:
        self.store.delete(self._key(profile))
        self._save_index([n for n in self._index() if n != profile])

    def forget(self, profile: str) -> bool:
        with self._lock:
            known = profile in self._index() or self._load(profile) is not None
            self._forget(profile)
            return known

    def forget_all(self) -> list[str]:
        with self._lock:
            names = self._index()
            for name in names:
                self.store.delete(self._key(name))
            self._save_index([])
            return names

    def sessions(self) -> dict[str, TemporaryCredentials]:
        """Every cached session that has not expired; expired ones are purged on the way."""
        with self._lock:
            found: dict[str, TemporaryCredentials] = {}
            for name in self._index():
                creds = self._load(name)
                if creds is None or creds.expired(self.clock()):
                    self._forget(name)
                else:
                    found[name] = creds
            return found


def _same_role(creds: TemporaryCredentials, role_arn: str) -> bool:
    # assumed-role/NAME/session vs role/path/NAME: compare account and role name. The ARN is
    # split as botocore's ArnParser splits it (importing botocore.utils costs a cached
    # `credential-process` a third of its run).
    def parts(arn: str) -> tuple[str, str]:
        fields = arn.split(":", 5)
        if len(fields) != 6 or fields[0] != "arn":
            return "", ""
        pieces = fields[5].split("/")
        if pieces[0] == "assumed-role" and len(pieces) >= 2:
            return fields[4], pieces[1]
        return fields[4], pieces[-1]

    return parts(creds.assumed_role_arn) == parts(role_arn)


class KeyStore:
    """Long-term access keys the person handed to Rolecall (`rolecall add-keys NAME`)."""

    def __init__(self, store: SecretStore) -> None:
        self.store = store

    @staticmethod
    def _key(name: str) -> str:
        return f"keys:{name}"

    def get(self, name: str) -> StaticCredentials | None:
        raw = self.store.get(self._key(name))
        if not raw:
            return None
        data = json.loads(raw)
        return StaticCredentials(data["AccessKeyId"], data["SecretAccessKey"])

    def set(self, name: str, creds: StaticCredentials) -> None:
        self.store.set(
            self._key(name),
            json.dumps(
                {"AccessKeyId": creds.access_key_id, "SecretAccessKey": creds.secret_access_key}
            ),
        )

    def delete(self, name: str) -> None:
        self.store.delete(self._key(name))


ACCESS_KEY_ID = re.compile(r"^[A-Z0-9]{16,128}$")


def check_keys(key_id: str, secret: str) -> None:
    """Long-term keys as IAM makes them, or a sentence saying what is wrong (never the key)."""
    if not ACCESS_KEY_ID.match(key_id):
        raise ConfigError("the access key ID should be 16 or more capital letters and digits")
    if len(secret) < 16 or any(c.isspace() for c in secret):
        raise ConfigError("the secret access key should be 40 characters with no spaces")


def check_keys_profile(config: AwsConfig, name: str) -> None:
    """A profile whose keys Rolecall's keyring would give (new, or with no credentials of its
    own), or a sentence saying where its credentials come from instead."""
    from core.profiles import base_kind, validate_profile_name

    validate_profile_name(name)
    settings = config.profiles.get(name, {})
    if name in config.roles or "role_arn" in settings:
        raise ConfigError(f"profile '{name}' is a role; keys belong to its source profile")
    elsewhere = {
        "static": f"has keys in {config.credentials_file}",
        "sso": "signs in through IAM Identity Center",
        "process": "gets its credentials from a process (credential_process or aws login)",
    }.get(base_kind(name, config))
    if elsewhere:
        raise ConfigError(f"profile '{name}' {elsewhere}, so keys in the keyring would not be used")


def add_keys(store: SecretStore, config: AwsConfig, name: str, creds: StaticCredentials) -> bool:
    """Keep `name`'s long-term keys in `store` (`rolecall add-keys`, "Add access keys…"),
    adding `[profile NAME]` to the config when it is not there (then True). The keys of a
    role would never be used: they belong to its source profile."""
    from core.configfile import set_profile

    check_keys_profile(config, name)
    check_keys(creds.access_key_id, creds.secret_access_key)
    KeyStore(store).set(name, creds)
    if name in config.profiles:
        return False
    set_profile(config.config_file, name, {})
    return True
