"""The sandbox's fault settings: checked with the field named, each rate drawn as asked, reproducible by seed."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import httpx
import pytest

from billit_sandbox import wire
from billit_sandbox.faults import FaultConfig, FaultPlan
from billit_sandbox.pytest_plugin import SandboxHandle
from billit_sandbox.store import Store

DEMO = {"ApiKey": SandboxHandle.api_key, "PartyID": str(SandboxHandle.party_id)}
ISSUE_RATES = {"error_rate": 0.10, "throttle_rate": 0.05, "timeout_rate": 0.02, "malformed_rate": 0.01}


@pytest.fixture
def http(billit_sandbox: SandboxHandle) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=billit_sandbox.base_url, timeout=5) as client:
        yield client


def set_faults(http: httpx.Client, body: str) -> httpx.Response:
    return http.post("/_sandbox/faults", content=body, headers={"Content-Type": "application/json"})


def test_it_takes_fault_settings_written_as_json_floats(http: httpx.Client) -> None:
    answer = set_faults(http, '{"latency_ms": 5.0, "jitter_ms": 1.5, "retry_after": 2.0, "error_rate": 0.0}')

    assert answer.status_code == 200
    assert answer.json()["latency_ms"] == 5 and answer.json()["retry_after"] == 2
    assert http.get("/v1/products", headers=DEMO).status_code == 200  # was: the handler crashed, no answer


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('{"latency_ms": "50"}', "latency_ms must be a number"),
        ('{"retry_after": 1.5}', "retry_after must be a whole number"),
        ('{"error_rate": 1.5}', "error_rate must be between 0 and 1"),
        ('{"timeout_s": -1}', "timeout_s must be zero or more"),
        ('{"seed": true}', "seed must be a whole number"),
        ('{"error_rate": 0.6, "throttle_rate": 0.5}', "must not add up to more than 1"),
        ('{"latency": 50}', "unknown fault settings: latency"),
        ('{"script": [{"fault": "500", "count": 0}]}', "script[0].count must be 1 or more"),
        ('{"script": [{"fault": "418"}]}', "script[0].fault must be one of"),
        ("[1, 2]", "fault settings must be a JSON object"),
    ],
)
def test_it_refuses_a_wrong_fault_setting_with_a_400_naming_the_field(
    http: httpx.Client, body: str, message: str
) -> None:
    answer = set_faults(http, body)

    assert answer.status_code == 400
    assert message in answer.json()["Message"]
    assert http.get("/_sandbox/faults").json()["latency_ms"] == 0  # the previous settings stay


def test_it_answers_429_with_retry_after_at_the_throttle_rate(http: httpx.Client) -> None:
    set_faults(http, wire.dumps({"throttle_rate": 0.5, "retry_after": 3, "phase": "after", "seed": 2}))

    answers = [http.post("/v1/orders", content="{}", headers=DEMO) for _ in range(20)]

    throttled = [a for a in answers if a.status_code == 429]
    assert 4 <= len(throttled) <= 16
    assert {a.headers["Retry-After"] for a in throttled} == {"3"}
    assert all(a.json() == {"Message": "Too many requests."} for a in throttled)


def test_it_strikes_each_kind_at_exactly_its_own_rate() -> None:
    plan = FaultPlan(FaultConfig.from_dict({**ISSUE_RATES, "seed": 7}))

    drawn = Counter(getattr(plan.pick("POST", "/v1/orders"), "kind", "none") for _ in range(20000))

    shares = {kind: drawn[kind] / 20000 for kind in ("500", "429", "timeout", "malformed")}
    expected = {"500": 0.10, "429": 0.05, "timeout": 0.02, "malformed": 0.01}
    assert all(abs(shares[kind] - rate) < rate * 0.15 for kind, rate in expected.items()), shares


def test_it_draws_the_same_faults_for_the_same_seed_with_or_without_jitter() -> None:
    def kinds(**extra: float) -> list[str]:
        plan = FaultPlan(FaultConfig.from_dict({**ISSUE_RATES, "seed": 5, **extra}))
        out = []
        for _ in range(300):
            plan.latency()
            out.append(getattr(plan.pick("GET", "/v1/orders"), "kind", ""))
        return out

    assert kinds() == kinds() == kinds(jitter_ms=3)
    assert kinds() != kinds(seed=6)


def test_a_429_never_does_the_work_even_in_phase_after() -> None:
    plan = FaultPlan(FaultConfig.from_dict({"throttle_rate": 1, "phase": "after"}))

    fault = plan.pick("POST", "/v1/orders")

    assert fault is not None and (fault.kind, fault.phase) == ("429", "before")


def test_it_finds_an_order_by_number_through_the_index(http: httpx.Client, billit_sandbox: SandboxHandle) -> None:
    for number in ("F-1", "F-2", "F-3"):
        order = {"OrderType": "Invoice", "OrderDirection": "Income", "OrderNumber": number,
                 "OrderDate": "2026-05-06", "ExpiryDate": "2026-06-05", "CustomerID": 200001,
                 "OrderLines": [{"Quantity": 1, "UnitPriceExcl": 100, "Description": "Ride", "VATPercentage": 21}]}  # fmt: skip
        assert http.post("/v1/orders", content=wire.dumps(order), headers=DEMO).status_code == 200

    found = http.get("/v1/orders", params={"$filter": "OrderNumber eq 'F-2' and OrderType eq 'Invoice'"}, headers=DEMO)
    missed = http.get("/v1/orders", params={"$filter": "OrderNumber eq 'F-2' and OrderType eq 'CreditNote'"},
                      headers=DEMO)  # fmt: skip
    either = http.get("/v1/orders", params={"$filter": "OrderNumber eq 'F-2' or OrderNumber eq 'F-3'"}, headers=DEMO)

    assert [o["OrderNumber"] for o in found.json()["Items"]] == ["F-2"]
    assert missed.json()["Items"] == []
    assert sorted(o["OrderNumber"] for o in either.json()["Items"]) == ["F-2", "F-3"]


def test_the_order_number_lookups_use_the_index() -> None:
    store = Store()
    statements: list[str] = []
    store.conn.set_trace_callback(statements.append)
    store.orders_numbered(100001, "F-1")
    store.order_number_taken(100001, "Invoice", "F-1", except_id=None)
    store.conn.set_trace_callback(None)

    plans = [" ".join(row[3] for row in store.conn.execute(f"EXPLAIN QUERY PLAN {sql}")) for sql in statements]
    store.close()

    assert len(plans) == 2 and all("USING INDEX docs_order_number" in plan for plan in plans), plans
