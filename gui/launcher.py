"""The `rolecall` command's entry point: the CLI, which hands the desktop window's start
back here, where the start-up measures live (the collector paused, the config read ahead).
A plain `rolecall` starts the window without the CLI: its grammar (argparse and every
command's options) costs the first frame ~10 ms and says nothing there."""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Mapping, Sequence

from core.errors import RolecallError
from core.profiles import AwsConfig, build_config, load_config, read_full_config, without_secrets

THEMES = ("system", "light", "dark")


def main(argv: Sequence[str] | None = None) -> int:
    """`rolecall ARGS`, as the console script and the desktop bundle run it."""
    argv = list(sys.argv[1:] if argv is None else argv)
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
        from gui.app import run
    except ImportError as exc:
        raise RolecallError(f"the desktop app cannot start: {exc}") from None
    return run(
        demo=demo, exit_when_shown=exit_when_shown, theme_choice=theme, first_config=first_config
    )


def read_ahead(env: Mapping[str, str] | None = None) -> ReadAhead:
    """Start reading the config on another core; the returned call gives it (once).

    The desktop app calls this first thing: a forked child has botocore parse the files
    while the parent loads Qt, which holds the interpreter for ~100 ms, so the role list
    does not wait for the parse afterwards: when the child is done by the time the window is
    built, the roles are in its first frame (`ReadAhead.done`). The child sends the
    settings, secrets already left out, through a pipe (marshal: plain dicts and strings);
    the roles are built here. Linux only: elsewhere, and whenever the child cannot deliver
    (an error in the config included), the config is read in the calling thread, where
    errors are raised as usual."""
    import threading

    env = os.environ if env is None else env
    if sys.platform != "linux" or threading.active_count() > 1:  # fork only a lone thread
        return ReadAhead(env)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns, never runs the parent's cleanup
        try:
            os.close(read_end)
            # Below the window's own priority: where the other core is busy, the child takes
            # what the window leaves instead of half its CPU (without it, 1.22x; with, 1.16x).
            os.nice(10)
            import marshal

            data = marshal.dumps(without_secrets(read_full_config(env)))
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(data)
        finally:
            os._exit(0)
    os.close(write_end)
    return ReadAhead(env, pid, read_end)


class ReadAhead:
    """A config read in a forked child (`pid`, whose pipe is `fd`), or, without a child, a
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
        if not self.pid:
            return load_config(self.env)
        import contextlib
        import marshal

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
