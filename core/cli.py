"""The `rolecall` command: the desktop app by default, and a few commands for terminals."""

from __future__ import annotations

import argparse
import gc
import logging
import os
import re
import sys
import urllib.parse
from collections.abc import Sequence
from typing import Any, NoReturn, TextIO

from core import redact
from core.credentials import (
    FORMATS,
    StaticCredentials,
    TemporaryCredentials,
    environment,
    format_remaining,
    render,
)
from core.errors import ConfigError, MfaRequired, NoKeyringError, RolecallError
from core.profiles import (
    RoleProfile,
    load_config,
    read_ahead,
    validate_mfa_code,
    validate_profile_name,
)
from core.quitting import on_quit_signals

log = logging.getLogger("rolecall")
ACCESS_KEY_ID = re.compile(r"^[A-Z0-9]{16,128}$")


_memory: Any = None


def _memory_store() -> Any:
    from core.vault import MemoryStore

    global _memory
    if _memory is None:
        _memory = MemoryStore()
    return _memory


class UsageError(ConfigError):
    pass


class _Version(argparse.Action):
    """Looks the version up only when asked (importlib.metadata costs start-up time)."""

    def __call__(self, parser: Any, namespace: Any, values: Any, option: Any = None) -> None:
        from core import __version__

        print(f"rolecall {__version__}")
        parser.exit()


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see `rolecall --help`)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="rolecall",
        description="Switch AWS roles, watch session expiry, copy temporary keys. "
        "With no command, starts the desktop app.",
    )
    parser.add_argument("--version", action=_Version, nargs=0, help="show the version and exit")
    parser.add_argument("--demo", action="store_true", help="run against the embedded demo AWS")
    parser.add_argument("--exit-when-shown", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--theme", choices=("system", "light", "dark"), help=argparse.SUPPRESS)
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0,
        help="debug logging, secrets redacted (-vv includes botocore)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def role_command(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text)
        sub.add_argument("profile", nargs="?", help="role profile (default: $AWS_PROFILE)")
        sub.add_argument("--duration", type=int, metavar="S", help="session length in seconds")
        sub.add_argument("--mfa-code", metavar="CODE", help="the 6-digit MFA code")
        sub.add_argument("--no-cache", action="store_true", help="do not use the session cache")
        return sub

    commands.add_parser("list", help="the configured roles and their cached sessions")
    commands.choices["list"].add_argument("--json", action="store_true")
    export = role_command("export", "print the role's temporary keys for a shell or file")
    export.add_argument("--format", choices=FORMATS, default="env")
    role_command("exec", "run a command with the role's temporary keys")
    role_command("credential-process", "JSON for the AWS credential_process setting")
    console = role_command("console", "open the AWS console as the role")
    console.add_argument("--print", action="store_true", help="print the URL instead")
    add_keys = commands.add_parser(
        "add-keys", help="keep a profile's long-term keys in the keyring"
    )
    add_keys.add_argument("name")
    demo_server = commands.add_parser(
        "demo-server", help="run the embedded demo AWS and print the lines to use it"
    )
    # Started by `rolecall --demo`: one JSON line when ready, ends when its stdin closes.
    demo_server.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    serve = commands.add_parser("serve", help="serve credentials to every AWS tool in terminals")
    serve.add_argument("--profile", help="the role to serve first (default: $AWS_PROFILE)")
    serve.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: any)")
    shell_env = commands.add_parser("shell-env", help="the lines that point a shell at Rolecall")
    shell_env.add_argument("--profile", help="stay on this role instead of following the window")
    shell_env.add_argument("--format", choices=("env", "fish", "powershell"), default="env")
    use = commands.add_parser("use", help="switch the role the running endpoint serves")
    use.add_argument("profile")
    forget = commands.add_parser("forget", help="remove cached sessions from the keyring")
    forget.add_argument("profile", nargs="?")
    forget.add_argument("--all", action="store_true")
    return parser


def _keyring_store(demo: bool) -> Any:
    if demo or os.environ.get("ROLECALL_SESSION_STORE") == "memory":
        # Memory only (the demo): nothing outlives this process, the real keychain is untouched.
        return _memory_store()
    from core.vault import open_keyring

    return open_keyring()


class Cli:
    def __init__(self, args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> None:
        self.args = args
        self.out = stdout
        self.err = stderr

    def say(self, text: str) -> None:
        print(text, file=self.err)

    def engine(self, role: RoleProfile | None = None) -> Any:
        from core.sts import Engine
        from core.vault import KeyStore, SessionCache

        use_cache = not getattr(self.args, "no_cache", False)
        needs_keys = role is not None and role.base_kind == "keyring"
        store = None
        if use_cache or needs_keys:
            try:
                store = _keyring_store(self.args.demo)
            except NoKeyringError as exc:
                if needs_keys:
                    raise NoKeyringError(
                        f"profile '{role.base_profile}' keeps its keys in the keyring, but "  # type: ignore[union-attr]
                        f"{exc}"
                    ) from None
                raise
        return Engine(
            config=self.config,
            cache=SessionCache(store) if store is not None and use_cache else None,
            keys=KeyStore(store) if store is not None else None,
        )

    @property
    def config(self) -> Any:
        if not hasattr(self, "_config"):
            self._config = load_config()
        return self._config

    def profile_name(self) -> str:
        name = self.args.profile or os.environ.get("AWS_PROFILE")
        if not name:
            raise UsageError("name a profile, or set AWS_PROFILE")
        return name

    def mfa_prompt(self, role: RoleProfile) -> str:
        if self.args.mfa_code:
            return validate_mfa_code(self.args.mfa_code)
        if not _has_terminal():
            raise MfaRequired(
                f"profile '{role.name}' needs an MFA code from {role.mfa_serial}: "
                "pass --mfa-code, or run `rolecall export` once in a terminal to cache a session"
            )
        import getpass

        for _ in range(3):
            code = getpass.getpass(f"MFA code for {role.mfa_serial}: ").strip()
            try:
                return validate_mfa_code(code)
            except ConfigError as exc:
                self.say(f"rolecall: {exc}")
        raise ConfigError("the MFA code must be exactly 6 digits")

    def credentials(self) -> TemporaryCredentials:
        name = self.profile_name()
        role = self.config.role(name)
        role.check()
        for note in role.notes:
            self.say(f"rolecall: note: profile '{name}': {note}")
        engine = self.engine(role)
        return engine.credentials(
            name,
            mfa_code=self.mfa_prompt,
            duration=self.args.duration,
            use_cache=not self.args.no_cache,
        )

    def cmd_list(self) -> int:
        config = self.config
        sessions: dict[str, TemporaryCredentials] = {}
        note = ""
        try:
            from core.vault import SessionCache

            sessions = SessionCache(_keyring_store(self.args.demo)).sessions()
        except NoKeyringError as exc:
            note = f"rolecall: note: cached sessions not shown: {exc}"
        rows = []
        for role in sorted(config.roles.values(), key=lambda r: (r.account_id, r.name)):
            session = sessions.get(role.name)
            rows.append(
                {
                    "profile": role.name,
                    "account": role.account_id,
                    "role": role.role_name,
                    "role_arn": role.role_arn,
                    "region": role.region,
                    "source": " -> ".join(role.chain) or role.base_kind,
                    "mfa": bool(role.mfa_serial),
                    "external_id": bool(role.external_id),
                    "chained": role.chained,
                    "problems": [str(p) for p in role.problems],
                    "session_expires": session.expiration_iso if session else None,
                    "session_remaining": int(session.remaining().total_seconds())
                    if session
                    else None,
                }
            )
        if self.args.json:
            import json

            print(json.dumps(rows, indent=2), file=self.out)
        else:
            self._table(rows)
        if note:
            self.say(note)
        return 0

    def _table(self, rows: list[dict[str, Any]]) -> None:
        if not rows:
            self.say(f"rolecall: no role profiles in {self.config.config_file}")
            return
        header = ("PROFILE", "ACCOUNT", "ROLE", "REGION", "SOURCE", "FLAGS", "SESSION")
        table = [header]
        for r in rows:
            flags = ",".join(
                f
                for f, on in (
                    ("mfa", r["mfa"]),
                    ("extid", r["external_id"]),
                    ("chained", r["chained"]),
                    ("INVALID", r["problems"]),
                )
                if on
            )
            left = r["session_remaining"]
            session = format_remaining(_seconds(left)) if left is not None else "-"
            table.append(
                (
                    r["profile"],
                    r["account"],
                    r["role"],
                    r["region"] or "-",
                    r["source"] or "-",
                    flags or "-",
                    session,
                )
            )
        widths = [max(len(str(row[i])) for row in table) for i in range(len(header))]
        for row in table:
            print(
                "  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip(),
                file=self.out,
            )
        for r in rows:
            for problem in r["problems"]:
                self.say(f"rolecall: warning: {problem}")

    def cmd_export(self) -> int:
        creds = self.credentials()
        try:
            self.out.write(render(creds, self.args.format))
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
        return 0

    def cmd_credential_process(self) -> int:
        self.out.write(render(self.credentials(), "json"))
        return 0

    def cmd_exec(self) -> int:
        command = self.args.exec_command
        if not command:
            raise UsageError(
                "exec needs a command after --, e.g. rolecall exec PROFILE -- aws s3 ls"
            )
        creds = self.credentials()
        env = dict(os.environ)
        for name in (
            "AWS_PROFILE",
            "AWS_DEFAULT_PROFILE",
            "AWS_SECURITY_TOKEN",
            "AWS_SESSION_TOKEN",
            "AWS_CREDENTIAL_EXPIRATION",
        ):
            env.pop(name, None)
        env.update(environment(creds))
        env["ROLECALL_PROFILE"] = creds.profile
        import signal
        import subprocess

        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # the child gets Ctrl-C itself
        try:
            code = subprocess.call(command, env=env)
        except FileNotFoundError:
            raise ConfigError(f"command not found: {command[0]}") from None
        except PermissionError:
            raise ConfigError(f"command cannot be run (permission denied): {command[0]}") from None
        finally:
            signal.signal(signal.SIGINT, previous)
        return 128 - code if code < 0 else code

    def cmd_console(self) -> int:
        from core.console import signin_url

        creds = self.credentials()
        role = self.config.role(creds.profile)
        url = signin_url(
            creds, role.partition, session_duration=self.args.duration, chained=role.chained
        )
        if self.args.print:
            print(url, file=self.out)
            return 0
        import webbrowser

        if not webbrowser.open(url):
            raise RolecallError("no web browser could be opened: use `rolecall console --print`")
        self.say(f"rolecall: opened the AWS console as {creds.assumed_role_arn}")
        return 0

    def cmd_add_keys(self) -> int:
        from core.configfile import set_profile
        from core.vault import KeyStore

        name = validate_profile_name(self.args.name)
        if name in self.config.roles:
            raise ConfigError(f"profile '{name}' is a role; keys belong to its source profile")
        store = _keyring_store(self.args.demo)
        key_id, secret = self._read_keys()
        KeyStore(store).set(name, StaticCredentials(key_id, secret))
        if name not in self.config.profiles:
            set_profile(self.config.config_file, name, {})
            self.say(f"rolecall: added [profile {name}] to {self.config.config_file}")
        self.say(f"rolecall: keys for '{name}' saved in the keyring ({store.name})")
        return 0

    def _read_keys(self) -> tuple[str, str]:
        import getpass

        if sys.stdin.isatty():
            key_id = input("Access key ID: ").strip()
            secret = getpass.getpass("Secret access key: ").strip()
        else:
            lines = sys.stdin.read().split()
            key_id, secret = (lines + ["", ""])[:2]
        redact.register(secret)
        if not ACCESS_KEY_ID.match(key_id):
            raise ConfigError("the access key ID should be 16 or more capital letters and digits")
        if len(secret) < 16 or any(c.isspace() for c in secret):
            raise ConfigError("the secret access key should be 40 characters with no spaces")
        return key_id, secret

    def cmd_forget(self) -> int:
        from core.vault import SessionCache

        if not self.args.all and not self.args.profile:
            raise UsageError("name a profile, or pass --all")
        cache = SessionCache(_keyring_store(self.args.demo))
        if self.args.all:
            names = cache.forget_all()
            self.say(f"rolecall: forgot {len(names)} cached session(s)")
        elif cache.forget(self.args.profile):
            self.say(f"rolecall: forgot the cached session of '{self.args.profile}'")
        else:
            self.say(f"rolecall: no cached session for '{self.args.profile}'")
        return 0

    def cmd_serve(self) -> int:
        import threading

        from core import endpoint
        from core.sts import Engine
        from core.vault import KeyStore, MemoryStore, SessionCache

        try:
            store = _keyring_store(self.args.demo)
        except NoKeyringError as exc:
            self.say(f"rolecall: note: {exc}; sessions are kept in memory while serving")
            store = MemoryStore()
        engine = Engine(config=self.config, cache=SessionCache(store), keys=KeyStore(store))
        current = self.args.profile or os.environ.get("AWS_PROFILE")
        if current:
            self.config.role(current).check()
        stop = threading.Event()
        # From before the endpoint is announced, a quit signal ends it with its clean-up.
        with on_quit_signals(stop.set):
            server = endpoint.CredentialEndpoint(
                engine.usable, port=self.args.port, current=current
            ).start()
            try:
                endpoint.publish(server)
                refresher = threading.Thread(
                    target=_refresh_loop, args=(engine, server, stop), daemon=True
                )
                refresher.start()
                self.out.write(endpoint.shell_lines(server.url(), server.token))
                self.out.flush()
                self.say(
                    f"rolecall: serving {current or 'no role yet'} at {server.url()}; "
                    "`rolecall use PROFILE` switches, Ctrl-C stops"
                )
                stop.wait()
            finally:
                stop.set()
                server.stop()
                endpoint.unpublish()
        self.say("rolecall: endpoint stopped")
        return 0

    def cmd_shell_env(self) -> int:
        from core import endpoint

        info = endpoint.find_running()
        url = info["url"] + "/role"
        if self.args.profile:
            self.config.role(self.args.profile)
            url += "/" + urllib.parse.quote(self.args.profile, safe="")
        self.out.write(endpoint.shell_lines(url, info["token"], self.args.format))
        if "default" in self.config.static_key_profiles:
            self.say(
                "rolecall: warning: the [default] profile has keys in the credentials "
                "file; AWS SDKs use those before Rolecall's endpoint"
            )
        return 0

    def cmd_use(self) -> int:
        from core import endpoint

        self.config.role(self.args.profile).check()
        info = endpoint.find_running()
        endpoint.control(info, "/control/use/" + urllib.parse.quote(self.args.profile, safe=""))
        self.say(f"rolecall: terminals now get the role of '{self.args.profile}'")
        return 0

    def cmd_demo_server(self) -> int:
        import json
        import threading

        from core import demo

        stop = threading.Event()
        child = self.args.child
        seeding = True

        def quit_now() -> None:
            if seeding:  # start() removes what it made so far
                raise SystemExit(0)
            stop.set()

        with on_quit_signals(quit_now):
            if child:
                demo.watch_parent()
            try:
                running = demo.start(folder=demo.folder_from_parent() if child else None)
            except RolecallError as exc:
                if not child:
                    raise
                print(json.dumps({"error": str(exc)}), file=self.out, flush=True)
                return exc.exit_code
            seeding = False
            try:
                if child:
                    print(running.announcement(), file=self.out, flush=True)
                else:
                    self.out.write(demo.shell_exports(running))
                    self.out.flush()
                    self.say(
                        f"rolecall: demo AWS at {running.endpoint}, ready in "
                        f"{running.seconds_to_start:.1f} s. Paste the lines above into another "
                        "terminal, then try `rolecall list`. Ctrl-C stops it."
                    )
                stop.wait()
            except BrokenPipeError:  # the app went while we were starting
                pass
            finally:
                running.stop()
        if child:
            # Its work is done; tearing moto's modules down would keep the app waiting 1.4 s.
            os._exit(0)
        self.say("rolecall: demo AWS stopped")
        return 0

    def cmd_gui(self) -> int:
        # Start-up makes many objects and few cycles: the collector waits until the window is
        # up (gui.app turns it back on), instead of walking the new objects again and again.
        gc.disable()
        # The demo seeds its own config when its AWS is up; otherwise read it while Qt loads.
        first_config = None if self.args.demo else read_ahead()
        try:
            from gui.app import run
        except ImportError as exc:
            if "gui.app" not in str(exc) and getattr(exc, "name", "") != "gui":
                raise RolecallError(f"the desktop app cannot start: {exc}") from None
            raise RolecallError(
                "the desktop app is not part of this build yet: use the commands in "
                "`rolecall --help`"
            ) from None
        return run(
            demo=self.args.demo,
            exit_when_shown=self.args.exit_when_shown,
            theme_choice=self.args.theme,
            first_config=first_config,
        )


def _refresh_loop(engine: Any, server: Any, stop: Any, every: float = 30) -> None:
    while not stop.wait(every):
        refresh_served(engine, server)


def refresh_served(engine: Any, server: Any) -> None:
    """Keep the served role's session fresh: re-assume when 10 minutes or less remain. The
    cached session is replaced only by a new one, so a failed refresh leaves it served."""
    from datetime import timedelta

    profile = server.current
    if not profile:
        return
    try:
        cached = engine.cached(profile)
        if cached is None or cached.remaining(engine.clock()) <= timedelta(minutes=10):
            engine.credentials(profile, fresh=True)
    except RolecallError as exc:
        log.warning("could not refresh %s: %s", profile, exc)
    except Exception as exc:  # noqa: BLE001 - the refresher thread must go on
        log.debug("unexpected failure", exc_info=True)
        log.warning("could not refresh %s: unexpected %s", profile, type(exc).__name__)


def _seconds(value: int) -> Any:
    from datetime import timedelta

    return timedelta(seconds=value)


def _has_terminal() -> bool:
    try:
        fd = os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY)
    except OSError:
        return sys.stdin.isatty()
    os.close(fd)
    return True


def split_exec(argv: list[str]) -> tuple[list[str], list[str]]:
    if "exec" in argv and "--" in argv and argv.index("--") > argv.index("exec"):
        cut = argv.index("--")
        return argv[:cut], argv[cut + 1 :]
    return argv, []


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    own, command = split_exec(argv)
    try:
        args = build_parser().parse_args(own)
        args.exec_command = command
        if args.verbose:
            from core.redact import configure_logging

            configure_logging(args.verbose)
        if args.demo and args.command not in (None, "demo-server"):
            from core import demo

            demo.activate()
        cli = Cli(args, sys.stdout, sys.stderr)
        handler = getattr(cli, f"cmd_{(args.command or 'gui').replace('-', '_')}")
        code: int = handler()
        return code
    except RolecallError as exc:
        print(f"rolecall: error: {redact.redact(str(exc))}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("rolecall: error: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - the promise is: never a traceback
        log.debug("unexpected failure", exc_info=True)
        print(
            f"rolecall: error: unexpected {type(exc).__name__}: {redact.redact(str(exc))} "
            "(run with -v for details)",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
