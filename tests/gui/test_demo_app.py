"""`rolecall --demo` as a newcomer meets it: started as the console script starts it, with
its AWS in a child process of its own, driven through the headline path, and killed or
signalled the ways a desktop ends programs. Checked from outside the app's process."""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.helpers.demo_app import environment


def drive(mode: str, tmp_path: Path) -> subprocess.Popen[str]:
    """The app in `mode`; its stderr (and its demo child's) to a file, so no pipe fills up."""
    with (tmp_path / "stderr.txt").open("w") as stderr:
        return subprocess.Popen(
            [sys.executable, "-m", "tests.helpers.demo_app", mode],
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            env=environment(tmp_path),
            cwd=ROOT,
        )


def said(app: subprocess.Popen[str], tmp_path: Path, seconds: float = 240) -> dict:
    """The next line the driver prints, within `seconds`."""
    assert select.select([app.stdout], [], [], seconds)[0], "the app said nothing in time"
    line = app.stdout.readline()  # type: ignore[union-attr]
    assert line, (tmp_path / "stderr.txt").read_text()
    fields = json.loads(line)
    assert "error" not in fields, fields["error"]
    return fields


def gone_within(pid: int, seconds: float) -> bool:
    """Whether the process `pid` (not ours to wait for) has ended within `seconds`."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    try:
        return bool(select.select([fd], [], [], seconds)[0])
    finally:
        os.close(fd)


def finish(app: subprocess.Popen[str], tmp_path: Path) -> tuple[int, str, str]:
    out, _ = app.communicate(timeout=60)
    return app.returncode, out, (tmp_path / "stderr.txt").read_text()


def end(app: subprocess.Popen[str], seen: dict | None = None) -> None:
    """After the test, whatever it found: nothing of the app or its demo goes on running."""
    app.kill()
    if seen and not gone_within(seen["demo_pid"], 0):
        os.kill(seen["demo_pid"], signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        app.communicate(timeout=10)


def tour(tmp_path: Path) -> dict:
    """One tour of the headline path, checked as a person would; what it saw."""
    tmp_path.mkdir()
    app = drive("tour", tmp_path)
    seen = None
    try:
        seen = said(app, tmp_path)
        code, _, err = finish(app, tmp_path)
    finally:
        end(app, seen)
    assert code == 0, err
    assert seen["roles"] == 6
    assert seen["first_rows_s"] < 1.0 and 25 <= seen["first_rows"] < 3000
    assert seen["orders"] == 3000
    assert seen["customer"] == 50 and seen["customers"] == ["C0007"]
    assert seen["mytable"] == ["123"]
    assert gone_within(seen["demo_pid"], 5)
    assert not Path(seen["folder"]).exists()
    assert "Traceback" not in err
    return seen


def test_the_headline_path_on_the_demo_started_as_the_rolecall_command(tmp_path):
    """Assume, browse Orders, Run, Load all, query one customer, scan MyTable: every row
    there, the first ones at once, and the window never waiting more than 50 ms.

    A wait of 50 ms or more is looked at twice: on a shared machine the scheduler can take
    the CPU from the app for that long, once; a stall of the app's own shows in both tours."""
    first = tour(tmp_path / "first")
    if first["worst_ms"] < 50:
        return
    again = tour(tmp_path / "again")
    assert again["worst_ms"] < 50, (
        f"the window waited {first['worst_ms']:.0f} ms during the reads, "
        f"and {again['worst_ms']:.0f} ms in a second tour"
    )


def test_killing_the_app_ends_its_demo_aws_within_five_seconds(tmp_path):
    app = drive("idle", tmp_path)
    seen = None
    try:
        seen = said(app, tmp_path)
        assert Path(seen["folder"], "credentials").exists()
        app.kill()
        app.wait(timeout=10)
        assert gone_within(seen["demo_pid"], 5), "the demo's moto process outlived the app"
        assert not Path(seen["folder"]).exists()
    finally:
        end(app, seen)


@pytest.mark.parametrize("quit_signal", [signal.SIGTERM, signal.SIGHUP], ids=["TERM", "HUP"])
def test_a_quit_signal_is_a_normal_quit_with_every_clean_up(tmp_path, quit_signal):
    app = drive("idle", tmp_path)
    seen = None
    try:
        seen = said(app, tmp_path)
        runtime_file = Path(seen["runtime_file"])
        assert seen["copied"] and runtime_file.exists()
        app.send_signal(quit_signal)
        code, out, err = finish(app, tmp_path)
    finally:
        end(app, seen)
    assert code == 0, err
    assert json.loads(out.splitlines()[-1]) == {"clipboard_empty_at_quit": True}
    assert gone_within(seen["demo_pid"], 5)
    assert not Path(seen["folder"]).exists()
    assert not runtime_file.exists()
    assert "Traceback" not in err
