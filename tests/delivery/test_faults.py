"""A whole run (80 invoices and one Billit refuses) pushed to a sandbox that misbehaves at seeded rates (#6).

10 % 5xx, 5 % 429 with Retry-After, 2 % hanging requests and 1 % broken bodies, struck before or after the write
(after: Billit created the order but the answer was lost, the real-life duplicate maker). One invoice is for a
customer Billit does not know, so its push gets a permanent 400 somewhere in the middle of the run.
"""

from __future__ import annotations

from collections import Counter

import pytest

from haulbill.addressbook.models import Customer
from haulbill.delivery import push
from haulbill.invoicing.models import Invoice, PushState
from tests.delivery.conftest import PEPPOL_VAT, BillitSetup, finalised_invoice, finalised_invoices

pytestmark = pytest.mark.django_db(transaction=True)  # the pushing threads must see the invoices

RATES = {"error_rate": 0.10, "throttle_rate": 0.05, "timeout_rate": 0.02, "malformed_rate": 0.01}
UNKNOWN_CUSTOMER = "987654"


def test_a_run_under_faults_pushes_each_invoice_once_and_fails_only_the_one_billit_refuses(
    billit: BillitSetup,
) -> None:
    customer = billit.customers[PEPPOL_VAT]
    stranger = Customer.objects.get(pk=customer.pk)
    stranger.pk = None
    stranger.invoicing_id = UNKNOWN_CUSTOMER  # a customer Billit does not know: its push gets a 400
    stranger.save()
    first = finalised_invoices(billit.company, customer, 40)
    refused = finalised_invoice(billit.company, stranger)
    last = finalised_invoices(billit.company, customer, 40)
    good = [*first, *last]
    # timeout_s outlasts the client's 0.5 s read timeout, so a hanging request is a real client-side timeout.
    config = billit.sandbox.set_faults(**RATES, retry_after=1, timeout_s=0.8, phase="random", latency_ms=2, seed=11)

    summary = push.push_many(billit.company, [i.pk for i in [*first, refused, *last]])

    # The run met exactly the rates, and every kind of fault struck.
    assert {name: config[name] for name in RATES} == RATES
    injected = billit.sandbox.stats()["faults_injected"]
    assert {"500", "429", "timeout", "malformed"} <= set(injected), injected
    # Every invoice exists exactly once in Billit; the refused one not at all.
    orders = billit.orders()
    assert Counter(o["OrderNumber"] for o in orders) == {i.number: 1 for i in good}
    # The refused invoice failed for good, with Billit's own message; the run went on around it.
    refused.refresh_from_db()
    assert refused.push_state == PushState.FAILED and not refused.push_retryable
    assert f"CustomerID {UNKNOWN_CUSTOMER} is not a party of this company" in refused.push_error
    assert (summary.pushed, summary.failed, summary.retry, summary.skipped) == (80, 1, 0, 0)
    assert summary.failures == [(refused.number, refused.push_error)]
    # The others are pushed and linked to their Billit order.
    by_number = {o["OrderNumber"]: o for o in orders}
    pushed = Invoice.objects.filter(pk__in=[i.pk for i in good])
    assert {i.push_state for i in pushed} == {PushState.PUSHED}
    assert all(i.provider_order_id == str(by_number[i.number]["OrderID"]) for i in pushed)
    # Our numbers have no gap and no repeat, faults or not.
    values = sorted(i.sequence_value for i in [*good, refused])
    assert values == list(range(values[0], values[0] + 81))
    assert len({i.number for i in [*good, refused]}) == 81
