"""The design's walls: core never imports Qt or the GUI (every import is read, lazy ones
included), and importing it stays light."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import core
from tests.conftest import ROOT

OFF_LIMITS = ("PySide6", "shiboken6", "gui")


def imports(source: str) -> list[tuple[int, str]]:
    """(line, module) of every import in the source: at the top, in functions, under
    TYPE_CHECKING, and by importlib.import_module or __import__ with a literal name."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Call) and node.args:
            called = node.func.attr if isinstance(node.func, ast.Attribute) else ""
            called = node.func.id if isinstance(node.func, ast.Name) else called
            first = node.args[0]
            if called in ("import_module", "__import__") and isinstance(first, ast.Constant):
                found.append((node.lineno, str(first.value)))
    return found


def test_the_import_reader_sees_lazy_and_dynamic_imports():
    source = (
        "import os\n"
        "def start():\n"
        "    from gui.app import run\n"
        "    import PySide6.QtWidgets\n"
        "    return importlib.import_module('gui.mainwindow'), __import__('shiboken6')\n"
    )
    assert [name for _, name in imports(source)] == [
        "os",
        "gui.app",
        "PySide6.QtWidgets",
        "gui.mainwindow",
        "shiboken6",
    ]


def core_files() -> list[Path]:
    return sorted((ROOT / "core").glob("*.py"))


def test_no_core_module_imports_qt_or_the_gui_anywhere():
    assert {"cli.py", "engine.py", "__init__.py"} <= {p.name for p in core_files()}
    crossings = [
        f"{path.relative_to(ROOT)}:{line}: {name}"
        for path in core_files()
        for line, name in imports(path.read_text(encoding="utf-8"))
        if name.split(".")[0] in OFF_LIMITS
    ]
    assert crossings == []


def test_importing_every_core_module_never_imports_pyside6():
    modules = [f"core.{m.name}" for m in pkgutil.iter_modules(core.__path__)]
    assert "core.cli" in modules and "core.engine" in modules
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "qt = ('PySide6', 'shiboken6', 'gui')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in qt))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert out.stdout.strip() == "[]"


def test_import_core_does_not_load_boto3():
    code = "import sys, core, core.cli; print('boto3' in sys.modules, 'botocore' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert out.stdout.split() == ["False", "False"]


def test_the_window_s_start_does_not_load_boto3():
    """What the `rolecall` window imports before its first frame: boto3 (and s3transfer under
    it) cost 110-180 ms of start-up when the browser's history pulled it in; the engine loads
    it on a worker once the roles are listed. Nor the CLI and its grammar, ~10 ms."""
    code = (
        "import sys, gui.launcher, gui.app; "
        "print(*(m in sys.modules for m in ('boto3', 'keyring', 'core.arguments', 'core.cli')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert out.stdout.split() == ["False"] * 4
