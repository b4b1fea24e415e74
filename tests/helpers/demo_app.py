"""Drives `rolecall --demo` started the way the console script starts it, from inside its own
process, and prints what a person would have seen as JSON lines on stdout.

    python -m tests.helpers.demo_app tour   # assume, browse Orders, Run, Load all, query, MyTable
    python -m tests.helpers.demo_app idle   # assume and copy, say where things are, then wait

The only thing added to the real start path is a timer queued before `main(["--demo"])`
runs the window; it finds the window and clicks through it as a person would.
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from tests.helpers.heartbeat import Heartbeat


def environment(folder: Path) -> dict[str, str]:
    """For running this as a process: no AWS settings or Rolecall ones of the person's, and
    preferences and the runtime folder under `folder`."""
    run = folder / "run"
    run.mkdir(mode=0o700, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ROLECALL_"))}
    env.update(
        QT_QPA_PLATFORM="offscreen",
        XDG_CONFIG_HOME=str(folder / "config"),
        XDG_RUNTIME_DIR=str(run),
        PYTHONPATH=str(Path(__file__).resolve().parents[2]),
    )
    return env


def say(**fields: Any) -> None:
    print(json.dumps(fields), flush=True)


class Expect:
    """Connect first, act, then wait: the first of `signals` to fire, or TimeoutError."""

    def __init__(self, *signals: Any) -> None:
        self.signals = signals
        self.got: tuple[int, tuple[Any, ...]] | None = None
        self.loop = QEventLoop()
        self.slots = []
        for number, signal in enumerate(signals):
            slot = (lambda n: lambda *args: self._hit(n, args))(number)
            signal.connect(slot)
            self.slots.append((signal, slot))

    def _hit(self, number: int, args: tuple[Any, ...]) -> None:
        if self.got is None:
            self.got = (number, args)
            self.loop.quit()

    def wait(self, seconds: float, what: str) -> tuple[int, tuple[Any, ...]]:
        if self.got is None:
            QTimer.singleShot(int(seconds * 1000), self.loop.quit)
            self.loop.exec()
        for signal, slot in self.slots:
            signal.disconnect(slot)
        if self.got is None:
            raise TimeoutError(f"{what}: nothing after {seconds:.0f} s")
        if self.got[0] != 0:
            raise AssertionError(f"{what}: {self.got[1]}")
        return self.got


def the_window(app: QApplication) -> Any:
    from gui.mainwindow import MainWindow

    return next(w for w in app.topLevelWidgets() if isinstance(w, MainWindow))


def ready(window: Any) -> None:
    c = window.controller
    Expect(c.storeReady, c.configFailed).wait(120, "the demo AWS starting")
    window.select("demo-readonly")
    expect = Expect(c.assumed, c.assumeFailed)
    window.detail.assume_button.click()
    expect.wait(60, "assuming demo-readonly")


def look(seconds: float = 0.2) -> None:
    """What a person does before the next click: the window paints the result and they look
    at it. (A click in the very millisecond the rows arrive is not one a person can make; it
    would put the first paint of the rows on top of the next read's start.)"""
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def read(browser: Any, action: Any, what: str, seconds: float = 240) -> float:
    """Seconds from the click to the read's end; then the person looks at the rows."""
    began = time.perf_counter()
    expect = Expect(browser.readFinished, browser.failed)
    action()
    expect.wait(seconds, what)
    took = time.perf_counter() - began
    look()
    return took


def pick_table(browser: Any, name: str) -> None:
    expect = Expect(browser.tableDescribed, browser.failed)
    browser.tables.list.setCurrentItem(
        browser.tables.list.findItems(name, Qt.MatchFlag.MatchExactly)[0]
    )
    expect.wait(60, f"describing {name}")
    look()


def tour(app: QApplication) -> None:
    window = the_window(app)
    ready(window)
    with Heartbeat(settle=False) as opening:
        browser = window.browse()
        Expect(browser.tablesLoaded, browser.failed).wait(60, "listing the tables")
        pick_table(browser, "Orders")
    with Heartbeat(settle=False) as beat:
        first_s = read(browser, browser.query.run_button.click, "the first rows of Orders")
        first_rows = len(browser.model.items)
        all_s = read(browser, browser.load_all.click, "Load all of Orders")
        orders = len(browser.model.items)
        browser.query.mode.setCurrentText("Query")
        browser.query.pk_value.setText("C0007")
        read(browser, browser.query.run_button.click, "querying customer C0007")
        if browser.model.more:
            read(browser, browser.load_all.click, "all of customer C0007")
        customers = {item["customer_id"]["S"] for item in browser.model.items}
        customer = len(browser.model.items)
        pick_table(browser, "MyTable")
        browser.query.mode.setCurrentText("Scan")
        read(browser, browser.query.run_button.click, "scanning MyTable")
        mytable = [item["id"]["S"] for item in browser.model.items]
    from core import demo

    say(
        roles=len(window.model.rows),
        first_rows=first_rows,
        first_rows_s=first_s,
        orders=orders,
        load_all_s=all_s,
        customer=customer,
        customers=sorted(customers),
        mytable=mytable,
        worst_ms=beat.worst_ms,
        worst_opening_ms=opening.worst_ms,
        demo_pid=demo._running[0].process.pid,
        folder=str(demo._running[0].folder),
    )
    app.quit()


def idle(app: QApplication) -> None:
    window = the_window(app)
    ready(window)
    window.copy_default()
    from core import demo, endpoint

    clipboard = QGuiApplication.clipboard()
    # Connected after the app's own clean-up, so this sees the clipboard as it is left (and
    # says only whether it is empty: the keys are not to be printed).
    app.aboutToQuit.connect(lambda: say(clipboard_empty_at_quit=not clipboard.text()))
    say(
        demo_pid=demo._running[0].process.pid,
        folder=str(demo._running[0].folder),
        runtime_file=str(endpoint.runtime_file()),
        copied=bool(clipboard.text()),
    )


def main() -> int:
    mode = {"tour": tour, "idle": idle}[sys.argv[1]]
    app = QApplication(sys.argv[:1])

    def drive() -> None:
        try:
            mode(app)
        except Exception:  # noqa: BLE001 - TTL is extra detail; a role may not see it
            say(error=traceback.format_exc())
            app.exit(1)

    QTimer.singleShot(0, drive)
    from gui.launcher import main as rolecall

    return rolecall(["--demo"])


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.exit(main())
