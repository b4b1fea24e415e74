"""Where a role's console opens: the browsers found here, and the command that opens a URL in
the role's own Firefox container or Chromium-family profile (each keeping its own cookies), a
command template of the person's, or the system's default browser."""

from __future__ import annotations

import hashlib
import os
import re
import shlex
import shutil
import string
import sys
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from core.errors import ConfigError

BROWSER_ENV = "ROLECALL_CONSOLE_BROWSER"  # the default for profiles without console_browser
CHROMIUM_FAMILY = {
    "chromium": ("chromium", "chromium-browser"),
    "chrome": ("google-chrome", "google-chrome-stable"),
    "edge": ("microsoft-edge", "microsoft-edge-stable"),
    "brave": ("brave-browser", "brave"),
}
FIREFOX = ("firefox", "firefox-esr")
APP_PATHS = {  # the usual install paths outside $PATH (macOS, Windows)
    "firefox": [
        "/Applications/Firefox.app/Contents/MacOS/firefox",
        r"C:\Program Files\Mozilla Firefox\firefox.exe",
    ],
    "chromium": ["/Applications/Chromium.app/Contents/MacOS/Chromium"],
    "chrome": [
        "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
        r"C:\Program Files\Google\Chrome\Application\chrome.exe",
    ],
    "edge": [
        "/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge",
        r"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe",
    ],
    "brave": [
        "/Applications/Brave Browser.app/Contents/MacOS/Brave Browser",
        r"C:\Program Files\BraveSoftware\Brave-Browser\Application\brave.exe",
    ],
}
NAMES = {
    "firefox": "Firefox",
    "chromium": "Chromium",
    "chrome": "Google Chrome",
    "edge": "Microsoft Edge",
    "brave": "Brave",
}
# The URL protocols of the Firefox extensions that open a link in a named container:
# "Open external links in a container" (ext+container) and granted's own (ext+granted-containers).
CONTAINER_PROTOCOLS = {"container": "ext+container", "granted": "ext+granted-containers"}
PLACEHOLDERS = ("url", "profile", "account", "role")
COLOURS = ("blue", "turquoise", "yellow", "orange", "pink", "purple")  # red and green are kept
_ADMIN = re.compile(r"admin|poweruser|root|fullaccess|owner|break.?glass", re.IGNORECASE)
_READ_ONLY = re.compile(r"read.?only|viewer|view.?only|audit|security.?audit", re.IGNORECASE)


@dataclass(frozen=True)
class Browser:
    """One way to open a console: `kind` is firefox, a Chromium-family key, template or
    default; `path` the executable (or the template's text)."""

    kind: str
    path: str = ""

    @property
    def name(self) -> str:
        if self.kind == "template":
            return "Command template"
        if self.kind == "default":
            return "System default browser"
        return NAMES.get(self.kind, self.kind)

    def where(self, profile: str) -> str:
        """Where `profile`'s console opens in this browser, as a sentence's end."""
        if self.kind == "firefox":
            return f"Firefox, in the container '{profile}'"
        if self.kind in CHROMIUM_FAMILY:
            return f"{self.name}, in its own profile for '{profile}'"
        return self.name


@dataclass(frozen=True)
class Target:
    """Whose console it is: the profile's name, its account and role name."""

    profile: str
    account: str
    role: str


def found(
    which: Callable[[str], str | None] = shutil.which,
    exists: Callable[[str], bool] = os.path.exists,
) -> list[Browser]:
    """The browsers installed here, from $PATH and the usual install paths; none is assumed."""
    browsers = []
    for kind, commands in (("firefox", FIREFOX), *CHROMIUM_FAMILY.items()):
        path = next((p for p in map(which, commands) if p), None)
        path = path or next((p for p in APP_PATHS.get(kind, []) if exists(p)), None)
        if path:
            browsers.append(Browser(kind, path))
    return browsers


def choose(key: str, template: str = "", browsers: list[Browser] | None = None) -> Browser:
    """The browser the setting `key` names, or a sentence saying why there is none."""
    if key in ("", "default"):
        return Browser("default")
    if key == "template":
        check_template(template)
        return Browser("template", template)
    if key != "firefox" and key not in CHROMIUM_FAMILY:
        known = ", ".join(["default", "firefox", *CHROMIUM_FAMILY, "template"])
        raise ConfigError(f"'{key}' is not a browser Rolecall knows: use one of {known}")
    for browser in found() if browsers is None else browsers:
        if browser.kind == key:
            return browser
    raise ConfigError(f"{NAMES[key]} is not installed here (looked in $PATH and the usual places)")


def check_template(template: str) -> list[str]:
    """The template's words, checked: `{url}` in them, only the placeholders it knows, and
    `{{`/`}}` for a brace itself (as in Python's str.format)."""
    try:
        words = shlex.split(template)
    except ValueError as exc:
        raise ConfigError(f"the console command template cannot be read: {exc}") from None
    if not words:
        raise ConfigError("the console command template is empty")
    fields: set[str] = set()
    for word in words:
        try:
            fields.update(
                name for _, name, _, _ in string.Formatter().parse(word) if name is not None
            )
        except ValueError:
            raise ConfigError(
                f"the console command template has a lone brace in {word!r}: "
                "write {{ or }} for a brace itself"
            ) from None
    unknown = fields - set(PLACEHOLDERS)
    if unknown:
        names = ", ".join("{" + n + "}" for n in sorted(unknown))
        raise ConfigError(
            f"the console command template has {names}; it knows {{url}}, "
            "{profile}, {account} and {role}"
        )
    if "url" not in fields:
        raise ConfigError("a console command template needs {url} where the address goes")
    return words


def container_look(target: Target) -> tuple[str, str]:
    """(colour, icon) of a role's Firefox container: an admin role is red with a fingerprint,
    a read-only one green with a fence, any other a colour of its account's and a briefcase;
    so a read-only role never looks like an admin one."""
    if _ADMIN.search(target.role) or _ADMIN.search(target.profile):
        return "red", "fingerprint"
    if _READ_ONLY.search(target.role) or _READ_ONLY.search(target.profile):
        return "green", "fence"
    digest = hashlib.sha256(target.account.encode()).digest()
    return COLOURS[digest[0] % len(COLOURS)], "briefcase"


def profile_folder(target: Target, base: Path | None = None) -> Path:
    """The role's own Chromium user-data folder, under Rolecall's data folder: its profile's
    name made safe for a file name, and a short hash of the exact name, so that `team/prod`
    and `team_prod` never share one (nor cookies)."""
    safe = re.sub(r"[^A-Za-z0-9_-]", "_", target.profile)
    digest = hashlib.sha256(target.profile.encode()).hexdigest()[:8]
    return (base or data_folder()) / "browser-profiles" / f"{safe}-{digest}"


def command(
    browser: Browser,
    url: str,
    target: Target,
    protocol: str = "container",
    base: Path | None = None,
) -> list[str]:
    """The command line that opens `url` as `target` in `browser` (not for the default
    browser, which Python's webbrowser opens)."""
    if browser.kind == "firefox":
        colour, icon = container_look(target)
        query = urllib.parse.urlencode(
            {"name": target.profile, "url": url, "color": colour, "icon": icon},
            quote_via=urllib.parse.quote,
        )
        return [browser.path, f"{CONTAINER_PROTOCOLS[protocol]}:{query}"]
    if browser.kind in CHROMIUM_FAMILY:
        folder = profile_folder(target, base)
        return [browser.path, f"--user-data-dir={folder}", "--no-first-run", "--new-window", url]
    if browser.kind == "template":
        words = check_template(browser.path)
        values = {
            "url": url,
            "profile": target.profile,
            "account": target.account,
            "role": target.role,
        }
        return [word.format(**values) for word in words]
    raise ConfigError(f"{browser.name} is opened by the system, not by a command")


def data_folder() -> Path:
    """Rolecall's own data folder: $XDG_DATA_HOME/rolecall on Linux, Application Support on
    macOS, %LOCALAPPDATA% on Windows."""
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "Rolecall"
    if sys.platform == "win32":
        local = os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local"
        return Path(local) / "Rolecall"
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "rolecall"
