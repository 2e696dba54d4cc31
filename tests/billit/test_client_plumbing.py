"""Wire edges, retry arithmetic and the bounded-concurrency helper."""

from __future__ import annotations

import threading
import time
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from billit_sandbox.pytest_plugin import SandboxHandle
from haulbill.providers.billit import wire
from haulbill.providers.billit.bulk import run_bounded
from haulbill.providers.billit.client import USER_AGENT, BillitClient, idempotency_key_for
from haulbill.providers.billit.errors import BillitValidationError
from haulbill.providers.billit.models import Order, OrderLine
from haulbill.providers.billit.retry import RetryPolicy, parse_retry_after
from tests.billit.conftest import make_client, transport_invoice


def test_it_writes_decimals_as_exact_json_numbers() -> None:
    body = {"Amount": Decimal("0.1") + Decimal("0.2"), "Big": Decimal("12345678901234567.89"), "Q": Decimal("1E+2")}

    assert wire.dumps(body) == '{"Amount":0.3,"Big":12345678901234567.89,"Q":100}'
    assert wire.loads('{"TotalIncl": 1188.83}') == {"TotalIncl": Decimal("1188.83")}


def test_it_writes_order_lines_with_billits_field_names() -> None:
    line = OrderLine(quantity=Decimal("1.5"), unit_price_excl=Decimal("55.00"), vat_percentage=Decimal("21"))
    order = Order(order_date=date(2026, 5, 6), order_lines=[line], customer_id=7)

    assert wire.dumps(order.to_wire()) == (
        '{"OrderDate":"2026-05-06","CustomerID":7,"OrderLines":[{"Quantity":1.5,"UnitPriceExcl":55.00,'
        '"VATPercentage":21}]}'
    )


def test_it_writes_odata_literals_the_way_billit_reads_them() -> None:
    assert wire.odata_literal("O'Brien") == "'O''Brien'"
    assert wire.odata_literal(date(2026, 1, 2)) == "2026-01-02"
    assert wire.odata_literal(datetime(2026, 7, 1, 10, 0, tzinfo=UTC)) == "2026-07-01T12:00:00"  # Brussels time


def test_it_reads_retry_after_in_seconds_and_as_a_date() -> None:
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:10 GMT", now=1445412480.0) == 10.0
    assert parse_retry_after("soon") is None


def test_it_caps_backoff_and_spreads_it_with_jitter() -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=4.0)

    assert [policy.backoff(n, 0.0) for n in (1, 2, 3, 4)] == [0.5, 1.0, 2.0, 2.0]
    assert [policy.backoff(n, 1.0) for n in (1, 2, 3, 4)] == [1.0, 2.0, 4.0, 4.0]


def test_it_names_haulbill_and_its_version_in_the_user_agent(
    client: BillitClient, billit_sandbox: SandboxHandle
) -> None:
    import haulbill

    client.list_products()

    assert billit_sandbox.requests()[0]["headers"]["user-agent"] == USER_AGENT
    assert f"Haulbill/{haulbill.__version__}" in USER_AGENT


def test_it_makes_stable_alphanumeric_idempotency_keys() -> None:
    key = idempotency_key_for("invoice", 100001, 42, 1)

    assert key == idempotency_key_for("invoice", 100001, 42, 1)
    assert key != idempotency_key_for("invoice", 100001, 42, 2)
    assert key.isalnum() and len(key) == 40


def test_it_refuses_an_empty_api_key() -> None:
    with pytest.raises(ValueError, match="API key"):
        BillitClient("  ")


def test_it_runs_bulk_calls_in_input_order_with_errors_per_item(
    billit_sandbox: SandboxHandle, customer_id: int, sleeps: list[float]
) -> None:
    billit_sandbox.set_faults(latency_ms=40)
    client = make_client(billit_sandbox, sleeps)
    numbers = [f"B-{n}" for n in range(9)]
    numbers[4] = "B-1"  # a duplicate: Billit refuses it, the others go through

    results = run_bounded(
        lambda item: client.create_invoice(
            transport_invoice(customer_id, order_number=item[1]), idempotency_key=f"bulk{item[0]}"
        ),
        list(enumerate(numbers)),
        max_concurrency=3,
    )

    assert [r.item[1] for r in results] == numbers
    assert [r.ok for r in results].count(False) == 1
    failed = next(r for r in results if not r.ok)
    assert isinstance(failed.error, BillitValidationError) and failed.item[1] == "B-1"
    assert 2 <= billit_sandbox.stats()["peak_in_flight"] <= 3


def test_it_never_runs_more_than_the_ceiling_at_once() -> None:
    running = 0
    peak = 0
    lock = threading.Lock()

    def work(n: int) -> int:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        time.sleep(0.01)
        with lock:
            running -= 1
        return n * 2

    results = run_bounded(work, range(20), max_concurrency=4)

    assert [r.value for r in results] == [n * 2 for n in range(20)]
    assert peak == 4
