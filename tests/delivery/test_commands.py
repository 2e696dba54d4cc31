"""The operator's doors: `haulbill invoice`, `retry-push`, `push-sweep`, `poll-statuses`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from haulbill.invoicing.models import Invoice, PushState
from haulbill.transports.models import InvoicingStatus, Transport
from tests.delivery.conftest import PEPPOL_VAT, BillitSetup, finalised_invoice
from tests.factories import PriceLineFactory, TransportFactory

pytestmark = pytest.mark.django_db


def _transports(setup: BillitSetup, vat: str, count: int) -> list[Transport]:
    customer = setup.customers[vat]
    made = []
    for n in range(count):
        transport = TransportFactory(company=setup.company, customer=customer, unloading_date=dt.date(2026, 11, 4))
        PriceLineFactory(transport=transport, product=setup.product, unit_price=Decimal("400.00") + n)
        made.append(transport)
    return made


def test_invoice_drafts_finalises_pushes_and_sends_with_a_summary(billit: BillitSetup) -> None:
    customer = billit.customers[PEPPOL_VAT]
    customer.invoice_per_transport = True
    customer.send_method = "peppol"
    customer.save()
    transports = _transports(billit, PEPPOL_VAT, 4)
    out = StringIO()

    call_command("invoice", "--company", str(billit.company.pk), "--from", "2026-11-01", "--to", "2026-11-30",
                 "--send", stdout=out, stderr=StringIO())  # fmt: skip

    text = out.getvalue()
    assert "Finalised 4, pushed 4, failed 0, still to push 0, sent 4, not sent 0." in text
    assert sorted(o["OrderNumber"] for o in billit.orders()) == sorted(
        Invoice.objects.filter(company=billit.company).values_list("number", flat=True)
    )
    assert set(
        Transport.objects.filter(pk__in=[t.pk for t in transports]).values_list("invoicing_status", flat=True)
    ) == {InvoicingStatus.INVOICED}


def test_retry_push_pushes_a_failed_invoice_by_number(billit: BillitSetup) -> None:
    invoice = finalised_invoice(billit.company, billit.customers[PEPPOL_VAT])
    Invoice.objects.filter(pk=invoice.pk).update(push_state=PushState.FAILED, push_retryable=False, push_error="down")
    out = StringIO()

    call_command("retry-push".replace("-", "_"), "--company", str(billit.company.pk), "--invoice", invoice.number,
                 stdout=out, stderr=StringIO())  # fmt: skip

    assert "Pushed 1, failed 0." in out.getvalue()
    invoice.refresh_from_db()
    assert invoice.push_state == PushState.PUSHED


def test_push_sweep_resumes_an_invoice_a_dead_worker_left_pushing(billit: BillitSetup) -> None:
    invoice = finalised_invoice(billit.company, billit.customers[PEPPOL_VAT])
    far = dt.datetime(2099, 1, 1, tzinfo=dt.UTC)
    from haulbill.delivery.workers import HOST

    # Claimed by a process of this host that no longer exists, with a lease far from expiring.
    Invoice.objects.filter(pk=invoice.pk).update(push_state=PushState.PUSHING, push_lease_until=far,
                                                 push_lease_owner=f"{HOST}:999999999:dead")  # fmt: skip
    out = StringIO()

    call_command("push_sweep", stdout=out)

    assert "Reclaimed 1, queued 1" in out.getvalue()
    invoice.refresh_from_db()
    assert invoice.push_state == PushState.PUSHED  # Huey runs the queued task in-process in tests
    assert len(billit.orders()) == 1


def test_push_sweep_leaves_a_live_workers_invoice_alone(billit: BillitSetup) -> None:
    import os

    from haulbill.delivery.workers import HOST

    invoice = finalised_invoice(billit.company, billit.customers[PEPPOL_VAT])
    Invoice.objects.filter(pk=invoice.pk).update(push_state=PushState.PUSHING, push_queued_at=dt.datetime.now(dt.UTC),
        push_lease_until=dt.datetime(2099, 1, 1, tzinfo=dt.UTC), push_lease_owner=f"{HOST}:{os.getppid()}:alive")  # fmt: skip

    call_command("push_sweep", stdout=StringIO())

    invoice.refresh_from_db()
    assert invoice.push_state == PushState.PUSHING
    assert billit.orders() == []


def test_poll_statuses_reports_what_it_checked(billit: BillitSetup) -> None:
    from haulbill.delivery import push

    invoice = finalised_invoice(billit.company, billit.customers[PEPPOL_VAT])
    push.push_one(billit.company, invoice.pk)
    out = StringIO()

    call_command("poll_statuses", "--company", str(billit.company.pk), stdout=out, stderr=StringIO())

    assert "1 invoices of company" in out.getvalue()
