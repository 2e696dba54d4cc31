from collections.abc import Iterator
from typing import Any

import pytest

from tests.providers.fixtures import billit, billit_company, other_company  # noqa: F401


@pytest.fixture(scope="module")
def sandbox_server() -> Iterator[Any]:
    """A sandbox of our own, for what its control endpoints cannot do yet: remove a product, as Billit's UI can."""
    from billit_sandbox.server import SandboxServer

    server = SandboxServer("127.0.0.1", 0).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def own_sandbox(sandbox_server: Any) -> Any:
    sandbox_server.sandbox.reset()
    return sandbox_server
