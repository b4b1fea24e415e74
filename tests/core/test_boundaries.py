"""The design's walls: core never imports Qt, and importing it stays light."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import core
from tests.conftest import ROOT


def test_importing_every_core_module_never_imports_pyside6():
    modules = [f"core.{m.name}" for m in pkgutil.iter_modules(core.__path__)]
    assert "core.cli" in modules and "core.sts" in modules
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
