"""Sending after the push: Peppol only to registered customers (strictly, no silent e-mail), e-mail with an address."""

from __future__ import annotations

import time
from typing import Any

import pytest

from haulbill.delivery import push, sending
from haulbill.invoicing.models import Invoice, InvoiceLine
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


@pytest.fixture
def validation_on(settings: Any) -> Any:
    from haulbill.einvoice.validation import find_artefacts

    folder = find_artefacts()
    if folder is None:
        pytest.skip("Peppol validation artefacts not found (HAULBILL_PEPPOL_ARTEFACTS, see docs/einvoicing.md)")
    settings.PEPPOL_VALIDATE_BEFORE_SEND, settings.PEPPOL_ARTEFACTS = True, str(folder)
    return settings


def _breaking_bl_cl_23(invoice: Invoice) -> Invoice:
    """Pallets counted in PCE: a unit code only the Peppol code list check (BR-CL-23) refuses."""
    InvoiceLine.objects.filter(invoice=invoice).update(unit="PCE")
    return invoice


def test_with_validation_on_an_invoice_whose_ubl_fails_peppol_is_not_sent_and_says_which_rule(
    billit: BillitSetup, validation_on: Any
) -> None:
    invoice = _breaking_bl_cl_23(_pushed(billit, PEPPOL_VAT, "peppol"))

    assert sending.send_now(billit.company, [invoice.pk]) == {"failed": 1}

    invoice.refresh_from_db()
    assert not invoice.sent and invoice.send_state == "failed"
    assert "does not pass Peppol validation" in invoice.send_error and "BR-CL-23" in invoice.send_error
    assert _sent_requests(billit) == []


def test_with_validation_on_a_valid_invoice_is_sent_and_only_the_invalid_one_held(
    billit: BillitSetup, validation_on: Any
) -> None:
    valid = _pushed(billit, PEPPOL_VAT, "peppol")
    invalid = _breaking_bl_cl_23(_pushed(billit, PEPPOL_VAT, "peppol"))

    assert sending.send_now(billit.company, [valid.pk, invalid.pk]) == {"sent": 1, "failed": 1}

    valid.refresh_from_db()
    invalid.refresh_from_db()
    assert valid.sent and valid.send_error == ""
    assert not invalid.sent and invalid.number in invalid.send_error


def test_with_validation_off_the_ubl_is_not_checked_before_sending(billit: BillitSetup, settings: Any) -> None:
    settings.PEPPOL_VALIDATE_BEFORE_SEND = False
    invoice = _breaking_bl_cl_23(_pushed(billit, PEPPOL_VAT, "peppol"))

    assert sending.send_now(billit.company, [invoice.pk]) == {"sent": 1}


def test_validation_does_not_hold_an_invoice_sent_by_email(billit: BillitSetup, validation_on: Any) -> None:
    invoice = _breaking_bl_cl_23(_pushed(billit, NOT_ON_PEPPOL_VAT, "email"))

    assert sending.send_now(billit.company, [invoice.pk]) == {"sent": 1}
