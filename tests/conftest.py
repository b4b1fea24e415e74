"""Shared fixtures: a real moto server over HTTP, a private AWS config, a real Secret Service."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ACCOUNT = "123456789012"
BASE_KEY_ID = "AKIAIOSFODNN7EXAMPLE"
BASE_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
ROLECALL = [sys.executable, "-m", "core.cli"]


@pytest.fixture(scope="session")
def moto_url():
    """One moto server for the whole run, reached over real HTTP on loopback."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def assume_role_calls(account: str = ACCOUNT) -> list:
    """The AssumeRole calls moto has answered for an account (moto runs in this process)."""
    from moto.sts.models import sts_backends

    return list(sts_backends[account]["aws"].assumed_roles)


@dataclass
class AwsFiles:
    root: Path
    config: Path
    credentials: Path
    endpoint: str

    def write_config(self, text: str) -> None:
        self.config.write_text(textwrap.dedent(text).lstrip())

    def env(self, **extra: str) -> dict[str, str]:
        env = dict(os.environ)
        env.update(extra)
        return env


STANDARD_CONFIG = f"""
[profile base]
region = eu-west-1

[profile reader]
role_arn = arn:aws:iam::{ACCOUNT}:role/Reader
source_profile = base
region = eu-west-1

[profile admin]
role_arn = arn:aws:iam::{ACCOUNT}:role/Admin
source_profile = reader
duration_seconds = 7200

[profile mfa]
role_arn = arn:aws:iam::{ACCOUNT}:role/Secure
source_profile = base
mfa_serial = arn:aws:iam::{ACCOUNT}:mfa/alice

[profile partner]
role_arn = arn:aws:iam::{ACCOUNT}:role/Partner
source_profile = base
external_id = partner-4711
role_session_name = alice
"""


@pytest.fixture
def aws(tmp_path, monkeypatch, moto_url) -> AwsFiles:
    """A private AWS config and credentials file, with every AWS variable pointed at them."""
    for name in list(os.environ):
        if name.startswith("AWS_") or name.startswith("ROLECALL_"):
            monkeypatch.delenv(name)
    files = AwsFiles(tmp_path, tmp_path / "config", tmp_path / "credentials", moto_url)
    files.write_config(STANDARD_CONFIG)
    files.credentials.write_text(
        f"[base]\naws_access_key_id = {BASE_KEY_ID}\naws_secret_access_key = {BASE_SECRET}\n"
    )
    monkeypatch.setenv("AWS_CONFIG_FILE", str(files.config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(files.credentials))
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_url)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    return files


def run_cli(*args: str, input: str | None = None, env=None, timeout: float = 60):
    return subprocess.run(
        [*ROLECALL, *args],
        capture_output=True,
        text=True,
        input=input,
        env=env,
        timeout=timeout,
        cwd=ROOT,
    )


@dataclass
class SecretService:
    address: str


def _start_secret_service(tmp: Path) -> tuple[SecretService, list[subprocess.Popen]]:
    """A D-Bus session and a gnome-keyring of their own, everything under `tmp` (a daemon
    that saw another runtime dir would look for, and defer to, a daemon there)."""
    env = dict(
        os.environ,
        HOME=str(tmp),
        XDG_DATA_HOME=str(tmp / "data"),
        XDG_RUNTIME_DIR=str(tmp / "run"),
    )
    (tmp / "run").mkdir(mode=0o700)
    # A session bus without service activation: nothing can start a second keyring daemon
    # (racing ours for the same files) or a password prompter while ours starts.
    bus_config = tmp / "bus.conf"
    bus_config.write_text(
        "<!DOCTYPE busconfig PUBLIC '-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN'"
        " 'http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd'>"
        f"<busconfig><type>session</type><listen>unix:dir={tmp / 'run'}</listen>"
        "<policy context='default'><allow send_destination='*' eavesdrop='true'/>"
        "<allow eavesdrop='true'/><allow own='*'/></policy></busconfig>"
    )
    dbus = subprocess.Popen(
        ["dbus-daemon", f"--config-file={bus_config}", "--nofork", "--print-address=1"],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    address = dbus.stdout.readline().strip()  # type: ignore[union-attr]
    env["DBUS_SESSION_BUS_ADDRESS"] = address
    daemon = subprocess.Popen(
        ["gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets"],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    daemon.stdin.write(b"test-keyring-password")  # type: ignore[union-attr]
    daemon.stdin.close()  # type: ignore[union-attr]
    return SecretService(address), [daemon, dbus]


def wait_for_secret_service(timeout: float = 20) -> None:
    """Until the keyring daemon owns org.freedesktop.secrets on DBUS_SESSION_BUS_ADDRESS
    (D-Bus says so with NameOwnerChanged), and its login collection is unlocked."""
    import secretstorage
    from jeepney.bus_messages import MatchRule, message_bus
    from jeepney.io.blocking import open_dbus_connection

    name = "org.freedesktop.secrets"
    rule = MatchRule(
        type="signal",
        sender="org.freedesktop.DBus",
        interface="org.freedesktop.DBus",
        member="NameOwnerChanged",
        path="/org/freedesktop/DBus",
    )
    rule.add_arg_condition(0, name)
    with open_dbus_connection(bus="SESSION") as bus:
        bus.send_and_get_reply(message_bus.AddMatch(rule))
        with bus.filter(rule) as owners:
            if not bus.send_and_get_reply(message_bus.NameHasOwner(name)).body[0]:
                bus.recv_until_filtered(owners, timeout=timeout)
    with closing(secretstorage.dbus_init()) as connection:
        assert not secretstorage.get_default_collection(connection).is_locked()


@pytest.fixture(scope="session")
def secret_service(tmp_path_factory):
    """A real gnome-keyring in a private D-Bus session; CI sets ROLECALL_REQUIRE_KEYRING=1."""
    missing = [t for t in ("dbus-daemon", "gnome-keyring-daemon") if not shutil.which(t)]
    if missing:
        message = f"no Secret Service here: {', '.join(missing)} not installed"
        if os.environ.get("ROLECALL_REQUIRE_KEYRING"):
            pytest.fail(message)
        pytest.skip(message)
    service, procs = _start_secret_service(tmp_path_factory.mktemp("keyring"))
    previous = os.environ.get("DBUS_SESSION_BUS_ADDRESS")
    os.environ["DBUS_SESSION_BUS_ADDRESS"] = service.address
    os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.SecretService.Keyring"
    try:
        wait_for_secret_service()
        yield service
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=10)
            if proc.stdout:
                proc.stdout.close()
        os.environ.pop("PYTHON_KEYRING_BACKEND", None)
        if previous is None:
            os.environ.pop("DBUS_SESSION_BUS_ADDRESS", None)
        else:
            os.environ["DBUS_SESSION_BUS_ADDRESS"] = previous


@pytest.fixture
def real_keyring(secret_service):
    """The keyring module bound to the Secret Service, with Rolecall's probe redone."""
    import keyring.core

    from core import vault

    keyring.core.init_backend()
    vault.reset_probe()
    yield vault.open_keyring()
    vault.reset_probe()


@dataclass
class DemoServer:
    env: dict[str, str]
    process: subprocess.Popen


def start_demo_server() -> tuple[dict[str, str], subprocess.Popen[str]]:
    """`rolecall demo-server` as a person starts it, with none of this shell's AWS settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["PYTHONPATH"] = str(ROOT)
    process = subprocess.Popen(
        [*ROLECALL, "demo-server"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    return env, process


def demo_exports(process: subprocess.Popen[str]) -> dict[str, str]:
    """The `export` lines `rolecall demo-server` prints, once it says it is ready."""
    import shlex

    exports: dict[str, str] = {}
    for line in process.stdout:  # type: ignore[union-attr]
        name, value = line.removeprefix("export ").rstrip("\n").split("=", 1)
        exports[name] = shlex.split(value)[0]
        if name == "ROLECALL_DEMO":
            break
    assert any("ready in" in line for line in process.stderr)  # type: ignore[union-attr]
    return exports


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory):
    """`rolecall demo-server` in its own process (moto's IAM enforcement is process-wide)."""
    env, process = start_demo_server()
    exports = demo_exports(process)
    yield DemoServer({**env, **exports}, process)
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=30) == 0
    process.stdout.close()  # type: ignore[union-attr]
    process.stderr.close()  # type: ignore[union-attr]
    assert not Path(exports["AWS_CONFIG_FILE"]).exists()
