"""Packaging: the wheel's contents, a pipx-style install that runs, the desktop files, the
bundle recipe's Qt modules, and one version everywhere."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT

VERSION = re.search(r'^version = "([^"]+)"', (ROOT / "pyproject.toml").read_text(), re.M)[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    (found,) = out.glob("rolecall-*.whl")
    return found


def test_the_wheel_carries_the_app_and_its_resources_and_no_tests(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert wheel.name.startswith(f"rolecall-{VERSION}-")
    for needed in (
        "core/cli.py",
        "core/engine.py",
        "gui/launcher.py",
        "gui/app.py",
        "gui/mainwindow.py",
        "resources/style.qss",
        "resources/rolecall.svg",
        "resources/io.github.rolecall.Rolecall.desktop",
        "resources/io.github.rolecall.Rolecall.metainfo.xml",
    ):
        assert needed in names, needed
    assert not any(n.startswith("tests/") for n in names)
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "rolecall = gui.launcher:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_an_isolated_install_of_the_wheel_runs(wheel, tmp_path):
    """What `pipx install` does: a venv of its own, the wheel and its dependencies."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    subprocess.run(
        [str(venv / "bin" / "pip"), "install", "-q", str(wheel)],
        check=True,
        capture_output=True,
        timeout=900,
    )
    config = tmp_path / "config"
    config.write_text(
        "[profile base]\n[profile r]\nrole_arn = arn:aws:iam::123456789012:role/R\n"
        "source_profile = base\n"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "AWS_CONFIG_FILE": str(config),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_RUNTIME_DIR": str(tmp_path),
    }
    rolecall = str(venv / "bin" / "rolecall")
    version = subprocess.run(
        [rolecall, "--version"], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60
    )
    assert version.stdout.strip() == f"rolecall {VERSION}"
    listed = subprocess.run(
        [rolecall, "list"], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60
    )
    assert listed.returncode == 0 and "123456789012" in listed.stdout
    shown = subprocess.run(
        [rolecall, "--exit-when-shown"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert shown.stdout.strip() == "rolecall: shown, roles listed: 1", shown.stderr


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is missing in CI: .ci/run installs it")
        pytest.skip(f"{name} is not installed here")
    return found


def test_the_desktop_file_is_valid():
    tool = _tool("desktop-file-validate")
    result = subprocess.run(
        [tool, str(ROOT / "resources" / "io.github.rolecall.Rolecall.desktop")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0 and result.stdout.strip() == "", result.stdout


def test_the_appstream_metainfo_is_valid():
    tool = _tool("appstreamcli")
    result = subprocess.run(
        [
            tool,
            "validate",
            "--no-net",
            "--pedantic",
            str(ROOT / "resources" / "io.github.rolecall.Rolecall.metainfo.xml"),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _imported_qt_modules() -> set[str]:
    found = set()
    for path in [*(ROOT / "gui").glob("*.py"), *(ROOT / "core").glob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("PySide6."):
                found.add(node.module.split(".")[1])
    return found


def test_the_bundle_recipe_keeps_exactly_the_qt_modules_the_app_imports():
    spec = ast.parse((ROOT / "packaging" / "rolecall.spec").read_text())
    kept = next(
        ast.literal_eval(n.value)
        for n in ast.walk(spec)
        if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "QT_MODULES"
    )
    # QtSvg is not imported: Qt loads it to draw the SVG icons.
    assert set(kept) == _imported_qt_modules() | {"QtSvg"}


def test_one_version_everywhere():
    import core

    assert core.__version__ == VERSION
    metainfo = (ROOT / "resources" / "io.github.rolecall.Rolecall.metainfo.xml").read_text()
    assert f'<release version="{VERSION}"' in metainfo
