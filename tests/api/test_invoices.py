"""Invoices and credit notes through the API, made by a real run against the Billit sandbox."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from lxml import etree

from haulbill.invoicing.models import Invoice, InvoiceKind, InvoiceStatus, PushState
from tests.api.conftest import ApiClient, Connected, ready_transport


def invoiced(api: ApiClient, setup: Connected, customer: Any = None, **transport: Any) -> Invoice:
    """One transport invoiced by a run through the API: finalised and pushed to the sandbox."""
    ready_transport(setup, customer, **transport)
    run = api.post("/api/v1/invoicing-runs", {}).json()
    assert api.post(f"/api/v1/invoicing-runs/{run['id']}/confirm", {}).status_code == 200
    return Invoice.objects.for_company(setup.company).get(run_id=run["id"])


def test_it_lists_invoices_with_filters_and_gives_the_detail_with_lines(api, connected, today):
    first = invoiced(api, connected)
    second = invoiced(api, connected, connected.customers["BE0812312345"], price="120.00")
    listed = api.get("/api/v1/invoices", {"kind": "invoice", "status": "finalised"}).json()
    assert (listed["count"], {i["id"] for i in listed["items"]}) == (2, {first.pk, second.pk})
    assert api.get("/api/v1/invoices", {"number": second.number}).json()["items"][0]["id"] == second.pk
    detail = api.get(f"/api/v1/invoices/{second.pk}").json()
    assert (detail["number"], detail["total_excl"], detail["total_incl"]) == (second.number, "120.00", "145.20")
    [line] = detail["lines"]
    assert (line["item_code"], line["quantity"], line["vat_category"]) == ("TR-NAT", "1.000", "S")


def test_it_gives_the_pdf(api, connected, today):
    invoice = invoiced(api, connected)
    response = api.get(f"/api/v1/invoices/{invoice.pk}/pdf")
    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
    assert response.content.startswith(b"%PDF")


def test_it_gives_a_ubl_document_the_peppol_validator_accepts(api, connected, today, validator):
    invoice = invoiced(api, connected)
    response = api.get(f"/api/v1/invoices/{invoice.pk}/ubl")
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/xml")
    assert etree.fromstring(response.content).findtext("{*}ID") == invoice.number
    report = validator.validate(response.content)
    assert report.fatal == (), "\n".join(str(f) for f in report.fatal)


def test_it_refuses_the_ubl_of_a_draft_which_has_no_number(api, connected):
    ready_transport(connected)
    run = api.post("/api/v1/invoicing-runs", {}).json()
    draft = Invoice.objects.for_company(connected.company).get(run_id=run["id"])
    response = api.get(f"/api/v1/invoices/{draft.pk}/ubl")
    assert (response.status_code, response.json()["code"]) == (409, "einvoice_draft")


def test_it_still_gives_the_ubl_of_an_invoice_cancelled_after_finalisation(api, connected, today):
    invoice = invoiced(api, connected)
    Invoice.objects.filter(pk=invoice.pk).update(status=InvoiceStatus.CANCELLED)  # as the status tracking may
    response = api.get(f"/api/v1/invoices/{invoice.pk}/ubl")
    assert response.status_code == 200, response.content
    assert etree.fromstring(response.content).findtext("{*}ID") == invoice.number


def test_it_retries_the_push_of_an_invoice_billit_failed_to_take(api, connected, today):
    connected.sandbox.fail_next("503", method="POST", path="/v1/orders", count=10)
    invoice = invoiced(api, connected)
    assert invoice.push_state == PushState.FAILED
    connected.sandbox.clear_faults()
    response = api.post(f"/api/v1/invoices/{invoice.pk}/retry-push", {})
    assert response.status_code == 200, response.content
    assert response.json()["push_state"] == "pushed"
    assert invoice.number in [o["OrderNumber"] for o in connected.sandbox.orders(connected.sandbox.party_id)]


def test_it_refuses_to_retry_an_invoice_that_was_pushed(api, connected, today):
    invoice = invoiced(api, connected)
    response = api.post(f"/api/v1/invoices/{invoice.pk}/retry-push", {})
    assert (response.status_code, response.json()["code"]) == (409, "push_not_failed")


def test_it_sends_a_pushed_invoice_the_way_the_customer_wants(api, connected, today):
    invoice = invoiced(api, connected)
    response = api.post(f"/api/v1/invoices/{invoice.pk}/send", {})
    assert response.status_code == 200, response.content
    assert response.json()["send_state"] == "sent"
    invoice.refresh_from_db()
    assert (invoice.sent, invoice.send_method) == (True, "email")


def test_it_issues_a_full_credit_note_and_pushes_it(api, connected, today):
    invoice = invoiced(api, connected, quantity="2")
    response = api.post(f"/api/v1/invoices/{invoice.pk}/credit-notes", {})
    assert response.status_code == 201, response.content
    note = response.json()
    assert (note["kind"], note["credited_invoice_id"], note["total_excl"]) == ("credit_note", invoice.pk, "900.00")
    assert (note["status"], note["push_state"]) == ("finalised", "pushed")
    again = api.post(f"/api/v1/invoices/{invoice.pk}/credit-notes", {})
    assert (again.status_code, again.json()["code"]) == (409, "nothing_left_to_credit")


def test_it_issues_a_partial_credit_note_for_the_quantity_asked(api, connected, today):
    invoice = invoiced(api, connected, quantity="2")
    line = invoice.lines.get()
    response = api.post(
        f"/api/v1/invoices/{invoice.pk}/credit-notes", {"lines": [{"line_id": line.pk, "quantity": "0.5"}]}
    )
    assert response.status_code == 201, response.content
    note = Invoice.objects.for_company(connected.company).get(pk=response.json()["id"])
    assert (note.kind, note.total_excl) == (InvoiceKind.CREDIT_NOTE, Decimal("225.00"))
    too_much = api.post(
        f"/api/v1/invoices/{invoice.pk}/credit-notes", {"lines": [{"line_id": line.pk, "quantity": "2"}]}
    )
    assert too_much.json()["code"] == "credit_exceeds_remaining"


def test_a_credited_invoice_keeps_its_ubl(api, connected, today):
    invoice = invoiced(api, connected)
    api.post(f"/api/v1/invoices/{invoice.pk}/credit-notes", {})
    assert api.get(f"/api/v1/invoices/{invoice.pk}/ubl").status_code == 200
