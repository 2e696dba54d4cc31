"""The client survives what real networks do to it, without ever creating an order twice.

Every fault is injected by the sandbox on the real HTTP path; "after" faults let the sandbox create the order and
then lose the answer, the case that makes duplicates in real life.
"""

from __future__ import annotations

import pytest

from billit_sandbox.pytest_plugin import SandboxHandle
from haulbill.providers.billit.client import BillitClient, idempotency_key_for
from haulbill.providers.billit.errors import BillitProtocolError, BillitUnavailable
from haulbill.providers.billit.retry import AccountThrottle
from tests.billit.conftest import FAST_RETRY, make_client, transport_invoice

FAULTS_BEFORE = ["500", "503", "429", "drop", "timeout", "malformed"]
FAULTS_AFTER = ["500", "503", "drop", "timeout", "malformed"]


@pytest.mark.parametrize("fault", FAULTS_BEFORE)
def test_it_creates_the_order_once_when_the_first_attempt_fails_before_billit_acts(
    fault: str, client: BillitClient, customer_id: int, billit_sandbox: SandboxHandle, sleeps: list[float]
) -> None:
    billit_sandbox.fail_next(fault, method="POST", path="/v1/orders", phase="before", timeout_s=0.8)

    created = client.create_invoice(transport_invoice(customer_id), idempotency_key=idempotency_key_for(fault, "b"))

    assert created.already_created is False and created.order_id is not None
    assert len(billit_sandbox.orders()) == 1
    assert len(sleeps) == 1
    assert billit_sandbox.stats()["faults_injected"] == {fault: 1}


@pytest.mark.parametrize("fault", FAULTS_AFTER)
def test_it_does_not_duplicate_an_order_whose_answer_was_lost(
    fault: str, client: BillitClient, customer_id: int, billit_sandbox: SandboxHandle
) -> None:
    billit_sandbox.fail_next(fault, method="POST", path="/v1/orders", phase="after", timeout_s=0.8)

    created = client.create_invoice(
        transport_invoice(customer_id, order_number="LOST-1"), idempotency_key=idempotency_key_for(fault, "a")
    )

    orders = billit_sandbox.orders()
    assert len(orders) == 1
    assert created.already_created is True and created.order_id is None
    found = client.find_order("LOST-1")
    assert found is not None and found.order_id == orders[0]["OrderID"]


def test_it_waits_as_long_as_retry_after_asks(
    client: BillitClient, billit_sandbox: SandboxHandle, sleeps: list[float]
) -> None:
    billit_sandbox.fail_next("429", method="GET", path="/v1/parties", retry_after=3)

    parties = client.list_parties()

    assert len(parties) == 4
    assert sleeps == [3.0]


def test_it_does_not_wait_for_a_retry_after_beyond_its_budget(
    client: BillitClient, billit_sandbox: SandboxHandle, sleeps: list[float]
) -> None:
    billit_sandbox.fail_next("429", method="GET", path="/v1/parties", retry_after=600)

    with pytest.raises(BillitUnavailable) as caught:
        client.list_parties()
    assert caught.value.retry_after == 600
    assert "600" in str(caught.value)
    assert sleeps == []


def test_it_gives_up_after_its_retry_budget_with_a_clear_error(
    client: BillitClient, billit_sandbox: SandboxHandle, sleeps: list[float]
) -> None:
    billit_sandbox.fail_next("503", method="GET", path="/v1/products", count=10)

    with pytest.raises(BillitUnavailable) as caught:
        client.list_products()

    assert caught.value.attempts == FAST_RETRY.max_attempts
    assert "failed 4 times" in str(caught.value) and "HTTP 503" in str(caught.value)
    assert billit_sandbox.stats()["by_status"] == {"503": FAST_RETRY.max_attempts}
    assert len(sleeps) == FAST_RETRY.max_attempts - 1


def test_it_backs_off_exponentially(client: BillitClient, billit_sandbox: SandboxHandle, sleeps: list[float]) -> None:
    billit_sandbox.fail_next("500", method="GET", path="/v1/products", count=3)

    client.list_products()

    assert sleeps == pytest.approx(
        [0.15, 0.3, 0.6]
    )  # base 0.2 doubling, "equal jitter" at random 0.5 = 75 % of the ceiling


def test_it_gives_up_on_a_body_that_stays_unreadable(client: BillitClient, billit_sandbox: SandboxHandle) -> None:
    billit_sandbox.fail_next("malformed", method="GET", path="/v1/products", count=10)

    with pytest.raises(BillitProtocolError, match="not valid JSON"):
        client.list_products()


def test_it_never_retries_a_write_without_idempotency_key(
    client: BillitClient, customer_id: int, billit_sandbox: SandboxHandle, sleeps: list[float]
) -> None:
    billit_sandbox.fail_next("500", method="POST", path="/v1/orders", phase="after")

    with pytest.raises(BillitUnavailable) as caught:
        client.create_invoice(transport_invoice(customer_id), idempotency_key=None)

    assert caught.value.outcome_unknown is True
    assert "may or may not have been applied" in str(caught.value)
    assert billit_sandbox.stats()["requests"] == 2  # the customer lookup, then one POST
    assert len(billit_sandbox.orders()) == 1 and sleeps == []


def test_it_creates_each_order_exactly_once_under_random_faults(
    billit_sandbox: SandboxHandle, customer_id: int, sleeps: list[float]
) -> None:
    billit_sandbox.set_faults(error_rate=0.2, drop_rate=0.1, malformed_rate=0.1, phase="random", seed=11)
    patient = make_client(billit_sandbox, sleeps, retry=FAST_RETRY.__class__(max_attempts=12, base_delay=0.0))

    results = [
        patient.create_invoice(transport_invoice(customer_id, order_number=f"R-{n}"), idempotency_key=f"rand{n}")
        for n in range(12)
    ]

    numbers = sorted(order["OrderNumber"] for order in billit_sandbox.orders())
    assert numbers == sorted(f"R-{n}" for n in range(12))
    assert sum(billit_sandbox.stats()["faults_injected"].values()) > 0
    assert any(r.already_created for r in results)


def test_it_retries_even_a_keyless_write_when_the_connection_could_not_be_opened(
    billit_sandbox: SandboxHandle, sleeps: list[float]
) -> None:
    from billit_sandbox.ports import free_port

    closed_port = free_port()
    nowhere = make_client(billit_sandbox, sleeps, base_url=f"http://127.0.0.1:{closed_port}")

    with pytest.raises(BillitUnavailable) as caught:
        nowhere.create_invoice(transport_invoice(200001), idempotency_key=None)

    assert caught.value.attempts == FAST_RETRY.max_attempts
    assert caught.value.outcome_unknown is False
    assert "could not connect" in str(caught.value)


def test_a_429_heard_by_one_client_pauses_the_other_clients_of_the_account(
    billit_sandbox: SandboxHandle, sleeps: list[float]
) -> None:
    throttle = AccountThrottle()
    pushing = make_client(billit_sandbox, sleeps, throttle=throttle)
    other_sleeps: list[float] = []
    syncing = make_client(billit_sandbox, other_sleeps, throttle=throttle)
    billit_sandbox.fail_next("429", method="GET", path="/v1/parties", retry_after=3)

    pushing.list_parties()
    syncing.list_products()

    assert sleeps == [3.0]
    assert len(other_sleeps) == 1 and 2.5 < other_sleeps[0] <= 3.0  # the rest of the pause, before sending
    assert billit_sandbox.stats()["by_status"].get("429") == 1


def test_a_429_that_names_no_wait_pauses_the_account_for_the_clients_own_backoff(
    billit_sandbox: SandboxHandle, sleeps: list[float]
) -> None:
    throttle = AccountThrottle()
    client = make_client(billit_sandbox, sleeps, throttle=throttle)
    billit_sandbox.fail_next("429", method="GET", path="/v1/parties", retry_after=0)

    client.list_parties()

    assert sleeps == [pytest.approx(0.15)]  # base 0.2, "equal jitter" at random 0.5
    assert 0.0 < throttle.remaining() <= 0.15


def test_a_5xx_pauses_no_other_call(billit_sandbox: SandboxHandle, sleeps: list[float]) -> None:
    throttle = AccountThrottle()
    client = make_client(billit_sandbox, sleeps, throttle=throttle)
    billit_sandbox.fail_next("503", method="GET", path="/v1/parties")

    client.list_parties()

    assert throttle.remaining() == 0.0


def test_it_does_not_send_while_the_account_is_paused_longer_than_it_may_wait(
    billit_sandbox: SandboxHandle, sleeps: list[float]
) -> None:
    throttle = AccountThrottle()
    throttle.pause(FAST_RETRY.max_total_wait + 5)
    client = make_client(billit_sandbox, sleeps, throttle=throttle)

    with pytest.raises(BillitUnavailable) as caught:
        client.list_products()

    assert caught.value.status == 429 and caught.value.attempts == 0 and not caught.value.outcome_unknown
    assert caught.value.retry_after is not None and caught.value.retry_after > FAST_RETRY.max_total_wait
    assert billit_sandbox.stats()["requests"] == 0 and sleeps == []


def test_clients_of_another_account_do_not_wait(billit_sandbox: SandboxHandle, sleeps: list[float]) -> None:
    first, second = billit_sandbox.two_companies_party_ids[:2]
    one = make_client(billit_sandbox, sleeps, api_key=billit_sandbox.two_companies_key, party_id=first,
                      shared_throttle=True)  # fmt: skip
    other_sleeps: list[float] = []
    other = make_client(billit_sandbox, other_sleeps, api_key=billit_sandbox.two_companies_key, party_id=second,
                        shared_throttle=True)  # fmt: skip
    billit_sandbox.fail_next("429", method="GET", path="/v1/products", retry_after=1)

    one.list_products()
    other.list_products()

    assert sleeps == [1.0] and other_sleeps == []
