"""The API key never shows: not in exceptions, reprs, logs (even at DEBUG) or formatted tracebacks."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable

import pytest

from billit_sandbox.pytest_plugin import SandboxHandle
from haulbill.providers.billit.client import BillitClient
from haulbill.providers.billit.errors import (
    BillitAuthError,
    BillitError,
    BillitNotFound,
    BillitProtocolError,
    BillitUnavailable,
    BillitValidationError,
)
from haulbill.providers.billit.models import Party
from tests.billit.conftest import make_client, transport_invoice

CANARY = "LEAKCANARY-7f3e9b2c-4d1a-4e8f-9a6b-000000000001"


def everything_visible(error: BaseException) -> str:
    plain = "".join(traceback.format_exception(error))
    with_locals = "".join(traceback.TracebackException.from_exception(error, capture_locals=True).format())
    return "\n".join([str(error), repr(error), plain, with_locals])


@pytest.fixture
def canary_client(billit_sandbox: SandboxHandle, sleeps: list[float]) -> BillitClient:
    billit_sandbox.add_api_key(CANARY)
    return make_client(billit_sandbox, sleeps, api_key=CANARY)


def test_it_keeps_the_key_out_of_the_clients_repr(canary_client: BillitClient) -> None:
    assert CANARY not in repr(canary_client)
    assert CANARY not in repr(vars(canary_client))


def test_it_keeps_a_refused_key_out_of_the_auth_error_and_its_traceback(
    billit_sandbox: SandboxHandle, sleeps: list[float], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    stranger = make_client(billit_sandbox, sleeps, api_key=CANARY)  # not registered: Billit answers 401

    with pytest.raises(BillitAuthError) as caught:
        stranger.account_information()

    assert "API key" in str(caught.value)
    assert CANARY not in everything_visible(caught.value)
    assert CANARY not in caplog.text


def provoke_validation(client: BillitClient, sandbox: SandboxHandle) -> None:
    client.create_invoice(transport_invoice(None), idempotency_key="leak-1")  # no customer


def provoke_not_found(client: BillitClient, sandbox: SandboxHandle) -> None:
    client.get_order(424242)


def provoke_unavailable(client: BillitClient, sandbox: SandboxHandle) -> None:
    sandbox.fail_next("drop", method="GET", count=10)
    client.list_products()


def provoke_timeout(client: BillitClient, sandbox: SandboxHandle) -> None:
    sandbox.fail_next("timeout", method="GET", count=10, timeout_s=0.5)
    client.list_products()


def provoke_protocol(client: BillitClient, sandbox: SandboxHandle) -> None:
    sandbox.fail_next("malformed", method="GET", count=10)
    client.list_products()


@pytest.mark.parametrize(
    ("provoke", "expected"),
    [
        (provoke_validation, BillitValidationError),
        (provoke_not_found, BillitNotFound),
        (provoke_unavailable, BillitUnavailable),
        (provoke_timeout, BillitUnavailable),
        (provoke_protocol, BillitProtocolError),
    ],
)
def test_it_keeps_the_key_out_of_every_error_and_debug_log(
    provoke: Callable[[BillitClient, SandboxHandle], None],
    expected: type[BillitError],
    canary_client: BillitClient,
    billit_sandbox: SandboxHandle,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)

    with pytest.raises(expected) as caught:
        provoke(canary_client, billit_sandbox)

    assert CANARY not in everything_visible(caught.value)
    assert CANARY not in caplog.text
    assert caplog.records  # DEBUG logging did happen


def test_it_redacts_the_key_when_billit_echoes_it_in_an_error(
    canary_client: BillitClient, billit_sandbox: SandboxHandle
) -> None:
    # A customer named after the key: Billit's refusal quotes the customer's name.
    party_id = canary_client.create_party(Party(name=f"Echo {CANARY}", vat_number="BE0777123418"))
    order_id = canary_client.create_invoice(transport_invoice(party_id), idempotency_key="echo").order_id or 0

    with pytest.raises(BillitValidationError) as caught:
        canary_client.send_orders([order_id], "Peppol", idempotency_key=None)

    assert caught.value.code == "TheCustomerIsNotActiveOnPeppol"
    assert "Echo ***" in str(caught.value)
    assert CANARY not in everything_visible(caught.value)


def test_it_never_sends_the_key_to_the_sandbox_journal_or_participant_lookup(
    canary_client: BillitClient, billit_sandbox: SandboxHandle
) -> None:
    canary_client.participant_information("BE0765432146")
    canary_client.account_information()

    journal = billit_sandbox.requests()
    assert CANARY not in repr(journal)
    assert [entry["has_api_key"] for entry in journal] == [False, True]
