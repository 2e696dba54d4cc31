"""Statuses back from Billit: signed webhooks (accepted once, fresh, for the right company only) and polling."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from billit_sandbox.webhooks import sign as sandbox_sign  # Billit's side of the signature, written independently
from haulbill.delivery import push, status
from haulbill.delivery.webhooks import token_for
from haulbill.invoicing.models import Invoice
from tests.delivery.conftest import PEPPOL_VAT, BillitSetup, connect, finalised_invoice, link_customers
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db
SECRET = "whsec-test-0123456789abcdef"
MESSAGE_SECRET = "whsec-message-fedcba9876543210"  # the Message webhook's own secret


@pytest.fixture
def pushed(billit: BillitSetup) -> Invoice:
    billit.connection.set_webhook_secret(SECRET)
    billit.connection.set_message_webhook_secret(MESSAGE_SECRET)
    billit.connection.save()
    invoice = finalised_invoice(billit.company, billit.customers[PEPPOL_VAT])
    push.push_one(billit.company, invoice.pk)
    invoice.refresh_from_db()
    return invoice


def _deliver(setup: BillitSetup, payload: dict[str, Any], *, secret: str = SECRET, at: int | None = None,
             body: str | None = None, header: str | None = None) -> Any:  # fmt: skip
    text = body if body is not None else json.dumps(payload)
    signature = header if header is not None else sandbox_sign(secret, at or int(time.time()), text)
    return Client().post(
        reverse("billit-webhook", args=[token_for(setup.connection)]),
        data=text,
        content_type="application/json",
        headers={"Billit-Signature": signature},
    )


def _order_event(invoice: Invoice, **detail: Any) -> dict[str, Any]:
    return {
        "UpdatedEntityID": int(invoice.provider_order_id),
        "UpdatedEntityType": "Order",
        "WebhookUpdateTypeTC": "U",
        "EntityDetail": {"OrderID": int(invoice.provider_order_id), "OrderNumber": invoice.number, **detail},
    }


def test_it_marks_the_invoice_paid_on_a_validly_signed_webhook(billit: BillitSetup, pushed: Invoice) -> None:
    answer = _deliver(billit, _order_event(pushed, Paid=True, PaidDate="2026-12-10T00:00:00", OrderStatus="Paid"))

    assert answer.status_code == 200
    pushed.refresh_from_db()
    assert pushed.paid and pushed.paid_at.isoformat() == "2026-12-10"


def _message_event(invoice: Invoice, state: str, information: str = "") -> dict[str, Any]:
    """Billit's Message webhook: the Peppol flow state of the order's outgoing message."""
    return {
        "UpdatedEntityID": 7,
        "UpdatedEntityType": "Message",
        "WebhookUpdateTypeTC": "U",
        "EntityDetail": {
            "OrderID": int(invoice.provider_order_id), "TransportType": "Peppol", "MessageDirection": "Outgoing",
            "MessageAdditionalInformation": {"EInvoiceFlowState": state, "AdditionalFlowStateInformation": information},
        },
    }  # fmt: skip


def test_it_marks_the_invoice_sent_then_refused(billit: BillitSetup, pushed: Invoice) -> None:
    _deliver(billit, _order_event(pushed, IsSent=True, OrderStatus="ToPay"))
    answer = _deliver(billit, _message_event(pushed, "Refused", "Unknown buyer reference"), secret=MESSAGE_SECRET)

    assert answer.status_code == 200
    pushed.refresh_from_db()
    assert pushed.sent and pushed.refused and not pushed.delivered
    assert pushed.refused_reason == "Unknown buyer reference"


def test_a_message_webhook_marks_the_invoice_delivered_over_peppol(billit: BillitSetup, pushed: Invoice) -> None:
    answer = _deliver(billit, _message_event(pushed, "Delivered"), secret=MESSAGE_SECRET)

    assert answer.status_code == 200
    pushed.refresh_from_db()
    assert pushed.sent and pushed.delivered and not pushed.refused


def test_a_late_delivered_message_does_not_undo_a_refusal(billit: BillitSetup, pushed: Invoice) -> None:
    _deliver(billit, _message_event(pushed, "Refused", "Wrong recipient"), secret=MESSAGE_SECRET)
    _deliver(billit, _message_event(pushed, "Delivered"), secret=MESSAGE_SECRET)

    pushed.refresh_from_db()
    assert pushed.refused and not pushed.delivered and pushed.refused_reason == "Wrong recipient"


def test_a_message_webhook_signed_with_the_order_webhooks_secret_is_refused(
    billit: BillitSetup, pushed: Invoice
) -> None:
    answer = _deliver(billit, _message_event(pushed, "Delivered"), secret=SECRET)

    assert answer.status_code == 401
    pushed.refresh_from_db()
    assert not pushed.delivered


def test_an_order_webhook_signed_with_the_message_webhooks_secret_is_refused(
    billit: BillitSetup, pushed: Invoice
) -> None:
    answer = _deliver(billit, _order_event(pushed, Paid=True), secret=MESSAGE_SECRET)

    assert answer.status_code == 401
    pushed.refresh_from_db()
    assert not pushed.paid


def test_a_message_webhook_with_a_wrong_signature_is_refused(billit: BillitSetup, pushed: Invoice) -> None:
    answer = _deliver(billit, _message_event(pushed, "Refused", "x"), secret="not-the-secret")

    assert answer.status_code == 401
    pushed.refresh_from_db()
    assert not pushed.refused


def test_a_message_webhook_with_a_stale_timestamp_is_refused(
    billit: BillitSetup, pushed: Invoice, settings: Any
) -> None:
    settings.BILLIT_WEBHOOK_TOLERANCE_SECONDS = 300
    answer = _deliver(billit, _message_event(pushed, "Delivered"), secret=MESSAGE_SECRET, at=int(time.time()) - 301)

    assert answer.status_code == 400
    pushed.refresh_from_db()
    assert not pushed.delivered


def test_a_message_webhook_is_refused_when_none_was_registered(billit: BillitSetup, pushed: Invoice) -> None:
    billit.connection.message_webhook_secret_encrypted = ""
    billit.connection.save()

    answer = _deliver(billit, _message_event(pushed, "Delivered"), secret=MESSAGE_SECRET)

    assert answer.status_code == 401


def test_it_refuses_a_wrong_signature(billit: BillitSetup, pushed: Invoice) -> None:
    answer = _deliver(billit, _order_event(pushed, Paid=True), secret="not-the-secret")

    assert answer.status_code == 401
    pushed.refresh_from_db()
    assert not pushed.paid


def test_it_refuses_a_body_changed_after_signing(billit: BillitSetup, pushed: Invoice) -> None:
    stamp = int(time.time())
    signed_for = json.dumps(_order_event(pushed, Paid=False))
    answer = _deliver(billit, {}, body=json.dumps(_order_event(pushed, Paid=True)),
                      header=sandbox_sign(SECRET, stamp, signed_for))  # fmt: skip

    assert answer.status_code == 401
    pushed.refresh_from_db()
    assert not pushed.paid


def test_it_refuses_a_stale_timestamp(billit: BillitSetup, pushed: Invoice, settings: Any) -> None:
    settings.BILLIT_WEBHOOK_TOLERANCE_SECONDS = 300
    answer = _deliver(billit, _order_event(pushed, Paid=True), at=int(time.time()) - 301)

    assert answer.status_code == 400
    pushed.refresh_from_db()
    assert not pushed.paid


def test_it_refuses_a_replayed_delivery(billit: BillitSetup, pushed: Invoice) -> None:
    body = json.dumps(_order_event(pushed, IsSent=True))
    header = sandbox_sign(SECRET, int(time.time()), body)

    first = _deliver(billit, {}, body=body, header=header)
    replay = _deliver(billit, {}, body=body, header=header)

    assert (first.status_code, replay.status_code) == (200, 409)


def test_it_ignores_an_order_it_does_not_know(billit: BillitSetup, pushed: Invoice) -> None:
    answer = _deliver(billit, {"UpdatedEntityType": "Order", "UpdatedEntityID": 99999999,
                               "EntityDetail": {"OrderID": 99999999, "Paid": True}})  # fmt: skip

    assert answer.status_code == 200
    assert not Invoice.objects.filter(paid=True).exists()


def test_it_refuses_an_unknown_or_forged_endpoint_token(billit: BillitSetup, pushed: Invoice) -> None:
    forged = f"{billit.connection.pk}-000000000000000000000000"
    answer = Client().post(reverse("billit-webhook", args=[forged]), data="{}", content_type="application/json")

    assert answer.status_code == 404


def test_a_webhook_for_company_a_never_touches_company_bs_invoice(
    billit: BillitSetup, pushed: Invoice, other_company: Any
) -> None:
    # Company B is connected to the same Billit sandbox with its own secret; its invoice is pushed too.
    connection_b = connect(other_company, billit.sandbox)
    connection_b.set_webhook_secret("secret-of-b")
    connection_b.save()
    customer_b = link_customers(other_company, billit.sandbox)[PEPPOL_VAT]
    invoice_b = finalised_invoice(other_company, customer_b)
    Invoice.objects.filter(pk=invoice_b.pk).update(provider_order_id="777777", push_state="pushed")
    invoice_b.refresh_from_db()

    # Correctly signed for A's endpoint, but naming B's order.
    answer = _deliver(billit, _order_event(invoice_b, Paid=True))

    assert answer.status_code == 200
    invoice_b.refresh_from_db()
    assert not invoice_b.paid


@pytest.mark.django_db(transaction=True)
def test_billit_calls_our_registered_endpoint_and_the_invoice_becomes_paid(
    billit: BillitSetup, live_server: Any
) -> None:
    """End to end: the endpoint registered in Billit, the payment recorded in Billit, Billit calls back signed."""
    from haulbill.delivery import webhooks

    webhooks.register(billit.company, live_server.url)
    invoice = finalised_invoice(billit.company, billit.customers[PEPPOL_VAT])
    push.push_one(billit.company, invoice.pk)
    invoice.refresh_from_db()

    with billit.client() as client:
        client.mark_paid(int(invoice.provider_order_id), invoice.issue_date, idempotency_key="pay-e2e")

    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not Invoice.objects.filter(pk=invoice.pk, paid=True).exists():
        time.sleep(0.05)
    assert Invoice.objects.filter(pk=invoice.pk, paid=True).exists()
    assert {d["Status"] for d in billit.sandbox.webhook_deliveries()} == {200}


@pytest.mark.django_db(transaction=True)
def test_billit_calls_back_with_order_and_message_events_each_signed_with_its_own_secret(
    billit: BillitSetup, live_server: Any
) -> None:
    """End to end: both webhooks registered; a Peppol send makes Billit post an Order and a Message event."""
    from haulbill.delivery import sending, webhooks

    webhooks.register(billit.company, live_server.url)
    billit.connection.refresh_from_db()
    customer = billit.customers[PEPPOL_VAT]
    customer.send_method = "peppol"
    customer.save()
    invoice = finalised_invoice(billit.company, customer)
    push.push_one(billit.company, invoice.pk)

    sending.send_now(billit.company, [invoice.pk])

    deadline = time.monotonic() + 5
    wanted = {("Order", "U"), ("Message", "I")}
    while time.monotonic() < deadline and not wanted <= {
        (d["EntityType"], d["UpdateType"]) for d in billit.sandbox.webhook_deliveries()
    }:
        time.sleep(0.05)
    deliveries = billit.sandbox.webhook_deliveries()
    assert wanted <= {(d["EntityType"], d["UpdateType"]) for d in deliveries}
    assert {d["Status"] for d in deliveries} == {200}
    registered = {(w.entity_type, w.webhook_url) for w in billit.client().list_webhooks()}
    assert registered == {("Order", deliveries[0]["URL"]), ("Message", deliveries[0]["URL"])}
    assert billit.connection.webhook_secret != billit.connection.message_webhook_secret


def test_registering_again_replaces_the_webhooks_instead_of_adding_more(billit: BillitSetup) -> None:
    from haulbill.delivery import webhooks

    webhooks.register(billit.company, "https://haulbill.example.com")
    webhooks.register(billit.company, "https://haulbill.example.com")

    assert sorted(w.entity_type for w in billit.client().list_webhooks()) == ["Message", "Order"]


def test_polling_reads_payments_made_in_billit(billit: BillitSetup, pushed: Invoice) -> None:
    other = finalised_invoice(billit.company, billit.customers[PEPPOL_VAT])
    push.push_one(billit.company, other.pk)
    with billit.client() as client:
        client.mark_paid(int(pushed.provider_order_id), pushed.issue_date, idempotency_key="pay-1")

    updated = status.poll_statuses(billit.company)

    pushed.refresh_from_db()
    other.refresh_from_db()
    assert pushed.paid and not other.paid
    assert updated == 2  # both were seen; only one changed state
    assert status.poll_statuses(billit.company) >= 0  # the cursor moved on: the next poll starts after it


def test_overdue_is_an_unpaid_finalised_invoice_past_its_due_date(billit: BillitSetup, pushed: Invoice) -> None:
    import datetime as dt

    assert status.is_overdue(pushed, today=pushed.due_date + dt.timedelta(days=1))
    assert not status.is_overdue(pushed, today=pushed.due_date)


def test_company_b_gets_404_on_company_as_push_pages(billit: BillitSetup, pushed: Invoice, other_company: Any) -> None:
    from haulbill.invoicing.models import InvoicingRun

    run = InvoicingRun.objects.create(company=billit.company)
    Invoice.objects.filter(pk=pushed.pk).update(run=run)
    owner, intruder = Client(), Client()
    owner.force_login(MembershipFactory(company=billit.company, role="admin").user)
    intruder.force_login(MembershipFactory(company=other_company, role="admin").user)

    assert owner.get(reverse("push-run", args=[run.pk])).status_code == 200
    assert intruder.get(reverse("push-run", args=[run.pk])).status_code == 404
    assert intruder.get(reverse("push-progress", args=[run.pk])).status_code == 404
    assert intruder.post(reverse("push-retry-run", args=[run.pk])).status_code == 404
    assert intruder.post(reverse("push-retry-invoice", args=[pushed.pk])).status_code == 404
