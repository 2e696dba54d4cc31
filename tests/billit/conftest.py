"""Fixtures for the Billit client suite. The sandbox itself comes from `billit_sandbox.pytest_plugin`, which the
root conftest loads (`pytest_plugins`)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from billit_sandbox.pytest_plugin import SandboxHandle
from haulbill.providers.billit.client import BillitClient, Timeouts
from haulbill.providers.billit.models import Order, OrderLine
from haulbill.providers.billit.retry import RetryPolicy
from tests.billit.contract import HOW_TO_GET_IT, Contract, swagger_path

# Fast but real: backoff waits are recorded instead of slept; timeouts are real and short.
FAST_RETRY = RetryPolicy(max_attempts=4, base_delay=0.2, max_delay=1.0, max_total_wait=20.0, max_retry_after=10.0)
FAST_TIMEOUTS = Timeouts(connect=2.0, read=0.4, write=2.0, pool=2.0)


@pytest.fixture
def sleeps() -> list[float]:
    return []


def make_client(sandbox: SandboxHandle, sleeps: list[float], **overrides: Any) -> BillitClient:
    options: dict[str, Any] = {
        "base_url": sandbox.base_url,
        "timeouts": FAST_TIMEOUTS,
        "retry": FAST_RETRY,
        "sleep": sleeps.append,
        "random_value": lambda: 0.5,
    }
    options.update(overrides)
    api_key = options.pop("api_key", sandbox.api_key)
    party_id = options.pop("party_id", sandbox.party_id)
    return BillitClient(api_key, party_id, **options)


@pytest.fixture
def client(billit_sandbox: SandboxHandle, sleeps: list[float]) -> Iterator[BillitClient]:
    with make_client(billit_sandbox, sleeps) as billit:
        yield billit


@pytest.fixture
def customer_id(client: BillitClient) -> int:
    """The seeded Belgian customer that is registered on the sandbox's Peppol network."""
    party = client.list_parties(filter="VATNumber eq 'BE0765432146'")[0]
    assert party.party_id is not None
    return party.party_id


def transport_invoice(customer_id: int | None, **fields: Any) -> Order:
    """A carrier's invoice: two rides and waiting hours, all at 21 %."""
    values: dict[str, Any] = {
        "order_date": date(2026, 5, 6),
        "expiry_date": date(2026, 6, 5),
        "customer_id": customer_id,
        "reference": "PO-7781",
        "order_lines": [
            OrderLine(quantity=Decimal("2"), unit_price_excl=Decimal("450.00"), description="Ride Gent - Kortrijk",
                      vat_percentage=Decimal("21"), unit="C62"),
            OrderLine(quantity=Decimal("1.5"), unit_price_excl=Decimal("55.00"), description="Waiting hours",
                      vat_percentage=Decimal("21"), unit="HUR"),
        ],
    }  # fmt: skip
    values.update(fields)
    return Order(**values)


@pytest.fixture(scope="session")
def contract() -> Contract:
    path = swagger_path()
    if path is None:
        pytest.skip(HOW_TO_GET_IT)
    return Contract.load(path)


@pytest.fixture(autouse=True)
def _client_traffic_stays_on_billits_contract(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every client test doubles as a contract test: after it, all the client sent and the sandbox answered must
    match Billit's swagger. (Tests of the sandbox itself send wrong bodies on purpose and are left out.)"""
    yield
    if not request.node.module.__name__.split(".")[-1].startswith("test_client_"):
        return
    if "billit_sandbox" not in request.fixturenames or swagger_path() is None:
        return
    sandbox: SandboxHandle = request.getfixturevalue("billit_sandbox_server")  # the session one outlives the test
    checker = Contract.load(swagger_path())  # type: ignore[arg-type]
    problems = [problem for entry in sandbox.requests() for problem in checker.check_exchange(entry)]
    assert problems == [], "traffic outside Billit's contract"
