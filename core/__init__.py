"""Rolecall's engine: AWS profiles, STS, the session vault and the CLI. Never imports Qt."""

from __future__ import annotations

from typing import Any


def _version() -> str:
    """The version in pyproject.toml, the one source of truth (installed metadata first)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("rolecall")
    except PackageNotFoundError:
        import re
        from pathlib import Path

        pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
        if pyproject.exists():
            found = re.search(r'^version = "([^"]+)"', pyproject.read_text(), re.MULTILINE)
            if found:
                return found[1]
        return "unknown"


def __getattr__(name: str) -> Any:
    if name == "__version__":  # computed on first use, so `import core` stays light
        return _version()
    raise AttributeError(name)
