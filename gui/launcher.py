"""The `rolecall` command's entry point: the CLI, which hands the desktop window's start
back here, where the start-up measures live (the collector paused, the config read ahead).
A plain `rolecall` starts the window without the CLI: its grammar (argparse and every
command's options) costs the first frame ~10 ms and says nothing there. Nothing is imported
here before the read-ahead child is started but what it needs (see read_ahead)."""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from core.profiles import AwsConfig

THEMES = ("system", "light", "dark")


def main(argv: Sequence[str] | None = None) -> int:
    """`rolecall ARGS`, as the console script and the desktop bundle run it."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv == [READ_AHEAD_CHILD]:  # a bundle's read-ahead child (read_ahead)
        send_config()
    window = plain_window_start(argv)
    if window is not None:
        try:
            return start_window(demo=False, exit_when_shown=window[0], theme=window[1])
        except (KeyboardInterrupt, Exception) as exc:  # noqa: BLE001 - report() says it
            from core.cli import report

            return report(exc)
    from core import cli

    return cli.main(argv, start_window=start_window)


def plain_window_start(argv: Sequence[str]) -> tuple[bool, str | None] | None:
    """(exit when shown, theme) for a command line that only starts the window, as the CLI
    would read it; None for anything else (a command, --demo, -v, --help, a mistake), which
    the CLI reads and says."""
    exit_when_shown, theme = False, None
    args = iter(argv)
    for arg in args:
        if arg == "--exit-when-shown":
            exit_when_shown = True
        elif arg.startswith("--theme=") or arg == "--theme":
            theme = arg.partition("=")[2] if "=" in arg else next(args, None)
            if theme not in THEMES:
                return None
        else:
            return None
    return exit_when_shown, theme


def start_window(*, demo: bool, exit_when_shown: bool, theme: str | None) -> int:
    """Start the desktop app and run it until it quits."""
    # Start-up makes many objects and few cycles: the collector waits until start-up is
    # over (gui.app.end_startup), instead of walking the new objects again and again.
    gc.disable()
    # The demo seeds its own config when its AWS is up; otherwise read it while Qt loads.
    first_config = None if demo else read_ahead()
    try:
        without_pyside_features()
        from gui.app import run
    except ImportError as exc:
        from core.errors import RolecallError

        raise RolecallError(f"the desktop app cannot start: {exc}") from None
    return run(
        demo=demo, exit_when_shown=exit_when_shown, theme_choice=theme, first_config=first_config
    )


def without_pyside_features() -> None:
    """Import PySide6 without its `__feature__` switch (snake_case and true_property, which
    Rolecall does not use). The switch hooks `import` itself: every module imported after
    PySide6 has its source file read to see whether it names PySide6 (48 modules in the
    window's start, 7-10 ms). PySide6 keeps Python's own import function beside its hook."""
    import builtins

    import PySide6  # noqa: F401 - installs the hook

    builtins.__import__ = getattr(builtins, "__orig_import__", builtins.__import__)


READ_AHEAD_CHILD = "--read-config-ahead"  # the bundle's own command for the child


def read_ahead(env: Mapping[str, str] | None = None) -> ReadAhead:
    """Start reading the config in another process; the returned call gives it (once).

    The desktop app calls this first thing: a child process has botocore parse the files
    while this one loads Qt, which holds the interpreter for ~100 ms, so the role list does
    not wait for the parse afterwards: when the child is done by the time the window is
    built, the roles are in its first frame (`ReadAhead.done`). The child sends the
    settings, secrets already left out, through a pipe (marshal: plain dicts and strings);
    the roles are built here.

    The child is a fresh interpreter (posix_spawn), not a fork: a forked child shares this
    process's pages, and each page this one then writes (every object whose count changes)
    is copied first, ~1,500 page faults in the window's start. Without `site` (its .pth
    hooks cost ~20 ms), on this process's import path. Wherever the child cannot be started
    or cannot deliver (an error in the config included), the config is read in the calling
    thread, where errors are raised as usual."""
    env = os.environ if env is None else env
    spawn = getattr(os, "posix_spawn", None)
    if spawn is None:
        return ReadAhead(env)
    if getattr(sys, "frozen", False):  # a bundle: its executable is the app
        argv = [sys.executable, READ_AHEAD_CHILD]
    else:
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # gui/ and core/
        child = "import sys; sys.path[:] = sys.argv[1:]; import gui.launcher as l; l.send_config()"
        argv = [sys.executable, "-S", "-c", child, root, *sys.path]
    read_end, write_end = os.pipe()  # neither is inherited: the child's stdout is write_end
    try:
        pid = spawn(argv[0], argv, env, file_actions=[(os.POSIX_SPAWN_DUP2, write_end, 1)])
    except OSError:
        os.close(read_end)
        return ReadAhead(env)
    finally:
        os.close(write_end)
    return ReadAhead(env, pid, read_end)


def send_config() -> None:
    """The read-ahead child: the config, secrets left out, to stdout; then exit, silently
    whatever happens (the window reads the config itself when nothing came)."""
    try:
        # Below the window's own priority: where the other core is busy, the child takes
        # what the window leaves instead of half its CPU.
        os.nice(10)
        import marshal

        from core.profiles import read_full_config, without_secrets

        data = marshal.dumps(without_secrets(read_full_config(os.environ)))
        with os.fdopen(1, "wb") as pipe:
            pipe.write(data)
    finally:
        os._exit(0)


class ReadAhead:
    """A config read in a child process (`pid`, whose pipe is `fd`), or, without one, a
    read to do when called."""

    def __init__(self, env: Mapping[str, str], pid: int = 0, fd: int = -1) -> None:
        self.env, self.pid, self.fd = env, pid, fd
        self._reaped = False

    def done(self) -> bool:
        """Whether calling now gives the config at once: the child has exited, so all it
        sent is in the pipe (what does not fit in one keeps it running until read)."""
        if self._reaped:
            return True
        if not self.pid:
            return False
        try:
            self._reaped = os.waitpid(self.pid, os.WNOHANG)[0] == self.pid
        except ChildProcessError:  # reaped by someone else (SIGCHLD ignored): cannot tell
            return False
        return self._reaped

    def __call__(self) -> AwsConfig:
        import contextlib
        import marshal

        from core.profiles import build_config, load_config

        if not self.pid:
            return load_config(self.env)
        with os.fdopen(self.fd, "rb") as pipe:
            data = pipe.read()
        if not self._reaped:
            with contextlib.suppress(ChildProcessError):  # already reaped (SIGCHLD ignored)
                os.waitpid(self.pid, 0)
        try:
            profiles, static, portals = marshal.loads(data)  # noqa: S302 - our own child's pipe
        except (EOFError, ValueError, TypeError):  # nothing, or cut short: read it here
            return load_config(self.env)
        return build_config(profiles, static, self.env, portals)


if __name__ == "__main__":
    sys.exit(main())
