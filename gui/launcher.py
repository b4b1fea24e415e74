"""The `rolecall` command's entry point: the CLI, which hands the desktop window's start
back here, where the start-up measures live (the collector paused, the config read ahead)."""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable, Mapping, Sequence

from core import cli
from core.errors import RolecallError
from core.profiles import AwsConfig, build_config, load_config, read_full_config, without_secrets


def main(argv: Sequence[str] | None = None) -> int:
    """`rolecall ARGS`, as the console script and the desktop bundle run it."""
    return cli.main(argv, start_window=start_window)


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


def read_ahead(env: Mapping[str, str] | None = None) -> Callable[[], AwsConfig]:
    """Start reading the config on another core; the returned call gives it (once).

    The desktop app calls this first thing: a forked child has botocore parse the files
    while the parent loads Qt, which holds the interpreter for ~50 ms, so the role list does
    not wait for the parse afterwards. The child sends the settings, secrets already left
    out, through a pipe (marshal: plain dicts and strings); the roles are built here. Linux
    only: elsewhere, and whenever the child cannot deliver (an error in the config
    included), the config is read in the calling thread, where errors are raised as usual."""
    import threading

    env = os.environ if env is None else env
    if sys.platform != "linux" or threading.active_count() > 1:  # fork only a lone thread
        return lambda: load_config(env)
    import contextlib
    import marshal

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns, never runs the parent's cleanup
        try:
            os.close(read_end)
            data = marshal.dumps(without_secrets(read_full_config(env)))
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(data)
        finally:
            os._exit(0)
    os.close(write_end)

    def result() -> AwsConfig:
        with os.fdopen(read_end, "rb") as pipe:
            data = pipe.read()
        with contextlib.suppress(ChildProcessError):  # already reaped (SIGCHLD ignored)
            os.waitpid(pid, 0)
        try:
            profiles, static, portals = marshal.loads(data)  # noqa: S302 - our own child's pipe
        except (EOFError, ValueError, TypeError):  # nothing, or cut short: read it here
            return load_config(env)
        return build_config(profiles, static, env, portals)

    return result


if __name__ == "__main__":
    sys.exit(main())
