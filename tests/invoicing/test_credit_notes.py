import datetime as dt
from decimal import Decimal

import pytest

from haulbill.core.errors import HaulbillError
from haulbill.invoicing import services
from haulbill.invoicing.credit_notes import create_credit_note, is_fully_credited, remaining_quantities
from haulbill.invoicing.models import Invoice, InvoiceKind
from haulbill.invoicing.selection import Selection
from haulbill.transports.models import InvoicingStatus
from tests.invoicing.factories import ready_transport

DAY = dt.date(2026, 11, 24)


@pytest.fixture
def invoice(company, today):
    ready_transport(company, prices=("100.00", "40.00"), quantity="2")
    run, _ = services.invoice_run(company, Selection(), finalise=True)
    return Invoice.objects.get(run=run)


def transport_status(invoice):
    return invoice.lines.first().transport.invoicing_status


def test_it_credits_a_whole_invoice_and_returns_its_transports_to_the_queue(company, invoice):
    note = services.credit(company, invoice.pk)
    assert (note.kind, note.number, note.credited_invoice_id) == (InvoiceKind.CREDIT_NOTE, "CN2026-00001", invoice.pk)
    assert (note.total_excl, note.total_vat, note.total_incl) == (
        invoice.total_excl,
        invoice.total_vat,
        invoice.total_incl,
    )
    assert sorted(note.lines.values_list("credited_line_id", flat=True)) == sorted(
        invoice.lines.values_list("pk", flat=True)
    )
    assert transport_status(invoice) == InvoicingStatus.NOT_INVOICED
    assert is_fully_credited(company, invoice)
    assert bytes(note.pdf).startswith(b"%PDF")


def test_it_lets_a_fully_credited_transport_be_invoiced_again(company, invoice):
    create_credit_note(company, invoice.pk)
    run, summary = services.invoice_run(company, Selection(), finalise=True)
    assert summary["numbers"] == ["2026-00002"]
    reinvoiced = Invoice.objects.get(run=run)
    assert reinvoiced.lines.first().transport_id == invoice.lines.first().transport_id


def test_it_credits_chosen_lines_and_quantities_and_leaves_the_transport_invoiced(company, invoice):
    first = invoice.lines.order_by("position").first()
    note = create_credit_note(company, invoice.pk, quantities={first.pk: Decimal("0.5")})
    line = note.lines.get()
    assert (line.quantity, line.line_amount, line.credited_line_id) == (Decimal("0.5"), Decimal("50.00"), first.pk)
    assert (note.total_excl, note.total_vat, note.total_incl) == (Decimal("50.00"), Decimal("10.50"), Decimal("60.50"))
    assert transport_status(invoice) == InvoicingStatus.INVOICED
    assert remaining_quantities(company, invoice)[first.pk] == Decimal("1.5")


def test_it_refuses_to_credit_a_line_beyond_what_remains(company, invoice):
    first = invoice.lines.order_by("position").first()
    create_credit_note(company, invoice.pk, quantities={first.pk: Decimal("1.5")})
    with pytest.raises(HaulbillError) as exc:
        create_credit_note(company, invoice.pk, quantities={first.pk: Decimal("1")})
    assert exc.value.code == "credit_exceeds_remaining"
    assert exc.value.message == (f"Line 1 ({first.description}): only 0.5 can still be credited, not 1.")
    assert Invoice.objects.filter(kind=InvoiceKind.CREDIT_NOTE).count() == 1


def test_it_returns_the_transports_when_partial_credit_notes_add_up_to_everything(company, invoice):
    lines = list(invoice.lines.order_by("position"))
    create_credit_note(company, invoice.pk, quantities={lines[0].pk: Decimal("2")})
    assert transport_status(invoice) == InvoicingStatus.INVOICED
    create_credit_note(company, invoice.pk, quantities={lines[1].pk: Decimal("2")})
    assert transport_status(invoice) == InvoicingStatus.NOT_INVOICED


def test_it_refuses_to_credit_a_fully_credited_invoice_again(company, invoice):
    create_credit_note(company, invoice.pk)
    with pytest.raises(HaulbillError) as exc:
        create_credit_note(company, invoice.pk)
    assert exc.value.code == "nothing_left_to_credit"


def test_it_refuses_to_credit_a_draft(company):
    ready_transport(company)
    run = services.start_run(company, Selection())
    with pytest.raises(HaulbillError) as exc:
        create_credit_note(company, Invoice.objects.get(run=run).pk)
    assert exc.value.code == "credit_needs_finalised_invoice"


def test_it_refuses_a_line_of_another_invoice(company, invoice):
    with pytest.raises(HaulbillError) as exc:
        create_credit_note(company, invoice.pk, quantities={999999: Decimal("1")})
    assert exc.value.code == "credit_unknown_line"


def test_it_cannot_credit_an_invoice_of_another_company(company, other_company, invoice):
    with pytest.raises(Invoice.DoesNotExist):
        create_credit_note(other_company, invoice.pk)
