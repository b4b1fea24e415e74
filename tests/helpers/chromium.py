"""Debian's Chromium, run headless the way Rolecall runs a role's console: the product's own
command line with what a test machine needs added (no screen, no sandbox as root, none of the
browser's background connections, which this machine's closed network refuses)."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
HEADLESS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--password-store=basic",
]


def require() -> str:
    """Chromium's path; without it the test is skipped, or fails where CI asks for it."""
    if CHROMIUM is None:
        if os.environ.get("ROLECALL_REQUIRE_CHROMIUM"):
            pytest.fail("Chromium is required here (ROLECALL_REQUIRE_CHROMIUM) but not installed")
        pytest.skip("Debian's chromium is not installed here (.ci/run installs it)")
    return CHROMIUM


def dump_dom(argv: list[str], timeout: float = 90) -> str:
    """Run Rolecall's command line `argv` headless; the DOM of the page it ended on."""
    full = [argv[0], *HEADLESS, "--dump-dom", *argv[1:]]
    return subprocess.run(full, capture_output=True, text=True, timeout=timeout).stdout
