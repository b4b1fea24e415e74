"""What the window asks of the engine, run off the GUI thread, answered by signals."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QThreadPool, QTimer, Signal

from core.clock import Clock, utc_now
from core.errors import MfaRequired, NoKeyringError, RolecallError
from core.profiles import AwsConfig, RoleProfile
from gui.sessions import SessionManager
from gui.workers import Op, sentence, share_the_gil

if TYPE_CHECKING:
    from core.browsers import Browser, Target
    from core.credentials import StaticCredentials, TemporaryCredentials
    from core.endpoint import CredentialEndpoint
    from core.engine import Engine
    from core.sso import Portal, PortalRole
    from core.vault import SecretStore
    from gui.portals import Portals

log = logging.getLogger(__name__)


class Controller(QObject):
    configLoaded = Signal(object)  # AwsConfig
    configFailed = Signal(str)
    storeReady = Signal(str, bool)  # the keyring's name, and whether sessions outlive the app
    storeTrouble = Signal(str)  # why the keyring stopped answering; "" once it works again
    busyChanged = Signal(str, bool)  # profile, busy
    assumed = Signal(str)  # profile
    assumeFailed = Signal(str, str)  # profile, message
    ended = Signal(str)  # profile: its session is gone from here and from the keyring
    endFailed = Signal(str, str)  # profile, why the session is still there
    mfaNeeded = Signal(str, str)  # profile, message from a failed try ("" the first time)
    wrote = Signal(str)  # a sentence about what was written
    writeFailed = Signal(str)
    consoleReady = Signal(str)  # an address for the desktop's browser (never the sign-in URL)
    consoleOpened = Signal(str, str, str)  # profile, service, where its console opened
    consoleClosed = Signal(str)  # profile: its console was signed out
    consoleFailed = Signal(str)
    endpointChanged = Signal()  # started, stopped, or serving another role
    settled = Signal()  # once: start-up is over (config, keyring, service models), or failed

    def __init__(
        self,
        pool: QThreadPool,
        clock: Clock = utc_now,
        demo: bool = False,
        store_factory: Callable[[], Any] | None = None,
        first_config: Callable[[], AwsConfig] | None = None,
        parent: QObject | None = None,
        timer: QTimer | None = None,  # the sessions' 1-second tick; tests pass a stub
    ) -> None:
        super().__init__(parent)
        share_the_gil()
        self.pool = pool
        self.clock = clock
        self.demo = demo
        self.store_factory = store_factory
        self._first_config = first_config  # a read already under way (gui.launcher.read_ahead)
        self.sessions = SessionManager(clock, parent=self, timer=timer)
        self.engine: Engine | None = None
        self.config: AwsConfig | None = None
        self.store: SecretStore | None = None
        self.persistent = False
        self._ops: dict[str, Op] = {}
        self.endpoint: CredentialEndpoint | None = None
        self.endpoint_wanted = True
        self._pending: list[tuple[Any, ...]] = []
        self._settled = False
        self._incomplete = False  # a config read ahead, its watch and portals still to come
        self._reads = self._shown_read = 0  # reloads started, and the latest one shown
        self.portal_roles: dict[str, tuple[Portal, list[PortalRole]]] = {}
        self._unshown: dict[str, TemporaryCredentials] = {}  # cached, for roles not listed yet
        self.browsers: list[Browser] = []  # found by find_browsers()

    @cached_property
    def portals(self) -> Portals:
        """Identity Center in the window, made when first asked for: not by the first frame."""
        from gui.portals import Portals

        return Portals(self, self)

    def take_read_ahead(self) -> bool:
        """Before the window shows: a config read ahead that is already there goes into the
        window now, so its first frame lists the roles (no worker, no empty frame first).
        Whether it did; otherwise `start` loads it on a worker as usual."""
        done = getattr(self._first_config, "done", None)
        if done is None or not done():
            return False
        read, self._first_config = self._first_config, None
        assert read is not None
        try:
            config = read()
        except Exception:  # noqa: BLE001 - `start` reads it again on a worker and says why
            return False
        # Only the roles: the file watch and the portals (which the first frame does not
        # show) wait for complete_config.
        self.config, self._incomplete = config, True
        self.configLoaded.emit(config)
        return True

    def complete_config(self) -> None:
        """What take_read_ahead left out: the watch on the files, and the portals. The window
        calls it before it shows the whole config, and `start` does."""
        if self._incomplete and self.config is not None:
            self._incomplete = False
            self._watch(self.config)
            self.portals.config_loaded(self.config)
            self._add_portal_roles(self.config)

    def start(self) -> None:
        """Load the config first (the window fills), then open the keyring and the cached
        sessions; both off the GUI thread. The demo's AWS is started here first: a child
        process, started from the thread that lives as long as the app (see core.demo.spawn)."""
        if self.demo:
            from core import demo

            demo.spawn()
        if self.config is not None:  # the window has it already (take_read_ahead)
            self.complete_config()
            self._open_store(self.config)
            return
        Op(self.pool, self._load).on_success(self._loaded).on_failure(self._start_failed).start()

    def find_browsers(self) -> None:
        """Look for the browsers a console can open in ($PATH and the usual places), on a
        worker; `browsers` holds them once found."""

        def find() -> list[Browser]:
            from core.browsers import found

            return found()

        Op(self.pool, find).on_success(lambda b: setattr(self, "browsers", b)).start()

    def _load(self) -> AwsConfig:
        """Only what the role list needs: the engine (boto3's side) comes in _open."""
        from core.profiles import load_config

        if self._first_config is not None:
            read, self._first_config = self._first_config, None
            return read()
        if self.demo:
            from core import demo

            demo.activate()
        return load_config()

    def _loaded(self, config: AwsConfig) -> None:
        self._set_config(config)
        self._open_store(config)

    def _open_store(self, config: AwsConfig) -> None:
        Op(self.pool, lambda: self._open(config)).on_success(self._opened).on_failure(
            self._start_failed
        ).start()

    def _start_failed(self, error: BaseException) -> None:
        self.configFailed.emit(sentence(error))
        self._settle()

    def _warm_failed(self, error: BaseException) -> None:
        # Only a head start: the first real call loads the models itself, or says why not.
        log.debug("loading the service models ahead failed: %s", sentence(error))
        self._settle()

    def _settle(self) -> None:
        if not self._settled:
            self._settled = True
            # Not needed before a console menu opens: once start-up is over, so that neither
            # its import nor its walk of $PATH holds the interpreter while the window fills.
            self.find_browsers()
            self.settled.emit()

    def _open(self, config: AwsConfig) -> tuple[Any, Any, bool, dict[str, TemporaryCredentials]]:
        from core.engine import Engine
        from core.vault import KeyringStore, KeyStore, MemoryStore, SessionCache, open_store

        engine = Engine(config, clock=self.clock)

        if self.store_factory is not None:
            store, persistent = self.store_factory(), True
        else:
            try:
                store = open_store(self.demo)
            except NoKeyringError:
                store = MemoryStore()
            persistent = isinstance(store, KeyringStore)
        cache = SessionCache(store, clock=self.clock)
        try:
            cached = cache.sessions()
        except NoKeyringError:
            cached = {}
        engine.cache, engine.keys = cache, KeyStore(store)
        return engine, store, persistent, cached

    def _opened(self, result: tuple[Any, Any, bool, dict[str, TemporaryCredentials]]) -> None:
        engine, self.store, self.persistent, cached = result
        if self.config is not None and self.config is not engine.config:
            engine.use(self.config)  # reloaded while the keyring was opening
        self.engine = engine
        self.storeReady.emit(self.store.name, self.persistent)
        config = self.config
        for profile, creds in cached.items():
            if config is not None and profile in config.roles:
                self._put(creds)
            else:  # a portal's role not saved as a profile: shown once the portal is listed
                self._unshown[profile] = creds
        self.sessions.start()
        self.portals.engine_ready()
        if self.endpoint_wanted:
            self.start_endpoint()
        Op(self.pool, self.engine.factory.warm).on_success(lambda _: self._settle()).on_failure(
            self._warm_failed
        ).start()
        for args in self._pending:
            self.assume(*args)
        self._pending.clear()

    def _set_config(self, config: AwsConfig) -> None:
        self.config, self._incomplete = config, False
        self._watch(config)
        self.portals.config_loaded(config)
        self._add_portal_roles(config)
        self.configLoaded.emit(config)

    def portal_listed(self, portal: Portal, roles: list[PortalRole]) -> None:
        """A portal's accounts and roles: those no profile names join the role list."""
        self.portal_roles[portal.name] = (portal, roles)
        if self.config is not None:
            self._add_portal_roles(self.config)
            for profile in [p for p in self._unshown if p in self.config.roles]:
                self._put(self._unshown.pop(profile))
            self.configLoaded.emit(self.config)

    def _add_portal_roles(self, config: AwsConfig) -> None:
        from core.sso import unsaved_roles

        for name in [n for n, r in config.roles.items() if not r.saved]:
            del config.roles[name]
        for portal, roles in self.portal_roles.values():
            for role in unsaved_roles(config, portal, roles):
                config.roles[role.name] = role

    def _watch(self, config: AwsConfig) -> None:
        """Reload when the config or credentials file changes (another editor, `aws configure`)."""
        from PySide6.QtCore import QFileSystemWatcher, QTimer

        if not hasattr(self, "_watcher"):
            self._watcher = QFileSystemWatcher(self)
            self._debounce = QTimer(self)
            self._debounce.setSingleShot(True)
            self._debounce.setInterval(300)
            self._debounce.timeout.connect(self.reload)
            self._watcher.fileChanged.connect(lambda *_: self._debounce.start())
            self._watcher.directoryChanged.connect(lambda *_: self._debounce.start())
        watched = set(self._watcher.files()) | set(self._watcher.directories())
        # Atomic saves replace the file, which drops it from the watch: watch the folders too.
        wanted = {str(p) for p in (config.config_file, config.credentials_file) if p.exists()}
        wanted |= {
            str(p.parent)
            for p in (config.config_file, config.credentials_file)
            if p.parent.exists()
        }
        if wanted - watched:
            self._watcher.addPaths(sorted(wanted - watched))

    def reload(self) -> None:
        if self.engine is None and self.config is None:
            return
        from core.profiles import load_config

        self._reads += 1
        read = self._reads

        def read_done(config: AwsConfig) -> None:
            # Reloads run side by side (a save's, the file watch's): one that read the files
            # before a later one did is shown over it neither in the window nor in the engine.
            if read < self._shown_read:
                return
            self._shown_read = read
            if self.engine is not None:
                self.engine.use(config)
            self._set_config(config)

        Op(self.pool, load_config).on_success(read_done).on_failure(
            lambda e: self.configFailed.emit(sentence(e))
        ).start()

    def needs_mfa(self, role: RoleProfile) -> bool:
        assert self.config is not None
        return any(self.config.roles[h].mfa_serial for h in role.hops if h in self.config.roles)

    def _length(self, profile: str) -> timedelta:
        role = self.config.roles.get(profile) if self.config else None
        return timedelta(
            seconds=(role.duration_seconds if role and role.duration_seconds else 3600)
        )

    def _put(self, creds: TemporaryCredentials) -> None:
        assert self.config is not None
        role = self.config.roles.get(creds.profile)
        if role is None:  # a portal's role gone meanwhile (signed out while it was assumed)
            return
        self.sessions.put(creds, self.needs_mfa(role), self._length(creds.profile))

    def busy(self, profile: str) -> bool:
        op = self._ops.get(profile)
        return op is not None and op.running and not op.cancelled

    def assume(
        self,
        profile: str,
        mfa_code: str | None = None,
        fresh: bool = False,
        duration: int | None = None,
    ) -> None:
        """Assume a role in the background; an MFA role without a code asks by mfaNeeded."""
        if self.busy(profile):
            return
        if self.engine is None or self.store is None:  # still opening: go on once it is
            self._pending.append((profile, mfa_code, fresh, duration))
            return
        engine = self.engine

        def code_source(role: RoleProfile) -> str:
            if mfa_code is None:
                raise MfaRequired(f"profile '{role.name}' needs an MFA code")
            return mfa_code

        def work() -> TemporaryCredentials:
            creds: TemporaryCredentials = engine.credentials(
                profile, mfa_code=code_source, duration=duration, fresh=fresh
            )
            return creds

        op = Op(self.pool, work)
        op.on_success(lambda creds: self._assumed(profile, creds))
        op.on_failure(lambda error: self._failed(profile, error, mfa_code is not None))
        self._ops[profile] = op.start()
        self.busyChanged.emit(profile, True)

    def cancel(self, profile: str) -> None:
        """Stop waiting for an assume: its answer, when it comes, is ignored."""
        op = self._ops.pop(profile, None)
        if op is not None:
            op.cancel()
            self.busyChanged.emit(profile, False)

    def _assumed(self, profile: str, creds: TemporaryCredentials) -> None:
        self._ops.pop(profile, None)
        self._put(creds)
        self.busyChanged.emit(profile, False)
        self.assumed.emit(profile)
        cache = self.engine.cache if self.engine is not None else None
        if cache is not None and self.persistent:
            self.storeTrouble.emit(cache.trouble or "")

    def _failed(self, profile: str, error: BaseException, had_code: bool) -> None:
        self._ops.pop(profile, None)
        self.busyChanged.emit(profile, False)
        self.sessions.refresh_failed(profile)
        message = sentence(error)
        still = self.sessions.get(profile)
        if still is not None and not still.expired(self.clock()):
            ends = still.expiration.astimezone()
            minutes = int(still.remaining(self.clock()).total_seconds() // 60)
            left = f"{minutes} min left" if minutes else "less than a minute left"
            message = (
                f"Renewing the session failed: {message}. The current session stays valid "
                f"until {ends:%H:%M} ({left})"
            )
        from core.sso import SignInRequired

        if isinstance(error, SignInRequired):
            self.portals.sign_in_needed(error.portal, profile)
        if isinstance(error, MfaRequired):
            self.mfaNeeded.emit(profile, "")
        elif had_code and "MultiFactorAuthentication" in message:
            self.mfaNeeded.emit(profile, message)
        else:
            self.assumeFailed.emit(profile, message)

    def forget(self, profile: str) -> None:
        """End a session: delete it from the keyring cache, then from the window. A keyring
        that refuses leaves it listed, with a sentence (it would come back at the next start)."""
        cache = self.engine.cache if self.engine is not None else None
        if cache is None:
            self._ended(profile)
            return
        Op(self.pool, lambda: cache.forget(profile)).on_success(
            lambda _: self._ended(profile)
        ).on_failure(
            lambda e: self.endFailed.emit(
                profile, f"The session of '{profile}' was not ended: {sentence(e)}"
            )
        ).start()

    def _ended(self, profile: str) -> None:
        self.sessions.remove(profile)
        self.ended.emit(profile)

    def save_role(
        self,
        name: str,
        values: dict[str, str | None],
        rename_to: str | None = None,
        new: bool = False,
    ) -> None:
        from core.configfile import set_profile

        assert self.config is not None
        path = self.config.config_file

        def work() -> str:
            if new and name in (self.config.profiles if self.config else {}):
                raise RolecallError(f"a profile named '{name}' already exists")
            set_profile(path, name, values, rename_to=rename_to, must_exist=not new)
            return f"Saved profile '{rename_to or name}' in {path}"

        self._write(work)

    def add_keys(self, name: str, creds: StaticCredentials) -> None:
        """`name`'s long-term keys into the keyring (and its profile into the config)."""
        from core.vault import add_keys

        config, store = self.config, self.store
        assert config is not None and store is not None  # the prompt waits for both

        def work() -> str:
            added = add_keys(store, config, name, creds)
            where = (
                f"in the keyring ({store.name})"
                if self.persistent
                else "in memory only: they are gone when Rolecall closes"
            )
            profile = f" and added [profile {name}] to {config.config_file}" if added else ""
            return f"Saved the keys of '{name}' {where}{profile}"

        self._write(work)

    def delete_role(self, name: str) -> None:
        from core.configfile import delete_profile

        assert self.config is not None
        path = self.config.config_file

        def work() -> str:
            delete_profile(path, name)
            return f"Deleted profile '{name}' from {path}"

        self.sessions.remove(name)
        self._write(work)

    def write_credentials(self, profile: str, section: str) -> None:
        """Write the session's keys as `[section]` of the credentials file, on request only."""
        from core.configfile import set_section

        creds = self.sessions.get(profile)
        assert self.config is not None and creds is not None
        path = self.config.credentials_file
        values: dict[str, str | None] = {
            "aws_access_key_id": creds.access_key_id,
            "aws_secret_access_key": creds.secret_access_key,
            "aws_session_token": creds.session_token,
        }

        def work() -> str:
            set_section(path, section, values, private=True)
            return f"Wrote the keys of '{profile}' to {path} as [{section}]"

        self._write(work, reload=False)

    def _write(self, work: Callable[[], str], reload: bool = True) -> None:
        def done(message: str) -> None:
            self.wrote.emit(message)
            if reload:
                self.reload()

        Op(self.pool, work).on_success(done).on_failure(
            lambda e: self.writeFailed.emit(sentence(e))
        ).start()

    def open_console(
        self, profile: str, service: str = "home", browser: str = "", template: str = ""
    ) -> None:
        """Sign `profile`'s console in, on `service`, in the browser the setting names (the
        role's own Firefox container or Chromium profile); the URL never leaves this process
        but through a one-time redirect on 127.0.0.1."""
        from core import browsers, console

        creds = self.sessions.get(profile)
        assert self.config is not None and creds is not None
        role = self.config.roles.get(profile)
        if role is None:  # a portal's role that is no longer listed
            self.consoleFailed.emit(f"'{profile}' is no longer in the role list")
            return
        target = browsers.Target(profile, role.account_id, role.role_name)

        def work() -> tuple[str, str]:
            chosen = browsers.choose(browser, template)
            destination = console.console_destination(role.partition, role.region, service)
            url = console.role_signin_url(creds, role, destination, now=self.clock())
            return _hand_over(chosen, url, target, secret=True), chosen.where(profile)

        def done(result: tuple[str, str]) -> None:
            address, where = result
            if address:
                self.consoleReady.emit(address)
            self.consoleOpened.emit(profile, service, where)

        Op(self.pool, work).on_success(done).on_failure(
            lambda e: self.consoleFailed.emit(sentence(e))
        ).start()

    def close_console(self, profile: str, browser: str = "", template: str = "") -> None:
        """Sign `profile`'s console out, in the container or profile it opened in."""
        from core import browsers, console

        role = self.config.roles.get(profile) if self.config else None
        if role is None:
            return
        target = browsers.Target(profile, role.account_id, role.role_name)

        def work() -> str:
            chosen = browsers.choose(browser, template)
            return _hand_over(chosen, console.logout_url(role.partition), target, secret=False)

        def done(url: str) -> None:
            if url:
                self.consoleReady.emit(url)
            self.consoleClosed.emit(profile)

        Op(self.pool, work).on_success(done).on_failure(
            lambda e: self.consoleFailed.emit(sentence(e))
        ).start()

    def start_endpoint(self) -> None:
        """Serve the role picked here to every AWS tool that points at the endpoint."""
        from core.endpoint import CredentialEndpoint, publish

        self.endpoint_wanted = True
        if self.endpoint is not None or self.engine is None:
            return
        engine = self.engine
        self.endpoint = CredentialEndpoint(engine.usable, clock=self.clock).start()
        server = self.endpoint

        def announce() -> None:
            try:
                publish(server)
            except RolecallError as exc:  # no runtime dir and no keyring: the panel still works
                log.info("endpoint not published: %s", exc)

        Op(self.pool, announce).start()
        self.endpointChanged.emit()

    def shutdown(self) -> None:
        """At quit, however it came (window, tray, signal): the runtime file goes, and the
        demo's AWS with its folder. Waits a little for both, as the app is ending anyway."""
        from core.endpoint import unpublish

        self.portals.shutdown()
        server, self.endpoint = self.endpoint, None
        if server is not None:
            server.stop()
            unpublish()
        if self.demo:
            from core import demo

            demo.deactivate()

    def stop_endpoint(self) -> None:
        from core.endpoint import unpublish

        self.endpoint_wanted = False
        server, self.endpoint = self.endpoint, None
        if server is not None:

            def stop() -> None:
                server.stop()
                unpublish()

            Op(self.pool, stop).start()
        self.endpointChanged.emit()

    def use_in_terminals(self, profile: str | None) -> None:
        if self.endpoint is not None and self.endpoint.current != profile:
            self.endpoint.use(profile)
            self.endpointChanged.emit()


def _hand_over(browser: Browser, url: str, target: Target, *, secret: bool) -> str:
    """Open `url` in `browser` (on a worker). The system's browser is the window's to open,
    on the GUI thread: for it, the address to open (a secret URL's one-time redirect)."""
    from core import console

    if browser.kind == "default":
        return console.OneTimeRedirect(url).address if secret else url
    console.open_in(browser, url, target, secret=secret)
    return ""
