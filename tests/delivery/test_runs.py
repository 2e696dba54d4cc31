"""A run from confirmation to Billit: the engine finalises (one path, resumable), delivery pushes what it hands over."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from haulbill.core.errors import HaulbillError
from haulbill.delivery import runs, sweeper
from haulbill.invoicing import selection, services
from haulbill.invoicing.finalising import finalise_invoice
from haulbill.invoicing.models import Invoice, InvoiceStatus, InvoicingRun, PushState, RunStatus
from haulbill.transports.models import InvoicingStatus, Transport
from tests.delivery.conftest import PEPPOL_VAT, BillitSetup
from tests.factories import PriceLineFactory, TransportFactory

pytestmark = pytest.mark.django_db


def _drafted_run(setup: BillitSetup, count: int) -> InvoicingRun:
    """A drafted run with one draft per transport, all for the Peppol customer."""
    customer = setup.customers[PEPPOL_VAT]
    customer.invoice_per_transport = True
    customer.save()
    for n in range(count):
        transport = TransportFactory(company=setup.company, customer=customer, unloading_date=dt.date(2026, 11, 4))
        PriceLineFactory(transport=transport, product=setup.product, unit_price=Decimal("400.00") + n)
    return services.start_run(setup.company, selection.Selection())


def _numbers(setup: BillitSetup) -> list[str]:
    return list(
        Invoice.objects.filter(company=setup.company, status=InvoiceStatus.FINALISED)
        .order_by("sequence_value")
        .values_list("number", flat=True)
    )


def _left_half_finalised_by_a_crash(setup: BillitSetup, run: InvoicingRun) -> Invoice:
    """The state a worker killed after its first invoice leaves: the run "finalising", one invoice numbered."""
    first = Invoice.objects.filter(run=run, status=InvoiceStatus.DRAFT).order_by("pk").first()
    assert first is not None
    InvoicingRun.objects.filter(pk=run.pk).update(status=RunStatus.FINALISING)
    return finalise_invoice(setup.company, first.pk)


def test_confirming_a_run_finalises_it_and_delivery_pushes_every_invoice_to_billit(billit: BillitSetup) -> None:
    run = _drafted_run(billit, 3)

    summary = services.finalise_run(billit.company, run.pk)

    assert summary["finalised"] == 3 and summary["push_tasks"] == 1
    assert sorted(o["OrderNumber"] for o in billit.orders()) == sorted(_numbers(billit))
    assert set(Invoice.objects.filter(run=run).values_list("push_state", flat=True)) == {PushState.PUSHED}


def test_a_second_confirmation_of_the_same_run_is_refused(billit: BillitSetup) -> None:
    run = _drafted_run(billit, 1)
    services.finalise_run(billit.company, run.pk)

    with pytest.raises(HaulbillError) as refused:
        services.finalise_run(billit.company, run.pk)

    assert refused.value.code == "run_not_waiting" and refused.value.status == 409
    assert len(billit.orders()) == 1


def test_a_run_a_crash_left_finalising_is_resumed_without_gap_or_second_invoice(billit: BillitSetup) -> None:
    run = _drafted_run(billit, 3)
    first = _left_half_finalised_by_a_crash(billit, run)

    result = runs.process(billit.company, run.pk)

    assert result["finalised"] == 3 and result["failed"] == []
    numbers = _numbers(billit)
    assert numbers[0] == first.number and len(numbers) == 3
    assert [int(n.rsplit("-", 1)[1]) for n in numbers] == [1, 2, 3]  # gapless
    assert sorted(o["OrderNumber"] for o in billit.orders()) == sorted(numbers)  # each in Billit once
    transports = Transport.objects.filter(company=billit.company)
    assert set(transports.values_list("invoicing_status", flat=True)) == {InvoicingStatus.INVOICED}
    assert InvoicingRun.objects.get(pk=run.pk).status == RunStatus.DONE


def test_the_sweeper_resumes_a_run_left_finalising(billit: BillitSetup) -> None:
    run = _drafted_run(billit, 2)
    _left_half_finalised_by_a_crash(billit, run)

    report = sweeper.sweep(now=True)

    assert report.runs_resumed == 1
    assert InvoicingRun.objects.get(pk=run.pk).finalised_count == 2
    assert len(billit.orders()) == 2


def test_a_run_task_that_runs_twice_finalises_and_pushes_once(billit: BillitSetup) -> None:
    run = _drafted_run(billit, 2)

    runs.process(billit.company, run.pk)
    again = runs.process(billit.company, run.pk)

    assert again["already_done"] is True
    assert len(_numbers(billit)) == 2 and len(billit.orders()) == 2


def test_the_command_path_pushes_inline_and_queues_nothing(billit: BillitSetup) -> None:
    run = _drafted_run(billit, 2)

    result = runs.process(billit.company, run.pk, inline=True)

    assert result["push"]["pushed"] == 2 and "tasks" not in result
    assert len(billit.orders()) == 2


def test_a_credit_note_is_handed_to_delivery_and_lands_in_billit(billit: BillitSetup) -> None:
    run = _drafted_run(billit, 1)
    services.finalise_run(billit.company, run.pk)
    invoice = Invoice.objects.get(run=run)

    note = services.credit(billit.company, invoice.pk)

    assert note.push_state == PushState.PUSHED
    assert {(o["OrderType"], o["OrderNumber"]) for o in billit.orders()} == {
        ("Invoice", invoice.number),
        ("CreditNote", note.number),
    }


def test_each_order_in_billit_carries_the_ubl_haulbill_built(billit: BillitSetup) -> None:
    run = _drafted_run(billit, 1)
    services.finalise_run(billit.company, run.pk)
    invoice = Invoice.objects.get(run=run)

    (order,) = billit.orders()

    (attachment,) = order["Attachments"]
    assert attachment["FileName"] == f"{invoice.number}.xml" and attachment["MimeType"] == "application/xml"
    with billit.client() as client:
        xml = client.get_file(attachment["FileID"]).content()
    assert b"<cbc:ID>" + invoice.number.encode() + b"</cbc:ID>" in xml
    assert b"urn:fdc:peppol.eu:2017:poacc:billing:3.0" in xml
