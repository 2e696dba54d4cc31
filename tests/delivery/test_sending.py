"""Sending after the push: Peppol only to registered customers (strictly, no silent e-mail), e-mail with an address."""

from __future__ import annotations

import time

import pytest

from haulbill.delivery import push, sending
from haulbill.invoicing.models import Invoice
from tests.delivery.conftest import NOT_ON_PEPPOL_VAT, PEPPOL_VAT, BillitSetup, finalised_invoice

pytestmark = pytest.mark.django_db


def _pushed(setup: BillitSetup, vat: str, method: str, email: str | None = None) -> Invoice:
    customer = setup.customers[vat]
    customer.send_method = method
    if email is not None:
        customer.email = email
    customer.save()
    invoice = finalised_invoice(setup.company, customer)
    push.push_one(setup.company, invoice.pk)
    return invoice


def _sent_requests(setup: BillitSetup) -> list[dict]:
    return [r for r in setup.sandbox.requests() if r["path"] == "/v1/orders/commands/send"]


def test_it_sends_by_peppol_to_a_registered_customer_strictly(billit: BillitSetup) -> None:
    invoice = _pushed(billit, PEPPOL_VAT, "peppol")

    assert sending.send_now(billit.company, [invoice.pk]) == {"sent": 1}

    invoice.refresh_from_db()
    assert invoice.sent and invoice.send_state == "sent" and invoice.send_method == "peppol"
    (request,) = _sent_requests(billit)
    assert request["request_body"]["TransportType"] == "Peppol"
    assert request["headers"]["stricttransporttype"] == "true"
    (order,) = billit.orders()
    assert order["IsSent"] is True


def test_it_does_not_send_by_peppol_to_an_unregistered_customer_and_says_what_to_do(billit: BillitSetup) -> None:
    invoice = _pushed(billit, NOT_ON_PEPPOL_VAT, "peppol")

    assert sending.send_now(billit.company, [invoice.pk]) == {"failed": 1}

    invoice.refresh_from_db()
    assert not invoice.sent and invoice.send_state == "failed"
    assert "not registered on Peppol" in invoice.send_error and "e-mail" in invoice.send_error
    assert _sent_requests(billit) == []


def test_it_sends_by_email_when_the_customer_has_an_address(billit: BillitSetup) -> None:
    invoice = _pushed(billit, NOT_ON_PEPPOL_VAT, "email")

    assert sending.send_now(billit.company, [invoice.pk]) == {"sent": 1}

    (request,) = _sent_requests(billit)
    assert request["request_body"]["TransportType"] == "SMTP"


def test_it_does_not_send_by_email_without_an_address(billit: BillitSetup) -> None:
    invoice = _pushed(billit, NOT_ON_PEPPOL_VAT, "email", email="")

    assert sending.send_now(billit.company, [invoice.pk]) == {"failed": 1}

    invoice.refresh_from_db()
    assert "no e-mail address" in invoice.send_error
    assert _sent_requests(billit) == []


def test_a_customer_set_to_push_only_is_not_sent_and_the_invoice_says_so(billit: BillitSetup) -> None:
    invoice = _pushed(billit, PEPPOL_VAT, "")

    assert sending.send_now(billit.company, [invoice.pk]) == {"skipped": 1}

    invoice.refresh_from_db()
    assert invoice.send_state == "skipped" and "push only" in invoice.send_error


def test_a_run_asked_to_send_sends_each_invoice_right_after_its_push(billit: BillitSetup) -> None:
    customer = billit.customers[PEPPOL_VAT]
    customer.send_method = "peppol"
    customer.save()
    invoices = [finalised_invoice(billit.company, customer) for _ in range(3)]

    push.schedule(billit.company, [i.pk for i in invoices], send=True)  # in-process Huey in tests

    assert set(Invoice.objects.filter(pk__in=[i.pk for i in invoices]).values_list("send_state", flat=True)) == {"sent"}
    # The sandbox logs a request once its answer is written: give its handler thread a moment to log the last one.
    deadline = time.monotonic() + 3
    while len(_sent_requests(billit)) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(_sent_requests(billit)) == 3


def test_sending_twice_sends_once(billit: BillitSetup) -> None:
    invoice = _pushed(billit, PEPPOL_VAT, "peppol")
    sending.send_now(billit.company, [invoice.pk])

    assert sending.send_now(billit.company, [invoice.pk]) == {}
    assert len(_sent_requests(billit)) == 1
