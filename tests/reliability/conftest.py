"""The reliability suite drives the real window too: the GUI fixtures, shared; and the fault
proxy in front of moto."""

import pytest

from tests.core.test_lambda import lambda_env  # noqa: F401 - fixture
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


@pytest.fixture
def proxy(aws, monkeypatch):
    """Every AWS call of the test goes through the fault proxy to the shared moto server."""
    from tests.helpers.faultproxy import FaultProxy

    proxy = FaultProxy(aws.endpoint)
    monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.url)
    yield proxy
    proxy.down()
