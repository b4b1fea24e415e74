"""Starting the desktop app: `rolecall` (or `rolecall --demo`)."""

from __future__ import annotations

import gc
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager

from PySide6.QtCore import QThreadPool, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from core import redact
from core.profiles import AwsConfig
from gui import theme
from gui.controller import Controller
from gui.mainwindow import MainWindow, show_later
from gui.settings import Settings


def install_crash_handler() -> None:
    """An exception nothing caught (a bug): logged with secrets masked, said in one line on
    stderr; the app goes on. Never a raw traceback that could carry a key."""
    log = logging.getLogger("rolecall.crash")

    def hook(kind: type[BaseException], error: BaseException, tb: object) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, error, tb)  # type: ignore[arg-type]
            return
        log.debug("unexpected failure", exc_info=(kind, error, tb))  # type: ignore[arg-type]
        message = redact.redact(" ".join(str(error).split()))
        print(
            f"rolecall: unexpected {kind.__name__}: {message} (run with -v for details)",
            file=sys.stderr,
        )

    sys.excepthook = hook


@contextmanager
def quit_on_signals(app: QApplication) -> Iterator[None]:
    """SIGTERM, SIGHUP and Ctrl-C quit the app as its Quit menu does. Python runs signal
    handlers only between bytecodes and Qt's event loop runs none, so the signal's wakeup fd
    wakes a notifier whose (Python) slot lets the handler run at once. The fd is a pipe's:
    Windows takes only a socket's, and the socket module costs the first frame ~3 ms."""
    import os
    import signal

    from PySide6.QtCore import QSocketNotifier

    from core.quitting import on_quit_signals

    if sys.platform == "win32":
        import socket

        pair = socket.socketpair()
        for end in pair:
            end.setblocking(False)
        reader, writer = pair[0].fileno(), pair[1].fileno()

        def drain() -> None:
            pair[0].recv(512)

        def close() -> None:
            for end in pair:
                end.close()
    else:
        reader, writer = os.pipe()
        for fd in (reader, writer):
            os.set_blocking(fd, False)

        def drain() -> None:
            os.read(reader, 512)

        def close() -> None:
            os.close(reader)
            os.close(writer)

    previous_fd = signal.set_wakeup_fd(writer)
    notifier = QSocketNotifier(reader, QSocketNotifier.Type.Read, app)
    notifier.activated.connect(lambda *_: drain())
    try:
        with on_quit_signals(app.quit):
            yield
    finally:
        signal.set_wakeup_fd(previous_fd)
        notifier.setEnabled(False)
        close()


def after_paint(widget: QWidget, then: Callable[[], object]) -> None:
    """Call `then` once `widget` has next been painted (and the frame flushed)."""
    from PySide6.QtCore import QEvent, QObject

    class Watch(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
            if event.type() == QEvent.Type.Paint:
                watched.removeEventFilter(self)
                QTimer.singleShot(0, then)
            return False

    widget.installEventFilter(Watch(widget))


def end_startup() -> None:
    """Start-up is over: what it made (Qt wrappers, botocore's models, the config) lives as
    long as the app. Frozen once, it stays out of every later collection, each of which would
    walk all of it holding the GIL (100-200 ms stalls during reads); reference counting still
    frees it. The collector was off until now (the launcher turns it off)."""
    gc.freeze()
    gc.enable()


def run(
    demo: bool = False,
    exit_when_shown: bool = False,
    theme_choice: str | None = None,
    first_config: Callable[[], AwsConfig] | None = None,
) -> int:
    redact.quiet_aws_loggers()
    redact.redact_handlers()
    install_crash_handler()
    existing = QApplication.instance()
    if isinstance(existing, QApplication):  # a test's
        app = existing
        app.setStyle(theme.STYLE)
    else:  # made in its style: setStyle() would cost the first frame QStyle's enums (~5 ms)
        app = QApplication([*sys.argv[:1], "-style", theme.STYLE])
    app.setApplicationName("Rolecall")
    app.setOrganizationName("Rolecall")
    app.setDesktopFileName("io.github.rolecall.Rolecall")
    settings = Settings()
    theme.apply(app, theme_choice or settings.get("theme"), guess=True)  # see theme.confirm
    controller = Controller(QThreadPool.globalInstance(), demo=demo, first_config=first_config)
    start_hidden = settings.get("start_in_tray")
    # Shown at once, the window's first frame is its role list (see MainWindow).
    window = MainWindow(controller, settings, demo=demo, staged=not start_hidden)

    def clear_clipboard() -> None:
        if window.finished:  # else nothing was copied
            window.clipboard.clear()

    app.aboutToQuit.connect(clear_clipboard)
    controller.settled.connect(end_startup)
    if exit_when_shown:
        controller.configFailed.connect(lambda message: (print(message), app.exit(1)))
    show_later(window, start_hidden)
    if exit_when_shown:
        # For start-up measurements: say when the window's roles are on the screen, then leave.
        def shown(*_: object) -> None:
            print(f"rolecall: shown, roles listed: {len(window.model.rows)}", flush=True)
            QTimer.singleShot(0, app.quit)

        if window.config is None:  # not read ahead in time: once its rows are painted

            def loaded(*_: object) -> None:
                if window.isVisible():
                    after_paint(window.roles.tree.viewport(), shown)
                else:  # in the tray
                    shown()

            controller.configLoaded.connect(loaded)
        elif window.finished:  # whole at once (it starts in the tray)
            shown()
        else:  # the roles are in the first frame: once it is painted
            window.firstFramePainted.connect(shown)
    with ExitStack() as stack:

        def started() -> None:
            """Once the first frame is painted: the app's icon (its SVG costs the frame ~2 ms),
            and quitting on signals, also while shutting down (a second Ctrl-C changes
            nothing); until then Python's own handlers stop the app."""
            app.setWindowIcon(theme.icon("rolecall.svg"))
            stack.enter_context(quit_on_signals(app))

        window.started.connect(started)
        try:
            code = app.exec()  # aboutToQuit has cleared the clipboard when this returns
        finally:
            controller.shutdown()
            QThreadPool.globalInstance().waitForDone(5000)
            logging.shutdown()
    return code
