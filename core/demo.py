"""The embedded demo AWS: a moto server on loopback, seeded with roles and tables, and beside it
a stand-in for IAM Identity Center (moto has none) whose portal grants roles in two accounts.

`rolecall demo-server` runs it; `rolecall --demo` (the app or a command) starts that as a
child process of its own (`spawn`, `activate`), because moto building a big answer holds the
GIL for seconds and would freeze a window beside it. It never touches the person's own
config or keychain: the config and credentials files live in a private temporary folder
that goes with the child, and sessions are kept in memory only.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.demo_seed import (
    ORDER_COUNT,
    PORTAL_ACCOUNTS,
    PORTAL_SESSION_NAME,
    REGION,
    seed,
    write_files,
)
from core.errors import RolecallError

if TYPE_CHECKING:
    from moto.server import ThreadedMotoServer

    from core.console_standin import ConsoleStandIn
    from core.portal_standin import IssueCredentials, StandIn

READY_TIMEOUT = 120.0  # seeding takes about 5 s here; a slow machine gets room


@dataclass
class Demo:
    """The demo AWS running in this process: only ever in its own (`rolecall demo-server`)."""

    endpoint: str
    folder: Path
    server: ThreadedMotoServer
    seconds_to_start: float
    portal: StandIn
    console: ConsoleStandIn

    @property
    def environment(self) -> dict[str, str]:
        return environment(self.endpoint, self.folder, self.portal.url, self.console.base)

    def announcement(self) -> str:
        """The one line a parent reads once the demo is up (no secret: the keys stay in files)."""
        return json.dumps(
            {
                "endpoint": self.endpoint,
                "seconds": self.seconds_to_start,
                "portal": self.portal.url,
                "console": self.console.base,
            }
        )

    def stop(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)  # first: it holds the demo user's keys
        self.console.stop()
        self.portal.stop()
        self.server.stop()


def environment(endpoint: str, folder: Path, portal: str = "", console: str = "") -> dict[str, str]:
    env = {
        "AWS_CONFIG_FILE": str(folder / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(folder / "credentials"),
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_REGION": REGION,
    }
    if portal:  # botocore's service-specific endpoints: the stand-in, not moto, answers these
        env["AWS_ENDPOINT_URL_SSO"] = portal
        env["AWS_ENDPOINT_URL_SSO_OIDC"] = portal
    if console:  # the console's stand-in: the sign-in endpoint and the console pages
        env["ROLECALL_FEDERATION_URL"] = console + "/federation"
        env["ROLECALL_CONSOLE_URL"] = console
    # Last: readers of `rolecall demo-server`'s export lines stop at ROLECALL_DEMO.
    env["ROLECALL_SESSION_STORE"] = "memory"
    env["ROLECALL_DEMO"] = "1"
    return env


def start(order_count: int = ORDER_COUNT, folder: Path | None = None) -> Demo:
    """Start and seed a moto server on 127.0.0.1 (a free port), with IAM policies enforced, and
    the Identity Center stand-in beside it (another free port).

    moto holds the GIL for seconds while it builds a big answer: call this only in a process
    of its own (`rolecall demo-server`), never in one with a window."""
    import logging

    try:
        from moto.server import ThreadedMotoServer
    except ImportError:
        raise RolecallError(
            "the demo needs moto: install Rolecall with its demo extra "
            "(pip install 'rolecall[demo]')"
        ) from None

    began = time.monotonic()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    folder = folder or private_folder()
    portal: StandIn | None = None
    from core.console_standin import ConsoleStandIn

    console = ConsoleStandIn().start()
    try:
        keys = seed(endpoint, order_count)
        portal = start_portal(endpoint, keys)
        write_files(folder, keys, portal.url)
        enforce_policies()
    except BaseException:
        if portal is not None:
            portal.stop()
        console.stop()
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return Demo(endpoint, folder, server, time.monotonic() - began, portal, console)


def start_portal(endpoint: str, keys: dict[str, str]) -> StandIn:
    """The demo's Identity Center stand-in, granting the seeded portal roles."""
    from core.portal_standin import Account, StandIn

    accounts = [
        Account(a.account_id, a.name, a.email, tuple(role for role, _ in a.roles))
        for a in PORTAL_ACCOUNTS
    ]
    portal = StandIn(accounts, portal_credentials(endpoint, keys))
    portal.start()
    return portal


def portal_credentials(endpoint: str, keys: dict[str, str]) -> IssueCredentials:
    """What the portal hands out: a real moto session of the role, assumed by the demo user
    (so the role's policy is what moto enforces). The STS client is made on first use:
    building it would slow the demo's start."""
    made: list[Any] = []
    lock = threading.Lock()

    def issue(account_id: str, role_name: str) -> dict[str, Any]:
        with lock:
            if not made:
                import boto3

                made.append(
                    boto3.session.Session().client(
                        "sts",
                        endpoint_url=endpoint,
                        region_name=REGION,
                        aws_access_key_id=keys["id"],
                        aws_secret_access_key=keys["secret"],
                    )
                )
        creds = made[0].assume_role(
            RoleArn=f"arn:aws:iam::{account_id}:role/{role_name}",
            RoleSessionName=PORTAL_SESSION_NAME,
        )["Credentials"]
        return {
            "accessKeyId": creds["AccessKeyId"],
            "secretAccessKey": creds["SecretAccessKey"],
            "sessionToken": creds["SessionToken"],
            "expiration": int(creds["Expiration"].timestamp() * 1000),
        }

    return issue


def private_folder() -> Path:
    """A new folder only this user can enter, for the demo's config and keys."""
    return Path(tempfile.mkdtemp(prefix="rolecall-demo-"))


def folder_from_parent() -> Path:
    """In the demo's own process: the folder its parent made (and removes, whatever happens)."""
    return Path(os.environ["ROLECALL_DEMO_FOLDER"])


def watch_parent() -> None:
    """In the demo's own process: take SIGTERM when the process that started it goes, however
    it goes (quit, crash, SIGKILL). Its end of our stdin closes then, on every platform; on
    Linux the kernel also sends the signal itself (PR_SET_PDEATHSIG)."""
    if sys.platform.startswith("linux") and os.environ.get("ROLECALL_DEMO_PDEATHSIG"):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # 1: PR_SET_PDEATHSIG
    parent = os.environ.get("ROLECALL_DEMO_PARENT")

    def read_until_closed() -> None:
        if not parent or os.getppid() == int(parent):  # else gone before prctl took effect
            while sys.stdin.buffer.read(4096):
                pass
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=read_until_closed, name="demo-parent", daemon=True).start()


def server_command() -> list[str]:
    """`rolecall demo-server --child`, run by the same Python (or the same bundle)."""
    if getattr(sys, "frozen", False):
        return [sys.executable, "demo-server", "--child"]
    return [sys.executable, "-m", "core.cli", "demo-server", "--child"]


class DemoProcess:
    """The demo AWS as the app and the CLI see it: a child process of its own, which ends
    (and removes its folder) when this process ends or calls `stop()`."""

    def __init__(self, process: subprocess.Popen[str], folder: Path) -> None:
        self.process = process
        self.folder = folder
        self.endpoint = ""
        self.portal = ""
        self.console = ""
        self.seconds_to_start = 0.0
        self._lock = threading.Lock()

    @property
    def environment(self) -> dict[str, str]:
        assert self.endpoint, "wait_ready() first"
        return environment(self.endpoint, self.folder, self.portal, self.console)

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> DemoProcess:
        """Block (off the GUI thread) until the child says it is up; a sentence if it cannot."""
        with self._lock:
            if self.endpoint:
                return self
            lines: list[str] = []
            assert self.process.stdout is not None
            stdout = self.process.stdout
            reader = threading.Thread(target=lambda: lines.append(stdout.readline()), daemon=True)
            reader.start()
            reader.join(timeout)
            if reader.is_alive():
                self.stop()
                raise RolecallError(f"the demo AWS did not start within {timeout:.0f} s")
            try:
                answer = json.loads(lines[0] if lines else "")
            except ValueError:
                code = self.process.wait()
                raise RolecallError(
                    f"the demo AWS stopped before it was ready (exit code {code}); "
                    "run `rolecall demo-server` in a terminal to see why"
                ) from None
            if "error" in answer:
                self.process.wait()
                raise RolecallError(f"the demo AWS could not start: {answer['error']}")
            self.endpoint = answer["endpoint"]
            self.portal = answer.get("portal", "")
            self.console = answer.get("console", "")
            self.seconds_to_start = float(answer["seconds"])
            return self

    def stop(self, timeout: float = 10) -> None:
        """Close the child's stdin (it stops its server and removes its folder), wait for it,
        and make sure of both."""
        process = self.process
        try:
            process.stdin.close()  # type: ignore[union-attr]
            process.wait(timeout)
        except (OSError, subprocess.TimeoutExpired):
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()
        shutil.rmtree(self.folder, ignore_errors=True)


_lock = threading.Lock()
_running: list[DemoProcess] = []


def spawn() -> DemoProcess:
    """Start the demo AWS in a child process, once per process (later calls return that one);
    `wait_ready()` tells when it is up. Call it first on the thread that lives as long as the
    demo should: Linux ties the child's end to the thread that started it."""
    with _lock:
        if not _running:
            folder = private_folder()
            env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
            env["ROLECALL_DEMO_PARENT"] = str(os.getpid())
            env["ROLECALL_DEMO_FOLDER"] = str(folder)
            if threading.current_thread() is threading.main_thread():
                env["ROLECALL_DEMO_PDEATHSIG"] = "1"
            process = subprocess.Popen(
                server_command(),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                env=env,
                text=True,
            )
            _running.append(DemoProcess(process, folder))
            atexit.register(deactivate)
        return _running[0]


def activate() -> DemoProcess:
    """Start the demo AWS (once per process), wait until it is up, and point this process's
    AWS settings at it."""
    try:
        running = spawn().wait_ready()
    except RolecallError:
        deactivate()  # the next try starts a new one
        raise
    for name in [n for n in os.environ if n.startswith("AWS_")]:
        del os.environ[name]
    os.environ.update(running.environment)
    return running


def deactivate() -> None:
    """Stop the demo AWS this process started, if any (also done at exit)."""
    with _lock:
        running = _running.pop() if _running else None
    if running is not None:
        running.stop()


def enforce_policies() -> None:
    """From now on moto checks IAM policies on every request (its INITIAL_NO_AUTH_ACTION_COUNT)."""
    from moto import settings
    from moto.core.authorization import ActionAuthenticatorMixin

    settings.INITIAL_NO_AUTH_ACTION_COUNT = ActionAuthenticatorMixin.request_count


def shell_exports(demo: Demo) -> str:
    from core.credentials import sh_quote

    return "".join(f"export {k}={sh_quote(v)}\n" for k, v in demo.environment.items())
