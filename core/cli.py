"""The `rolecall` command: a few commands for terminals, and the desktop app when the launcher
(gui/launcher.py) hands over its start."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import urllib.parse
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol, TextIO

from core import redact
from core.arguments import UsageError, build_parser, quick_parse, split_exec
from core.credentials import StaticCredentials, TemporaryCredentials, environment, render
from core.errors import ConfigError, MfaRequired, NoKeyringError, RolecallError
from core.profiles import (
    AwsConfig,
    RoleProfile,
    load_config,
    validate_mfa_code,
)
from core.quitting import on_quit_signals

if TYPE_CHECKING:
    from core.engine import Engine
    from core.sso import Portal

log = logging.getLogger("rolecall")
DEMO_CONSOLE_SECONDS = 20


class WindowStart(Protocol):
    """Starts the desktop app and runs it until it quits; returns the exit code."""

    def __call__(self, *, demo: bool, exit_when_shown: bool, theme: str | None) -> int: ...


class Cli:
    """One run of the command: its arguments, where it writes, and a handler per command."""

    def __init__(
        self,
        args: argparse.Namespace,
        stdout: TextIO,
        stderr: TextIO,
        start_window: WindowStart | None = None,
    ) -> None:
        self.args = args
        self.out = stdout
        self.err = stderr
        self.start_window = start_window

    def say(self, text: str) -> None:
        print(text, file=self.err)

    def engine(self, role: RoleProfile | None = None) -> Engine:
        from core.engine import Engine
        from core.vault import KeyStore, SessionCache, open_store

        use_cache = not getattr(self.args, "no_cache", False)
        needs_keys = role is not None and role.base_kind == "keyring"
        needs_sign_in = role is not None and role.base_kind == "sso"
        store = None
        if use_cache or needs_keys or needs_sign_in:
            try:
                store = open_store(self.args.demo)
            except NoKeyringError as exc:
                if role is not None and needs_keys:
                    raise NoKeyringError(
                        f"profile '{role.base_profile}' keeps its keys in the keyring, but {exc}"
                    ) from None
                raise
        tokens = None
        if needs_sign_in or role is None:  # Identity Center's module only where it is used
            from core.sso import Tokens

            tokens = Tokens(store, share_with_cli=getattr(self.args, "share_with_cli", False))
        return Engine(
            config=self.config,
            cache=SessionCache(store) if store is not None and use_cache else None,
            keys=KeyStore(store) if store is not None else None,
            tokens=tokens,
        )

    @property
    def config(self) -> AwsConfig:
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
        if not self.args.no_cache:
            cached = self.cached(role)
            if cached is not None:
                return cached
        engine = self.engine(role)
        return engine.credentials(
            name,
            mfa_code=self.mfa_prompt,
            duration=self.args.duration,
            use_cache=not self.args.no_cache,
        )

    def cached(self, role: RoleProfile) -> TemporaryCredentials | None:
        """The keyring's session of a role, read without the engine (botocore's session,
        STS): what every `credential_process` call of an SDK pays, so kept to the least."""
        from core.vault import SessionCache, open_store, quick_reader

        quick = None if self.args.demo else quick_reader()
        found = SessionCache(quick).get(role.name, role.role_arn) if quick else None
        if found is not None:
            return found
        try:
            return SessionCache(open_store(self.args.demo)).get(role.name, role.role_arn)
        except NoKeyringError:
            return None  # the engine's path says why, or assumes and keeps it in memory

    def cmd_list(self) -> int:
        from core.listing import role_rows, table_lines
        from core.vault import SessionCache, open_store

        sessions: dict[str, TemporaryCredentials] = {}
        note = ""
        try:
            sessions = SessionCache(open_store(self.args.demo)).sessions()
        except NoKeyringError as exc:
            note = f"rolecall: note: cached sessions not shown: {exc}"
        rows = role_rows(self.config, sessions)
        if self.args.json:
            import json

            print(json.dumps(rows, indent=2), file=self.out)
        elif not rows:
            self.say(
                f"rolecall: no role profiles in {self.config.config_file}: add one in the app"
                " (File > Add role) or as a profile with role_arn there, or an Identity Center"
                " portal with `rolecall sso add`; `rolecall --demo list` shows some without an"
                " AWS account"
            )
            note = ""  # no role, no session to show: the keyring does not matter yet
        else:
            for line in table_lines(rows):
                print(line, file=self.out)
            for row in rows:
                for problem in row["problems"]:
                    self.say(f"rolecall: warning: {problem}")
        if note:
            self.say(note)
        return 0

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
        from core import browsers, console

        name = self.profile_name()
        role = self.config.role(name)
        target = browsers.Target(name, role.account_id, role.role_name)
        args = self.args
        if args.show and not args.print:
            raise ConfigError("--show goes with --print: it prints the sign-in URL unmasked")
        console.check_duration(chained=role.chained, asked=args.duration)  # before any assume
        destination = console.console_destination(
            role.partition, args.region or role.region, args.service
        )
        browser = None
        if args.close or not args.print:
            browser = browsers.choose(
                args.browser or role.console_browser or os.environ.get(browsers.BROWSER_ENV, ""),
                args.template or role.console_template or "",
            )
        if args.close:
            assert browser is not None
            console.open_in(browser, console.logout_url(role.partition), target, secret=False)
            self.say(f"rolecall: signed the console of '{name}' out in {browser.where(name)}")
            self._demo_stays_up()
            return 0
        creds = self.credentials()
        url = console.role_signin_url(creds, role, destination, asked=args.duration)
        if args.print:
            print(url if args.show else console.masked(url), file=self.out)
            if not args.show:
                self.say(
                    "rolecall: the sign-in token is masked; --show prints it (it signs "
                    "anyone in as the role for 15 minutes)"
                )
            return 0
        assert browser is not None
        redirect = console.open_in(browser, url, target)
        where = browser.where(name)
        if redirect is not None and not redirect.wait(60):
            raise RolecallError(f"{where} did not ask for the sign-in page within a minute")
        self.say(f"rolecall: opened the AWS console as {creds.assumed_role_arn} in {where}")
        self._demo_stays_up()
        return 0

    def _demo_stays_up(self, seconds: int = DEMO_CONSOLE_SECONDS) -> None:
        """The demo's AWS and its console stand-in end with this command: keep them a while,
        for the browser to load the pages (`rolecall --demo`, the window, keeps them)."""
        if self.args.demo:
            import time

            self.say(f"rolecall: the demo's console stays up {seconds} s")
            time.sleep(seconds)

    def cmd_add_keys(self) -> int:
        from core.vault import add_keys, check_keys_profile, open_store

        name = self.args.name
        check_keys_profile(self.config, name)  # before the keys are asked for
        store = open_store(self.args.demo)
        if add_keys(store, self.config, name, StaticCredentials(*self._read_keys())):
            self.say(f"rolecall: added [profile {name}] to {self.config.config_file}")
        self.say(f"rolecall: keys for '{name}' saved in the keyring ({store.name})")
        return 0

    def _read_keys(self) -> tuple[str, str]:
        import getpass

        from core.vault import check_keys

        if sys.stdin.isatty():
            key_id = input("Access key ID: ").strip()
            secret = getpass.getpass("Secret access key: ").strip()
        else:
            lines = sys.stdin.read().split()
            key_id, secret = [*lines, "", ""][:2]
        redact.register(secret)
        check_keys(key_id, secret)
        return key_id, secret

    def cmd_forget(self) -> int:
        from core.vault import SessionCache, open_store

        if not self.args.all and not self.args.profile:
            raise UsageError("name a profile, or pass --all")
        cache = SessionCache(open_store(self.args.demo))
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
        from core.engine import Engine
        from core.vault import KeyStore, MemoryStore, SecretStore, SessionCache, open_store

        store: SecretStore
        try:
            store = open_store(self.args.demo)
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
                    target=endpoint.keep_fresh, args=(engine, server, stop), daemon=True
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

    def cmd_sso(self) -> int:
        from core.sso import find_portal

        if self.args.sso_command == "add":
            return self._sso_add()
        portal = find_portal(self.config, self.args.session)
        engine = self.engine()
        handler = getattr(self, f"_sso_{self.args.sso_command}")
        code: int = handler(engine, portal)
        return code

    def _sso_add(self) -> int:
        from core.configfile import add_sso_session
        from core.sso import Portal

        portal = Portal(self.args.session, self.args.start_url.strip(), self.args.region.strip())
        portal.check()
        path = self.config.config_file
        add_sso_session(path, portal.name, portal.section())
        self.say(
            f"rolecall: added portal '{portal.name}' to {path}; sign in with"
            f" `rolecall sso login {portal.name}`"
        )
        return 0

    def _sso_login(self, engine: Engine, portal: Portal) -> int:
        import webbrowser

        from core.sso_signin import BrowserSignIn, DeviceSignIn, can_open_browser

        browser = not self.args.no_browser and can_open_browser()
        if self.args.device_code or (not browser and not self.args.no_browser):
            device = DeviceSignIn(portal, engine.sso)
            prompt = device.start()
            self.say(
                f"rolecall: to sign in to portal '{portal.name}', open {prompt.verification_uri} "
                f"on any device and enter the code {prompt.user_code} "
                f"(good for {prompt.expires_in // 60} minutes)"
            )
            if browser and prompt.complete_uri:
                webbrowser.open(prompt.complete_uri)
            token = device.finish()
        else:
            flow = BrowserSignIn(portal, engine.sso)
            url = flow.start()
            opened = browser and webbrowser.open(url)
            self.say(
                f"rolecall: {'the browser opened' if opened else 'open this address'} to sign "
                f"in to portal '{portal.name}'"
                + (" (if it did not, open this address)" if opened else "")
                + f":\n{url}"
            )
            token = flow.finish()
        until = token.expires_at.astimezone().strftime("%H:%M")
        self.say(f"rolecall: signed in to portal '{portal.name}' (until {until}, then refreshed)")
        return 0

    def _sso_logout(self, engine: Engine, portal: Portal) -> int:
        engine.sso.logout(portal)
        forgotten = []
        if engine.cache is not None:
            for role in self.config.roles.values():
                base = self.config.roles.get(role.base_profile or "")
                through = portal.name in (role.sso_portal, base.sso_portal if base else None)
                if through and engine.cache.forget(role.name):
                    forgotten.append(role.name)
        also = f" and {len(forgotten)} session(s) obtained through it" if forgotten else ""
        self.say(f"rolecall: signed out of portal '{portal.name}'; its sign-in{also} removed")
        return 0

    def _sso_accounts(self, engine: Engine, portal: Portal) -> int:
        from core.listing import portal_lines

        found = engine.sso.accounts(portal)
        profiles = {
            (r.account_id, r.sso_role_name): r.name
            for r in self.config.roles.values()
            if r.sso_portal == portal.name
        }
        if self.args.json:
            import json

            rows = [
                {
                    "account_id": r.account_id,
                    "account_name": r.account_name,
                    "role_name": r.role_name,
                    "profile": profiles.get((r.account_id, r.role_name)),
                }
                for r in found
            ]
            print(json.dumps(rows, indent=2), file=self.out)
        else:
            for line in portal_lines(found, profiles):
                print(line, file=self.out)
            accounts = len({r.account_id for r in found})
            self.say(f"rolecall: {len(found)} role(s) in {accounts} account(s) of '{portal.name}'")
        return 0

    def _sso_sync(self, engine: Engine, portal: Portal) -> int:
        from core.sso_sync import DEFAULT_TEMPLATE, sync_profiles

        found = engine.sso.accounts(portal)
        result = sync_profiles(
            self.config.config_file,
            portal,
            found,
            template=self.args.template or DEFAULT_TEMPLATE,
            region=self.args.region,
            dry_run=self.args.dry_run,
        )
        verb = "would " if self.args.dry_run else ""
        for what, names in (
            ("add", result.added),
            ("update", result.updated),
            ("remove", result.removed),
        ):
            for name in names:
                self.say(f"rolecall: {verb}{what} [profile {name}]")
        self.say(
            f"rolecall: {verb or ''}{'sync' if verb else 'synced'} {len(found)} role(s) of "
            f"'{portal.name}' into {self.config.config_file}: {len(result.added)} added, "
            f"{len(result.updated)} updated, {len(result.removed)} removed, "
            f"{len(result.unchanged)} unchanged"
        )
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
        if self.start_window is None:
            raise RolecallError(
                "the desktop app starts from the `rolecall` command (gui.launcher), not from "
                "core alone: use the commands in `rolecall --help`"
            )
        return self.start_window(
            demo=self.args.demo, exit_when_shown=self.args.exit_when_shown, theme=self.args.theme
        )


def _has_terminal() -> bool:
    try:
        fd = os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY)
    except OSError:
        return sys.stdin.isatty()
    os.close(fd)
    return True


def main(argv: Sequence[str] | None = None, start_window: WindowStart | None = None) -> int:
    """Run `rolecall ARGS`; with no command, `start_window` starts the desktop app (the
    launcher in gui/ hands it over: core never imports the GUI)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    own, command = split_exec(argv)
    try:
        args = quick_parse(own) or build_parser().parse_args(own)
        args.exec_command = command
        if args.verbose:
            from core.redact import configure_logging

            configure_logging(args.verbose)
        if args.demo and args.command not in (None, "demo-server"):
            from core import demo

            demo.activate()
        cli = Cli(args, sys.stdout, sys.stderr, start_window)
        handler = getattr(cli, f"cmd_{(args.command or 'gui').replace('-', '_')}")
        code: int = handler()
        return code
    except (KeyboardInterrupt, Exception) as exc:  # noqa: BLE001 - report() logs and says it
        return report(exc)


def report(exc: BaseException) -> int:
    """A failure said in one line on stderr, secrets masked, as every command says it; the
    exit code it gives."""
    if isinstance(exc, RolecallError):
        print(f"rolecall: error: {redact.redact(str(exc))}", file=sys.stderr)
        return exc.exit_code
    if isinstance(exc, KeyboardInterrupt):
        print("rolecall: error: interrupted", file=sys.stderr)
        return 130
    log.debug("unexpected failure", exc_info=exc)
    print(
        f"rolecall: error: unexpected {type(exc).__name__}: {redact.redact(str(exc))} "
        "(run with -v for details)",
        file=sys.stderr,
    )
    return 1


if __name__ == "__main__":
    sys.exit(main())
