"""The reliability suite drives the real window too: the GUI fixtures, shared."""

from tests.core.test_lambda import lambda_env  # noqa: F401, E402 - fixture
from tests.gui.conftest import (  # noqa: F401 - fixtures
    clean_clipboard,
    clock,
    make_window,
    pool,
    private_runtime_dir,
    settings,
    store,
    window,
)
