"""GUI fixtures: a real window on the offscreen platform, shared with the reliability suite
(tests/helpers/windows.py)."""

from tests.helpers.windows import (  # noqa: F401 - fixtures
    clean_clipboard,
    clock,
    make_window,
    pool,
    private_runtime_dir,
    settings,
    store,
    timer,
    window,
)
