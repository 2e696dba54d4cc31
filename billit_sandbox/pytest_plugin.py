"""pytest fixtures for any test that talks to Billit: a real sandbox server on a free loopback port.

Load with `pytest_plugins = ["billit_sandbox.pytest_plugin"]`. Then:

    def test_it_creates_an_invoice(billit_sandbox):
        client = BillitClient(billit_sandbox.api_key, billit_sandbox.party_id, base_url=billit_sandbox.base_url)
        billit_sandbox.fail_next("503", method="POST", path="/v1/orders", phase="after")
        ...
        assert len(billit_sandbox.orders()) == 1

The server is started once per session (per xdist worker) and reset to its seed before every test that uses
`billit_sandbox`. Set BILLIT_SANDBOX_URL to use a sandbox that is already running instead.
"""

from __future__ import annotations

import json
import os
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from billit_sandbox.seed import DEMO_COMPANY_ID, DEMO_KEY, TWIN_COMPANY_IDS, TWO_COMPANIES_KEY


class SandboxHandle:
    """What a test needs to know about, and do to, the running sandbox (through its control endpoints)."""

    api_key = DEMO_KEY
    party_id = DEMO_COMPANY_ID
    two_companies_key = TWO_COMPANIES_KEY
    two_companies_party_ids = TWIN_COMPANY_IDS

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")

    def __repr__(self) -> str:
        return f"SandboxHandle(base_url={self.base_url!r})"

    def _control(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"{self.base_url}/_sandbox/{path}",
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 - loopback control endpoint
            return json.loads(answer.read() or b"null")

    def reset(self) -> None:
        self._control("POST", "reset", {})

    def set_faults(self, **config: Any) -> dict[str, Any]:
        """Replace the fault configuration, e.g. `set_faults(latency_ms=5, error_rate=0.2, seed=7)`."""
        return self._control("POST", "faults", config)

    def fail_next(
        self, fault: str, *, method: str | None = None, path: str | None = None, phase: str = "before", count: int = 1,
        **options: Any,
    ) -> dict[str, Any]:  # fmt: skip
        """Make the next `count` matching requests fail with `fault` (500, 503, 429, drop, timeout, malformed);
        `phase="after"` applies the request first (an order is created) and then fails the answer."""
        current = self._control("GET", "faults")
        entry = {"fault": fault, "phase": phase, "count": count, **options}
        if method:
            entry["method"] = method
        if path:
            entry["path"] = path
        current["script"] = [*current.get("script", []), entry]
        return self._control("POST", "faults", current)

    def clear_faults(self) -> None:
        self._control("POST", "faults", {})

    def register_peppol_participant(self, identifier: str) -> str:
        """Make a VAT or CBE number reachable on the sandbox's Peppol network; returns the canonical id."""
        return self._control("POST", "peppol/participants", {"Identifier": identifier})["Identifier"]

    def unregister_peppol_participant(self, identifier: str) -> None:
        self._control("DELETE", "peppol/participants", {"Identifier": identifier})

    def orders(self, company_id: int | None = None) -> list[dict[str, Any]]:
        """Every order stored (of one company, or all), as Billit's JSON."""
        suffix = f"?company_id={company_id}" if company_id is not None else ""
        return self._control("GET", f"orders{suffix}")

    def stats(self) -> dict[str, Any]:
        return self._control("GET", "stats")

    def requests(self) -> list[dict[str, Any]]:
        """The journal of /v1 requests received (bodies included, ApiKey never)."""
        return self._control("GET", "requests")

    def webhook_deliveries(self) -> list[dict[str, Any]]:
        return self._control("GET", "webhooks/deliveries")

    def add_api_key(self, api_key: str, companies: list[int] | None = None) -> None:
        """Let another API key in (a new user of the given companies, default the demo company)."""
        self._control("POST", "accounts", {"ApiKey": api_key, "Companies": companies or [self.party_id]})

    def settings(self, **values: Any) -> dict[str, Any]:
        return self._control("POST", "settings", values)


@pytest.fixture(scope="session")
def billit_sandbox_server() -> Iterator[SandboxHandle]:
    external = os.environ.get("BILLIT_SANDBOX_URL")
    if external:
        yield SandboxHandle(external)
        return
    from billit_sandbox.server import SandboxServer

    server = SandboxServer("127.0.0.1", 0).start()
    try:
        yield SandboxHandle(server.base_url)
    finally:
        server.stop()


@pytest.fixture
def billit_sandbox(billit_sandbox_server: SandboxHandle) -> Iterator[SandboxHandle]:
    billit_sandbox_server.reset()
    yield billit_sandbox_server
    billit_sandbox_server.clear_faults()
