"""IAM Identity Center in the window: each portal's sign-in state, signing in and out, its
accounts and roles merged into the role list, and "Save as profiles"; all off the GUI thread."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from gui.workers import Op, sentence

if TYPE_CHECKING:
    from collections.abc import Callable

    from core.profiles import AwsConfig
    from core.sso import Portal, PortalRole
    from core.sso_signin import BrowserSignIn, DeviceSignIn
    from gui.controller import Controller

log = logging.getLogger(__name__)


@dataclass
class PortalState:
    """What the window knows of one portal."""

    portal: Portal
    signed_in: bool = False
    roles: list[PortalRole] | None = None  # after a listing
    busy: str = ""  # what is under way ("Signing in…", "Listing…"), "" when nothing
    problem: str = ""  # the last failure, as a sentence
    waiting: list[str] = field(default_factory=list)  # roles to assume once signed in again


class Portals(QObject):
    """The portals of the config and what each sign-in gives; the window's parts follow
    `changed`, and a role whose sign-in is gone asks for it once, by `signInNeeded`."""

    changed = Signal()
    signInStarted = Signal(str, str, str)  # portal, address to open, user code ("" for PKCE)
    signedIn = Signal(str)
    signInFailed = Signal(str, str)  # portal, sentence
    signInNeeded = Signal(str)  # portal: its sign-in ended while its roles were in use
    wrote = Signal(str)  # "Save as profiles" said what it did
    failed = Signal(str)

    def __init__(self, controller: Controller, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.pool = controller.pool
        self.states: dict[str, PortalState] = {}
        self.use_device_code = False
        self.share_with_cli = False
        self._flows: dict[str, BrowserSignIn | DeviceSignIn] = {}
        self._asked: set[str] = set()  # portals whose sign-in was asked for once already

    def follow(self, settings: Any) -> None:
        settings.watch("sso_device_code", lambda on: setattr(self, "use_device_code", on))
        settings.watch("sso_share_with_cli", self._share)

    def _share(self, on: bool) -> None:
        self.share_with_cli = on
        engine = self.controller.engine
        if engine is not None:
            engine.sso.tokens.share_with_cli = on

    def config_loaded(self, config: AwsConfig) -> None:
        """New portals from the config; those already signed in get listed."""
        from core.errors import ConfigError
        from core.sso import portals

        found = portals(config)
        for name in list(self.states):
            if name not in found:
                del self.states[name]
        for name in [n for n in self.controller.portal_roles if n not in found]:
            del self.controller.portal_roles[name]  # a portal gone from the config
        for name, portal in found.items():
            try:
                portal.check()
            except ConfigError as exc:
                self.states[name] = PortalState(portal, problem=str(exc))
                continue
            state = self.states.get(name)
            if state is None or state.portal != portal:
                self.states[name] = PortalState(portal)
        self.changed.emit()

    def engine_ready(self) -> None:
        """The keyring is open: which portals are signed in already (their listing follows)."""
        engine = self.controller.engine
        assert engine is not None
        engine.sso.tokens.share_with_cli = self.share_with_cli
        for name, state in self.states.items():
            if not state.problem:
                self._check(name, state.portal)

    def _check(self, name: str, portal: Portal) -> None:
        engine = self.controller.engine
        assert engine is not None
        Op(self.pool, lambda: engine.sso.signed_in(portal) is not None).on_success(
            lambda yes: self._known(name, portal, yes)
        ).on_failure(lambda e: self._failed(name, e)).start()

    def _current(self, name: str, portal: Portal) -> PortalState | None:
        """The portal's state, if it is still the portal an answer was asked for (the config
        may have been reloaded with another start URL meanwhile)."""
        state = self.states.get(name)
        return state if state is not None and state.portal == portal else None

    def _known(self, name: str, portal: Portal, signed_in: bool) -> None:
        state = self._current(name, portal)
        if state is None:
            return
        state.signed_in = signed_in
        self.changed.emit()
        if signed_in:
            self.list_roles(name)

    def sign_in(self, name: str, device: bool | None = None) -> None:
        """Start a sign-in: PKCE in the browser, or the device code (the setting, or where
        no browser can be opened); `signInStarted` gives what to show."""
        from core.sso_signin import BrowserSignIn, DeviceSignIn, can_open_browser

        state, engine = self.states.get(name), self.controller.engine
        if state is None or engine is None or name in self._flows:
            return
        use_device = self.use_device_code if device is None else device
        flow: BrowserSignIn | DeviceSignIn
        if use_device or not can_open_browser():
            flow = DeviceSignIn(state.portal, engine.sso)
        else:
            flow = BrowserSignIn(state.portal, engine.sso)
        self._flows[name] = flow
        state.busy, state.problem = "Signing in…", ""
        self.changed.emit()

        def begin() -> tuple[str, str]:
            if isinstance(flow, DeviceSignIn):
                prompt = flow.start()
                return prompt.complete_uri or prompt.verification_uri, prompt.user_code
            return flow.start(), ""

        Op(self.pool, begin).on_success(lambda shown: self._begun(name, flow, shown)).on_failure(
            lambda e: self._sign_in_failed(name, e)
        ).start()

    def _begun(self, name: str, flow: BrowserSignIn | DeviceSignIn, shown: tuple[str, str]) -> None:
        url, code = shown
        self.signInStarted.emit(name, url, code)
        Op(self.pool, flow.finish).on_success(lambda _: self._signed_in(name)).on_failure(
            lambda e: self._sign_in_failed(name, e)
        ).start()

    def shutdown(self) -> None:
        """At quit: every sign-in under way stops waiting (its worker ends)."""
        for flow in list(self._flows.values()):
            flow.cancel()

    def cancel_sign_in(self, name: str) -> None:
        flow = self._flows.get(name)
        if flow is not None:
            flow.cancel()

    def _signed_in(self, name: str) -> None:
        self._flows.pop(name, None)
        self._asked.discard(name)
        state = self.states.get(name)
        if state is None:
            return
        state.signed_in, state.busy, state.problem = True, "", ""
        self.changed.emit()
        self.signedIn.emit(name)
        waiting, state.waiting = state.waiting, []
        for profile in waiting:  # what failed for want of the sign-in goes on by itself
            self.controller.assume(profile, fresh=True)
        self.list_roles(name)

    def _sign_in_failed(self, name: str, error: BaseException) -> None:
        from core.errors import Cancelled

        self._flows.pop(name, None)
        state = self.states.get(name)
        if state is not None:
            state.busy = ""
            state.problem = "" if isinstance(error, Cancelled) else sentence(error)
            self.changed.emit()
        if not isinstance(error, Cancelled):
            self.signInFailed.emit(name, sentence(error))

    def list_roles(self, name: str) -> None:
        """Every account and role of the portal, into the role list (saved or not)."""
        state, engine = self.states.get(name), self.controller.engine
        if state is None or engine is None:
            return
        state.busy = "Listing accounts…"
        self.changed.emit()
        portal = state.portal
        Op(self.pool, lambda: engine.sso.accounts(portal)).on_success(
            lambda roles: self._listed(name, portal, roles)
        ).on_failure(lambda e: self._failed(name, e)).start()

    def _listed(self, name: str, portal: Portal, roles: list[PortalRole]) -> None:
        state = self._current(name, portal)
        if state is None:
            return
        state.roles, state.busy, state.problem = roles, "", ""
        self.changed.emit()
        self.controller.portal_listed(state.portal, roles)

    def _failed(self, name: str, error: BaseException) -> None:
        from core.sso import SignInRequired

        state = self.states.get(name)
        if state is None:
            return
        state.busy = ""
        if isinstance(error, SignInRequired):
            state.signed_in, state.problem = False, ""
            self.changed.emit()
            return
        state.problem = sentence(error)
        self.changed.emit()
        self.failed.emit(state.problem)

    def sign_in_needed(self, name: str, profile: str) -> None:
        """An assume or refresh found the portal's sign-in gone: ask once for the portal
        (not once per role), and go on with the role when it is back."""
        state = self.states.get(name)
        if state is None:
            return
        if profile not in state.waiting:
            state.waiting.append(profile)
        state.signed_in = False
        self.changed.emit()
        if name not in self._asked:
            self._asked.add(name)
            self.signInNeeded.emit(name)

    def sign_out(self, name: str) -> None:
        """Logout, the tokens gone from the keyring, and every session obtained through it."""
        state, engine = self.states.get(name), self.controller.engine
        if state is None or engine is None:
            return
        portal = state.portal
        Op(self.pool, lambda: engine.sso.logout(portal)).on_success(
            lambda _: self._signed_out(name)
        ).on_failure(lambda e: self._failed(name, e)).start()

    def _signed_out(self, name: str) -> None:
        state = self.states.get(name)
        config = self.controller.config
        if state is None or config is None:
            return
        state.signed_in, state.roles = False, None
        for role in list(config.roles.values()):
            if role.sso_portal == name:
                self.controller._unshown.pop(role.name, None)
            base = config.roles.get(role.base_profile or "")
            through = name in (role.sso_portal, base.sso_portal if base else None)
            if through and role.name in self.controller.sessions.sessions:
                self.controller.forget(role.name)
        self.controller.portal_listed(portal=state.portal, roles=[])
        self.changed.emit()

    def add(self, portal: Portal) -> None:
        """Write the portal into the config as `[sso-session NAME]`; it is listed, ready to
        sign in to, once the config is read again."""
        from core.configfile import add_sso_session

        config = self.controller.config
        if config is None:
            return
        path = config.config_file

        def work() -> str:
            add_sso_session(path, portal.name, portal.section())
            return f"Added the portal {portal.name} to {path}: sign in to it to see its roles"

        self._write(work)

    def save_profiles(self, name: str) -> None:
        """Write a profile for each of the portal's roles (`rolecall sso sync`)."""
        from core.sso_sync import DEFAULT_TEMPLATE, sync_profiles

        state, config = self.states.get(name), self.controller.config
        if state is None or config is None or state.roles is None:
            return
        portal, roles, path = state.portal, state.roles, config.config_file

        def work() -> str:
            result = sync_profiles(path, portal, roles, template=DEFAULT_TEMPLATE)
            return (
                f"Saved the roles of {portal.name} as profiles in {path}: "
                f"{len(result.added)} added, {len(result.updated)} updated, "
                f"{len(result.removed)} removed"
            )

        self._write(work)

    def _write(self, work: Callable[[], str]) -> None:
        """Edit the config off the GUI thread, say what was done, then read the config again."""

        def done(message: str) -> None:
            self.wrote.emit(message)
            self.controller.reload()

        Op(self.pool, work).on_success(done).on_failure(
            lambda e: self.failed.emit(sentence(e))
        ).start()
