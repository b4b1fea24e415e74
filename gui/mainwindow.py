"""The main window: the role list on the left, the role detail and its session card on the
right, put together with the menus, the status bar and the tray, and wired to the controller."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QMainWindow, QSplitter, QVBoxLayout, QWidget

from core.clock import format_remaining
from gui import factory, theme
from gui.models import RoleModel, SessionModel
from gui.role_list import RoleList

if TYPE_CHECKING:
    from collections.abc import Callable

    from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QPaintEvent
    from PySide6.QtWidgets import QMenu

    from core.profiles import AwsConfig, RoleProfile
    from gui.banners import Banners
    from gui.browser import BrowserWindow
    from gui.clipboard import SecretClipboard
    from gui.controller import Controller
    from gui.idle import IdleLock
    from gui.portal_bar import SignInDialog
    from gui.prompts import Prompts
    from gui.role_detail import RoleDetail
    from gui.session_card import SessionCard
    from gui.settings import Settings
    from gui.terminals import TerminalsDialog
    from gui.tray import Tray

# gui.dialogs (and the browser, the terminals panel), and the Qt classes only a slot uses,
# are imported where they are used: none is needed to show the roles, and start-up time is
# measured (tests/bench; each Qt class costs its enums the first time it is touched). The
# desktop start builds the window in two steps (`staged`): its first frame is the role list,
# and the rest (the detail pane and its session card, the menus, the status bar, the tray)
# is built once that frame is painted, with the modules only it needs.


class _FirstPaint(QWidget):
    """The detail pane's place in a staged window's first frame: blank, in the window's
    colour; its first paint calls `painted` once the frame is on the screen."""

    def __init__(self, painted: Callable[[], object], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._painted: Callable[[], object] | None = painted

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        if self._painted is not None:
            QTimer.singleShot(0, self._painted)  # after the frame is flushed, not inside it
            self._painted = None


class MainWindow(QMainWindow):
    """Holds the role picked (`current`) and the config; each part shows its share of them.

    A `staged` window shows only the role list until `finish` builds the rest (show_later
    calls it once the first frame is painted); otherwise it is whole at once."""

    firstFramePainted = Signal()  # a staged window's first frame is on the screen
    started = Signal()  # whole, and the controller started: what waits for the first frame

    detail: RoleDetail
    card: SessionCard
    session_model: SessionModel
    banners: Banners
    clipboard: SecretClipboard
    idle: IdleLock
    prompts: Prompts
    tray: Tray | None

    def __init__(
        self, controller: Controller, settings: Settings, demo: bool = False, staged: bool = False
    ) -> None:
        super().__init__()
        self.controller = controller
        self.settings = settings
        self.demo = demo
        self.config: AwsConfig | None = None
        self.current: str | None = None
        self.browsers: dict[str, BrowserWindow] = {}
        self.sign_in_dialogs: dict[str, SignInDialog] = {}
        self.finished = False
        self.tray = None
        self.setWindowTitle("Rolecall — demo" if demo else "Rolecall")
        self.resize(1180, 760)
        self.sessions = controller.sessions
        self.model = RoleModel(self)
        self._build_roles()
        controller.configLoaded.connect(self.load_config)
        if staged:
            self.model.described = False  # the first frame's rows: described in finish
        else:
            self.finish()

    def _build_roles(self) -> None:
        """The first frame: the role list, and the detail pane's place."""
        # Top down: each part is made inside the window, so the style sheet styles it once
        # (adding a finished subtree to a parent styles the whole subtree again).
        root = QWidget()
        self.setCentralWidget(root)
        self.outer = QVBoxLayout(root)
        self.outer.setContentsMargins(0, 0, 0, 0)
        self.outer.setSpacing(0)
        self.splitter = splitter = QSplitter()
        splitter.setChildrenCollapsible(False)
        splitter.setHandleWidth(1)
        self.outer.addWidget(splitter, 1)
        self.roles = RoleList(self.model, self.sessions, splitter)
        splitter.addWidget(self.roles)
        self._place = _FirstPaint(self._on_first_paint, splitter)
        splitter.addWidget(self._place)
        splitter.setSizes([360, 820])
        splitter.setStretchFactor(1, 1)
        # The menu and status bars are there (their items come with the rest): the role list
        # does not move when they fill.
        bar = self.menuBar()
        self.menus = [bar.addMenu(title) for title in ("&File", "&Session", "&Help")]
        self.statusBar()

    def _on_first_paint(self) -> None:
        self.firstFramePainted.emit()
        self._first_frame_painted()

    def _first_frame_painted(self) -> None:
        """A staged window's first frame is on the screen: build the rest, then start."""
        if not self.finished:
            self.finish()
            self.start()

    def start(self) -> None:
        self.controller.start()
        self.started.emit()

    def finish(self) -> None:
        """Build the rest of the window and wire it (once): what the first frame left out."""
        if self.finished:
            return
        self.finished = True
        from gui.banners import Banners
        from gui.clipboard import SecretClipboard
        from gui.idle import IdleLock
        from gui.prompts import Prompts
        from gui.role_detail import RoleDetail
        from gui.tray import make_tray

        settings = self.settings
        self.sessions.follow(settings)
        self.clipboard = SecretClipboard(parent=self)
        self.clipboard.follow(settings)
        self.idle = IdleLock(
            settings.get("lock_minutes"),
            lambda: self.card.revealed or self.clipboard.holds_ours(),
            parent=self,
        )
        self.idle.follow(settings)
        theme.confirm()  # the scheme the first frame guessed
        theme.follow(settings)
        settings.watch("history_values", self._history_values, False)
        self.prompts = Prompts(self.controller, self, lambda: self.current, self._duration)
        self.model.describe()
        self.session_model = SessionModel(self.sessions, self)
        self.roles.build_rest(self.session_model, self.controller.portals)
        root = self.centralWidget()
        self.banners = Banners(self.demo, root)
        self.outer.insertWidget(0, self.banners)
        self.detail = RoleDetail(self.model, self.sessions, self.demo, root)  # not a sibling
        self.splitter.replaceWidget(1, self.detail)
        self._place.deleteLater()
        self.card = self.detail.card
        self.config_label = factory.label(
            "Starting the demo AWS…" if self.demo else "Loading the AWS config…"
        )
        self.keyring_label = factory.label()
        self.endpoint_label = factory.label(name="endpointLabel")
        self.clipboard_label = factory.label(name="clipboardLabel")
        for label in (self.config_label, self.keyring_label):
            self.statusBar().addWidget(label)
        self.statusBar().addPermanentWidget(self.endpoint_label)
        self.statusBar().addPermanentWidget(self.clipboard_label)
        self._build_menus()
        self._connect()
        self.tray = make_tray(self.model, self.session_model, self)
        if self.tray is not None:
            self.tray.sessionPicked.connect(self.select)
            self.tray.assumeRequested.connect(self.controller.assume)
            self.tray.showRequested.connect(self.showNormal)
        if self.config is not None:  # the first frame listed its roles: now the rest of it
            self.current = self.roles.current_profile()
            self._show_config(self.config, self.current)
            self.refresh_detail()

    def _build_menus(self) -> None:
        from PySide6.QtGui import QKeySequence, QShortcut

        file, session, help_menu = self.menus
        self._action(file, "&Add role…", "Ctrl+N", self.prompts.add_role)
        self._action(file, "&Edit role…", "Ctrl+E", self.prompts.edit_role)
        self._action(file, "Add access &keys…", None, self.prompts.add_keys)
        self._action(file, "Add &Identity Center portal…", None, self.prompts.add_portal)
        self._action(file, "&Reload config", "Ctrl+R", self.controller.reload)
        self._action(file, "&Preferences…", "Ctrl+,", self.preferences)
        file.addSeparator()
        self._action(file, "&Quit", QKeySequence.StandardKey.Quit, self.close)
        self._action(session, "&Assume", "Ctrl+Return", self.assume_current)
        self._action(session, "&Renew", "Ctrl+Shift+R", self.renew_current)
        self._action(session, "&Copy (default format)", "Ctrl+Shift+C", self.copy_default)
        self._action(session, "Open &console", "Ctrl+Shift+O", self.open_console)
        self._action(session, "Browse &DynamoDB", "Ctrl+D", self.browse)
        self._action(session, "Use in &terminals…", "Ctrl+T", self.terminals)
        self._action(session, "&End session", "Ctrl+Shift+W", self.end_current)
        self._action(help_menu, "&About Rolecall", None, self.about)
        QShortcut(QKeySequence("Ctrl+F"), self, self.roles.focus_search)

    def _action(
        self,
        menu: QMenu,
        text: str,
        shortcut: str | QKeySequence.StandardKey | None,
        slot: Callable[[], object],
    ) -> QAction:
        action = menu.addAction(text)
        if shortcut is not None:
            from PySide6.QtGui import QKeySequence

            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        return action

    def _connect(self) -> None:
        from gui.workers import failures

        c = self.controller
        c.configFailed.connect(self.config_failed)
        c.storeReady.connect(self.store_ready)
        c.storeTrouble.connect(self.store_trouble)
        c.busyChanged.connect(self.busy_changed)
        c.assumed.connect(self.assumed)
        c.assumeFailed.connect(self.assume_failed)
        c.ended.connect(lambda p: self.statusBar().showMessage(f"Ended the session of {p}", 5000))
        c.endFailed.connect(lambda _profile, message: self.show_error(message))
        failures.failed.connect(self.show_failure)
        c.mfaNeeded.connect(self.prompts.mfa_code)
        c.wrote.connect(lambda text: self.statusBar().showMessage(text, 8000))
        c.writeFailed.connect(self.show_error)
        c.consoleReady.connect(self._open_url)
        c.consoleFailed.connect(self.show_error)
        c.consoleOpened.connect(self._console_opened)
        c.consoleClosed.connect(
            lambda p: self.statusBar().showMessage(f"Signed the console of {p} out", 5000)
        )
        c.endpointChanged.connect(self._endpoint_changed)
        self.sessions.ticked.connect(self.idle.check)
        self.idle.locked.connect(self.lock)
        self.sessions.changed.connect(self.refresh_detail)
        self.sessions.refreshDue.connect(
            lambda p: c.assume(p, fresh=True, duration=self._duration())
        )
        self.sessions.mfaRefreshDue.connect(self.mfa_refresh_due)
        self.roles.currentRoleChanged.connect(self._current_changed)
        self.roles.assumeRequested.connect(lambda p: c.assume(p, duration=self._duration()))
        self.roles.addRequested.connect(self.prompts.add_role)
        self.roles.editRequested.connect(self.prompts.edit_role)
        self.roles.duplicateRequested.connect(lambda: self.prompts.edit_role(duplicate=True))
        self.roles.deleteRequested.connect(self.prompts.delete_role)
        self.prompts.picked.connect(self._show_after_reload)
        self.detail.assumeRequested.connect(self.assume_current)
        self.detail.addRoleRequested.connect(self.prompts.add_role)
        self.detail.addPortalRequested.connect(self.prompts.add_portal)
        self.detail.addKeysRequested.connect(self.prompts.add_keys)
        self.detail.cancelRequested.connect(self.cancel_current)
        self.detail.autoRefreshToggled.connect(self._auto_refresh_toggled)
        self.card.renewRequested.connect(self.renew_current)
        self.card.endRequested.connect(self.end_current)
        self.card.copyRequested.connect(self.copy_text)
        self.card.formatRequested.connect(self.copy_format)
        self.card.consoleRequested.connect(self.open_console)
        self.card.serviceRequested.connect(self.open_console)
        self.card.consoleCloseRequested.connect(self.close_console)
        self.card.consoleBrowserChosen.connect(self.choose_console_browser)
        self.card.console_choices = self._console_choices
        self.card.writeRequested.connect(self.prompts.write_credentials)
        self.card.browseRequested.connect(self.browse)
        self.card.secretsShown.connect(self.idle.arm)
        self.clipboard.countdown.connect(self._clipboard_countdown)
        self._connect_portals()

    def _connect_portals(self) -> None:
        portals = self.controller.portals
        portals.follow(self.settings)
        portals.signInStarted.connect(self._sign_in_started)
        portals.signedIn.connect(self._signed_in)
        portals.signInFailed.connect(self._sign_in_failed)
        portals.signInNeeded.connect(self._sign_in_needed)
        portals.wrote.connect(lambda text: self.statusBar().showMessage(text, 8000))
        portals.failed.connect(self.show_error)
        self.banners.signInRequested.connect(portals.sign_in)

    def _sign_in_started(self, portal: str, url: str, code: str) -> None:
        from gui.portal_bar import SignInDialog

        old = self.sign_in_dialogs.pop(portal, None)
        if old is not None:  # an earlier sign-in's: its Cancel must not end this one
            old.cancelled.disconnect()
            old.close()
        dialog = SignInDialog(portal, url, code, self)
        dialog.cancelled.connect(self.controller.portals.cancel_sign_in)
        self.sign_in_dialogs[portal] = dialog
        dialog.show()
        if not code:  # a device code is typed elsewhere: its dialog has "Open in browser"
            dialog.open_browser()

    def _signed_in(self, portal: str) -> None:
        dialog = self.sign_in_dialogs.pop(portal, None)
        if dialog is not None:
            dialog.accept()
        self.banners.signed_in(portal)
        self.statusBar().showMessage(f"Signed in to {portal}", 5000)

    def _sign_in_failed(self, portal: str, message: str) -> None:
        dialog = self.sign_in_dialogs.get(portal)
        if dialog is not None and dialog.isVisible():
            dialog.failed(message)
        else:
            self.show_error(message)

    def _sign_in_needed(self, portal: str) -> None:
        self.banners.sign_in_needed(portal)
        self.notify(f"Sign in again to {portal}", "Its roles wait for a new sign-in.")

    def load_config(self, config: AwsConfig) -> None:
        keep = self.current
        self.config = config
        self.model.load(config)  # the role list opens its accounts and applies its search
        if not self.finished:  # a staged window's first frame: its roles, the first picked
            self.roles.select_first()
            return
        self._show_config(config, keep)

    def _show_config(self, config: AwsConfig, keep: str | None) -> None:
        from gui.role_detail import NO_ROLES, PICK_A_ROLE, SIGN_IN_FOR_ROLES

        self.controller.complete_config()  # its portals, which the first frame left out
        self.banners.config_banner.hide()
        states = self.controller.portals.states.values()  # read from this config already
        none = not config.roles and not states
        to_sign_in = any(not s.signed_in and not s.problem for s in states)
        self.detail.empty.setText(
            NO_ROLES
            if none
            else SIGN_IN_FOR_ROLES
            if not config.roles and to_sign_in
            else PICK_A_ROLE
        )
        self.detail.offer_first_steps(none)
        for profile in config.roles:
            self.sessions.set_auto_refresh(profile, self.settings.auto_refresh(profile))
        count = len(config.roles)
        invalid = sum(1 for r in config.roles.values() if r.problems)
        text = f"Config: {config.config_file} · {count} role{'s' if count != 1 else ''}"
        self.config_label.setText(text + (f" · {invalid} with problems" if invalid else ""))
        if keep and keep in config.roles:
            self.select(keep)
        else:
            self.current = None
            if not self.roles.select_first():
                self.refresh_detail()  # no role: none shown, and nothing to edit or delete

    def config_failed(self, message: str) -> None:
        self.config_label.setText("Config could not be read")
        self.banners.config_failed(message)

    def store_ready(self, name: str, persistent: bool) -> None:
        self.keyring_label.setText(f"Keyring: {name}")
        self.banners.store_ready(persistent)

    def store_trouble(self, message: str) -> None:
        """The keyring went away or locked while running: sessions go on, in memory only."""
        self.banners.store_trouble(message, self.controller.persistent)

    def select(self, profile: str) -> None:
        self.roles.select(profile)

    def _show_after_reload(self, profile: str) -> None:
        self.current = profile  # load_config picks it once the saved config is read

    def _current_changed(self, profile: str | None) -> None:
        self.current = profile
        self.card.hide_secrets()
        self.refresh_detail()
        if profile and profile in self.sessions.sessions:
            self.controller.use_in_terminals(profile)

    def role(self) -> RoleProfile | None:
        if not self.current or self.config is None:
            return None
        return self.config.roles.get(self.current)

    def _history_values(self, keep: bool) -> None:
        """With "Keep the values typed" turned off, the browser's history forgets them at once
        (imported here: the history is not for the window's first frame)."""
        if not keep:
            from gui.operations import forget_values

            forget_values(self.settings)

    def refresh_detail(self) -> None:
        role = self.role()
        self.roles.set_role_tools(role)
        self.detail.show_role(role)

    def lock(self, minutes: int) -> None:
        """Nobody has used Rolecall for a while: hide what was revealed, clear our clipboard."""
        self.card.hide_secrets()
        self.clipboard.clear()
        self.statusBar().showMessage(
            f"Secrets hidden after {minutes} min without use (Preferences)", 0
        )

    def _duration(self) -> int | None:
        return self.settings.get("session_duration") or None

    def assume_current(self) -> None:
        role = self.role()
        if role is not None and role.valid:
            self.controller.assume(role.name, duration=self._duration())

    def renew_current(self) -> None:
        if self.current:
            self.controller.assume(self.current, fresh=True, duration=self._duration())

    def cancel_current(self) -> None:
        if self.current:
            self.controller.cancel(self.current)

    def end_current(self) -> None:
        if self.current:
            if self.settings.get("console_sign_out_on_end"):
                self.close_console()
            self.controller.forget(self.current)

    def busy_changed(self, profile: str, busy: bool) -> None:
        self.model.set_busy(profile, busy)
        if profile == self.current:
            self.refresh_detail()

    def assumed(self, profile: str) -> None:
        self.model.set_error(profile, None)
        if profile == self.current:
            self.controller.use_in_terminals(profile)
        self.statusBar().showMessage(f"Assumed {profile}", 5000)
        if profile == self.current:
            self.refresh_detail()

    def assume_failed(self, profile: str, message: str) -> None:
        self.model.set_error(profile, message)
        if profile == self.current:
            self.refresh_detail()
        else:
            self.statusBar().showMessage(f"{profile}: {message}", 10000)

    def mfa_refresh_due(self, profile: str) -> None:
        left = format_remaining(self.sessions.remaining(profile))
        self.notify(f"{profile} expires in {left}", "Enter an MFA code to renew the session.")
        self.prompts.mfa_code(profile, "")

    def notify(self, title: str, text: str) -> None:
        if self.tray is not None and self.tray.supportsMessages():
            from PySide6.QtWidgets import QSystemTrayIcon

            self.tray.showMessage(title, text, QSystemTrayIcon.MessageIcon.Information, 10000)
        self.statusBar().showMessage(f"{title}. {text}", 15000)

    def _auto_refresh_toggled(self, on: bool) -> None:
        if self.current:
            self.settings.set_auto_refresh(self.current, on)
            self.sessions.set_auto_refresh(self.current, on)

    def copy_text(self, text: str, what: str) -> None:
        if not text:
            return
        self.clipboard.copy(text)
        self.idle.arm()
        self.statusBar().showMessage(f"Copied the {what}", 3000)

    def copy_format(self, fmt: str) -> None:
        from core.credentials import render
        from gui.session_card import FORMAT_NAMES

        creds = self.sessions.get(self.current) if self.current else None
        if creds is None:
            return
        # In the demo (or with a local AWS) the pasted shell must reach the same endpoint.
        endpoint = os.environ.get("AWS_ENDPOINT_URL") if self.demo else None
        try:
            self.copy_text(render(creds, fmt, endpoint), FORMAT_NAMES[fmt])
        except ValueError as exc:
            self.show_error(str(exc))

    def copy_default(self) -> None:
        self.copy_format(self.settings.get("copy_format"))

    def _clipboard_countdown(self, seconds: int) -> None:
        self.clipboard_label.setText(f"Clipboard clears in {seconds} s" if seconds else "")

    def _open_url(self, url: str) -> None:
        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QDesktopServices

        QDesktopServices.openUrl(QUrl(url))

    def open_console(self, service: str = "") -> None:
        """The console of the role shown, on `service` (else the one it used last)."""
        profile = self.current
        if not profile or profile not in self.sessions.sessions:
            return
        recent = self.settings.recent_services(profile)
        service = service or (recent[0] if recent else "home")
        self.controller.open_console(profile, service, *self._console_browser(profile))

    def _console_opened(self, profile: str, service: str, where: str) -> None:
        self.settings.used_service(profile, service)
        self.statusBar().showMessage(f"Opened the console of {profile} in {where}", 8000)

    def close_console(self) -> None:
        if self.current:
            self.controller.close_console(self.current, *self._console_browser(self.current))

    def _console_browser(self, profile: str) -> tuple[str, str]:
        """(browser key, template) for `profile`'s console: the profile's own console_browser
        and console_template keys, else the preference."""
        role = self.controller.config.roles.get(profile) if self.controller.config else None
        key = (role.console_browser if role else None) or self.settings.get("console_browser")
        template = (role.console_template if role else None) or self.settings.get(
            "console_template"
        )
        return key, template

    def _console_choices(self) -> tuple[list[str], list[tuple[str, str]], str]:
        """For the console menu: the services used last, the browsers to choose from (none
        for a portal's role that no profile names: there is nowhere to keep the choice), and
        the role's own."""
        profile = self.current or ""
        role = self.controller.config.roles.get(profile) if self.controller.config else None
        key, template = self._console_browser(profile)
        choices = []
        if role is not None and role.saved:
            choices = [("default", "System default browser")]
            choices += [(b.kind, b.name) for b in self.controller.browsers]
            if template:
                choices.append(("template", "Command template"))
        return self.settings.recent_services(profile), choices, key

    def choose_console_browser(self, key: str) -> None:
        """Keep the choice in the profile itself (console_browser, and the template with
        it), where the CLI reads it too."""
        if self.current:
            values: dict[str, str | None] = {"console_browser": key}
            if key == "template":
                values["console_template"] = self._console_browser(self.current)[1]
            self.controller.save_role(self.current, values)

    def current_session_profile(self) -> str | None:
        return self.current if self.current in self.sessions.sessions else None

    def terminals(self) -> TerminalsDialog:
        from gui.terminals import TerminalsDialog

        dialog = TerminalsDialog(self)
        dialog.show()
        return dialog

    def _endpoint_changed(self) -> None:
        endpoint = self.controller.endpoint
        if endpoint is None:
            self.endpoint_label.setText("Terminals: off")
        else:
            self.endpoint_label.setText(f"Terminals: {endpoint.current or 'no role yet'}")

    def browse(self) -> BrowserWindow | None:
        """Open (or raise) the DynamoDB browser for the selected role's session."""
        from gui.browser import BrowserWindow

        if not self.current or self.current not in self.sessions.sessions:
            return None
        browser = self.browsers.get(self.current)
        if browser is None:
            browser = BrowserWindow(self.controller, self.current, self.settings)
            self.browsers[self.current] = browser
        browser.show()
        browser.raise_()
        browser.activateWindow()
        return browser

    def show_failure(self, message: str) -> None:
        """A failure no part handled itself: said in the status bar, never dropped."""
        self.statusBar().showMessage(message, 15000)

    def show_error(self, message: str) -> None:
        self.detail.show_error(message)
        self.statusBar().showMessage(message, 10000)

    def preferences(self) -> None:
        """The dialog sets the preferences; each part follows them by `Settings.changed`."""
        from gui.dialogs import PreferencesDialog

        PreferencesDialog(self.settings, self, browsers=self.controller.browsers).exec()

    def about(self) -> None:
        from gui.dialogs import about

        about(self)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if self.finished:  # else nothing was copied, opened or served yet
            self.clipboard.clear()
        for browser in self.browsers.values():
            browser.close()
        self.controller.stop_endpoint()
        super().closeEvent(event)


def show_later(window: MainWindow, start_hidden: bool) -> None:
    """Show the window, with its roles if the config was read ahead already, and start the
    rest once the event loop runs: for a staged window, once its first frame is painted (or
    after a second, should no paint come)."""
    window.controller.take_read_ahead()
    if not start_hidden or window.tray is None:
        window.show()
    if window.finished:
        QTimer.singleShot(0, window.start)
    else:
        QTimer.singleShot(1000, window._first_frame_painted)
