"""Pushing finalised documents to Billit (the sandbox, over real HTTP): mapping, exactly once, failures."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from haulbill.delivery import push
from haulbill.invoicing.credit_notes import create_credit_note
from haulbill.invoicing.models import Invoice, PushState
from tests.delivery.conftest import INTRA_EU_VAT, PEPPOL_VAT, BillitSetup, finalised_invoice, finalised_invoices

pytestmark = pytest.mark.django_db


def _numbers(setup: BillitSetup) -> Counter[str]:
    return Counter(o["OrderNumber"] for o in setup.orders())


def test_it_creates_the_invoice_in_billit_with_our_number_lines_and_references(billit: BillitSetup) -> None:
    invoice = finalised_invoice(billit.company, billit.customers[PEPPOL_VAT],
                                lines=[("Ride Gent - Kortrijk", "2", "450.00"), ("Waiting hours", "1.5", "55.00")])  # fmt: skip

    assert push.push_one(billit.company, invoice.pk) == push.PUSHED

    (order,) = billit.orders()
    assert order["OrderType"] == "Invoice" and order["OrderDirection"] == "Income"
    assert order["OrderNumber"] == invoice.number
    assert order["CustomerID"] == int(billit.customers[PEPPOL_VAT].invoicing_id)
    assert order["OrderDate"].startswith("2026-11-30") and order["ExpiryDate"].startswith(invoice.due_date.isoformat())
    assert order["Reference"] == "PO-7781" and order["PaymentReference"] == invoice.payment_reference
    assert [(line["Description"], line["Quantity"], line["UnitPriceExcl"], line["VATPercentage"])
            for line in order["OrderLines"]] == [("Ride Gent - Kortrijk", 2, 450, 21), ("Waiting hours", 1.5, 55, 21)]  # fmt: skip
    invoice.refresh_from_db()
    assert invoice.push_state == PushState.PUSHED
    assert invoice.provider_order_id == str(order["OrderID"])
    assert invoice.provider_totals == {"excl": "982.50", "vat": "206.33", "incl": "1188.83"}
    assert not invoice.totals_mismatch
    assert bytes(invoice.pdf).startswith(b"%PDF")


def test_it_sends_reverse_charge_lines_with_ventilation_code_21_and_the_mention_in_comments(
    billit: BillitSetup,
) -> None:
    invoice = finalised_invoice(billit.company, billit.customers[INTRA_EU_VAT], reverse_charge=True)

    push.push_one(billit.company, invoice.pk)

    (order,) = billit.orders()
    assert order["OrderLines"][0]["VentilationCode"] == "21"
    assert order["OrderLines"][0]["VATPercentage"] == 0
    assert "Reverse charge" in order["Comments"]


def test_it_pushes_a_credit_note_about_its_invoice(billit: BillitSetup) -> None:
    invoice = finalised_invoice(billit.company, billit.customers[PEPPOL_VAT])
    push.push_one(billit.company, invoice.pk)
    note = create_credit_note(billit.company, invoice.pk, issue_date=dt.date(2026, 12, 1))

    assert push.push_one(billit.company, note.pk) == push.PUSHED

    credit = next(o for o in billit.orders() if o["OrderType"] == "CreditNote")
    assert credit["OrderNumber"] == note.number
    assert credit["AboutInvoiceNumber"] == invoice.number
    assert credit["TotalExcl"] == 900


def test_it_flags_a_difference_between_billits_totals_and_ours(billit: BillitSetup) -> None:
    invoice = finalised_invoice(billit.company, billit.customers[PEPPOL_VAT])
    Invoice.objects.filter(pk=invoice.pk).update(total_excl=Decimal("900.01"))  # as if our rounding differed

    push.push_one(billit.company, invoice.pk)

    invoice.refresh_from_db()
    assert invoice.totals_mismatch
    assert invoice.provider_totals["excl"] == "900.00"


def test_it_does_not_create_a_second_order_when_the_answer_to_the_create_is_lost(billit: BillitSetup) -> None:
    invoice = finalised_invoice(billit.company, billit.customers[PEPPOL_VAT])
    billit.sandbox.fail_next("500", method="POST", path="/v1/orders", phase="after")

    assert push.push_one(billit.company, invoice.pk) == push.PUSHED

    assert _numbers(billit) == {invoice.number: 1}
    invoice.refresh_from_db()
    assert invoice.provider_order_id == str(billit.orders()[0]["OrderID"])


def test_it_finds_the_order_by_number_when_a_retry_comes_after_the_worker_gave_up(billit: BillitSetup) -> None:
    invoice = finalised_invoice(billit.company, billit.customers[PEPPOL_VAT])
    # Billit creates the order but every answer is lost until the client's retry budget is spent.
    billit.sandbox.fail_next("drop", method="POST", path="/v1/orders", phase="after", count=20)
    assert push.push_one(billit.company, invoice.pk) == push.RETRY
    invoice.refresh_from_db()
    assert invoice.push_state == PushState.FAILED and invoice.push_retryable
    billit.sandbox.clear_faults()

    assert push.push_one(billit.company, invoice.pk) == push.PUSHED

    assert _numbers(billit) == {invoice.number: 1}


def test_it_fails_only_the_invoice_billit_refuses_with_billits_message(billit: BillitSetup) -> None:
    good = finalised_invoices(billit.company, billit.customers[PEPPOL_VAT], 3)
    stranger = billit.customers[PEPPOL_VAT]
    stranger.pk = None
    stranger.invoicing_id = "987654"  # unknown to Billit
    stranger.save()
    bad = finalised_invoice(billit.company, stranger)

    summary = push.push_many(billit.company, [good[0].pk, bad.pk, good[1].pk, good[2].pk])

    assert (summary.pushed, summary.failed) == (3, 1)
    bad.refresh_from_db()
    assert bad.push_state == PushState.FAILED and not bad.push_retryable
    assert "987654" in bad.push_error
    assert summary.failures == [(bad.number, bad.push_error)]
    assert set(_numbers(billit)) == {g.number for g in good}


def test_a_claimed_invoice_cannot_be_claimed_again_until_its_lease_expires(billit: BillitSetup) -> None:
    invoice = finalised_invoice(billit.company, billit.customers[PEPPOL_VAT])

    assert push.claim(billit.company, invoice.pk, "host:1:a")
    assert not push.claim(billit.company, invoice.pk, "host:2:b")
    Invoice.objects.filter(pk=invoice.pk).update(push_lease_until=timezone.now() - dt.timedelta(seconds=1))
    assert push.claim(billit.company, invoice.pk, "host:2:b")


def test_a_batch_claim_takes_and_loads_only_the_invoices_nobody_holds(billit: BillitSetup) -> None:
    free, held, pushed = finalised_invoices(billit.company, billit.customers[PEPPOL_VAT], 3)
    assert push.claim(billit.company, held.pk, "host:1:a")
    Invoice.objects.filter(pk=pushed.pk).update(push_state=PushState.PUSHED)

    taken = push.claim_batch(billit.company, [free.pk, held.pk, pushed.pk], "host:2:b")

    assert [i.pk for i in taken] == [free.pk]
    assert (taken[0].push_state, taken[0].push_lease_owner, taken[0].push_attempts) == ("pushing", "host:2:b", 1)
    assert Invoice.objects.get(pk=held.pk).push_lease_owner == "host:1:a"


def test_a_pushed_or_permanently_failed_invoice_is_not_claimed(billit: BillitSetup) -> None:
    pushed, refused = finalised_invoices(billit.company, billit.customers[PEPPOL_VAT], 2)
    Invoice.objects.filter(pk=pushed.pk).update(push_state=PushState.PUSHED)
    Invoice.objects.filter(pk=refused.pk).update(push_state=PushState.FAILED, push_retryable=False)

    assert not push.claim(billit.company, pushed.pk, "w")
    assert not push.claim(billit.company, refused.pk, "w")


def test_retry_makes_a_failed_invoice_pushable_again_and_pushes_it(billit: BillitSetup) -> None:
    invoice = finalised_invoice(billit.company, billit.customers[PEPPOL_VAT])
    Invoice.objects.filter(pk=invoice.pk).update(push_state=PushState.FAILED, push_retryable=False, push_error="x")

    assert push.retry(billit.company, [invoice.pk]) == [invoice.pk]  # Huey runs the task in-process in tests

    invoice.refresh_from_db()
    assert invoice.push_state == PushState.PUSHED and invoice.push_error == ""


@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_for_the_same_invoices_create_each_order_once(billit: BillitSetup) -> None:
    invoices = finalised_invoices(billit.company, billit.customers[PEPPOL_VAT], 12)
    billit.sandbox.set_faults(latency_ms=20)
    ids = [i.pk for i in invoices]

    threads = [threading.Thread(target=push.push_many, args=(billit.company, ids), kwargs={"concurrency": 4})
               for _ in range(2)]  # fmt: skip
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert _numbers(billit) == {i.number: 1 for i in invoices}
    assert set(Invoice.objects.filter(pk__in=ids).values_list("push_state", flat=True)) == {PushState.PUSHED}


def test_an_invoice_gets_exactly_push_max_attempts_attempts_before_it_fails_for_good(
    billit: BillitSetup, settings: Any
) -> None:
    settings.PUSH_MAX_ATTEMPTS = 3
    invoice = finalised_invoice(billit.company, billit.customers[PEPPOL_VAT])
    billit.sandbox.fail_next("503", method="POST", path="/v1/orders", count=1000)  # Billit stays down

    outcomes = [push.push_one(billit.company, invoice.pk) for _ in range(4)]

    assert outcomes == [push.RETRY, push.RETRY, push.FAILED, push.SKIPPED]  # the third failure is final
    invoice.refresh_from_db()
    assert (invoice.push_state, invoice.push_retryable, invoice.push_attempts) == (PushState.FAILED, False, 3)
