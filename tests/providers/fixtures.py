"""Fixtures shared by the connection, catalog, linking and extension tests: a company connected to the sandbox."""

from __future__ import annotations

from typing import Any

import pytest

from haulbill.providers import services
from haulbill.providers.billit.client import BillitClient
from tests.factories import CompanyFactory, InvoicingSettingsFactory


def connect(company: Any, sandbox: Any, key: str | None = None, party_id: str = "") -> services.ConnectResult:
    return services.connect_billit(
        company,
        api_key=key or sandbox.api_key,
        environment="custom",
        base_url=sandbox.base_url,
        party_id=party_id,
    )


@pytest.fixture
def billit_company(company: Any, billit_sandbox: Any) -> Any:
    """The test company, connected to the sandbox's demo Billit company."""
    connect(company, billit_sandbox)
    return company


@pytest.fixture
def other_company(db: Any) -> Any:
    other = CompanyFactory(legal_name="Other Carrier NV")
    InvoicingSettingsFactory(company=other)
    return other


@pytest.fixture
def billit(billit_sandbox: Any) -> Any:
    """A client on the demo company, to change 'Billit' the way a user of Billit would."""
    with BillitClient(billit_sandbox.api_key, billit_sandbox.party_id, base_url=billit_sandbox.base_url) as client:
        yield client


def billit_write(sandbox: Any, path: str, body: dict[str, Any], party_id: int | None = None) -> Any:
    """Change data in 'Billit' the way a Billit user (or another tool) would, over HTTP with the demo key."""
    import httpx

    from haulbill.providers.billit import wire

    response = httpx.post(
        f"{sandbox.base_url}{path}",
        content=wire.dumps(body),
        headers={
            "ApiKey": sandbox.api_key,
            "PartyID": str(party_id or sandbox.party_id),
            "Content-Type": "application/json",
        },
        timeout=10,
    )
    response.raise_for_status()
    return wire.loads(response.content) if response.content else None
