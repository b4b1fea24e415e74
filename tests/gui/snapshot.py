"""Picture of the demo window with a session active, for the README and for looking at it.

QT_QPA_PLATFORM=offscreen python -m tests.gui.snapshot OUT.png [light|dark]
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QSettings, QThreadPool, QTimer
from PySide6.QtWidgets import QApplication


def main() -> int:
    out = sys.argv[1]
    choice = sys.argv[2] if len(sys.argv) > 2 else "light"
    app = QApplication(sys.argv[:1])
    from gui import theme
    from gui.controller import Controller
    from gui.mainwindow import MainWindow
    from gui.settings import Settings

    theme.apply(app, choice)
    settings = Settings(QSettings("/tmp/rolecall-snapshot.ini", QSettings.Format.IniFormat))
    controller = Controller(QThreadPool.globalInstance(), demo=True)
    window = MainWindow(controller, settings, demo=True)
    window.resize(1180, 720)
    window.show()

    def loaded(config: object) -> None:
        window.select("demo-readonly")
        controller.assume("demo-readonly")
        controller.assume("demo-admin")

    def assumed(profile: str) -> None:
        if len(controller.sessions.sessions) == 2:
            window.select("demo-readonly")
            window.copy_format("env")
            QTimer.singleShot(300, lambda: (window.grab().save(out), app.quit()))

    controller.configLoaded.connect(loaded)
    controller.assumed.connect(assumed)
    controller.assumeFailed.connect(lambda p, m: (print(p, m), app.exit(1)))
    controller.start()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
