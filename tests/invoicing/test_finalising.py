import datetime as dt
from decimal import Decimal

import pytest

from haulbill.addressbook.models import VatRegime
from haulbill.catalog.models import VatLevel
from haulbill.core.errors import HaulbillError
from haulbill.invoicing import finalising, services
from haulbill.invoicing.finalising import finalise_invoice
from haulbill.invoicing.models import FinalisedInvoiceError, Invoice, InvoiceStatus, NumberSequence
from haulbill.invoicing.selection import Selection
from haulbill.transports.models import InvoicingStatus
from tests.factories import CustomerFactory, ProductFactory
from tests.invoicing.factories import ready_transport

DAY = dt.date(2026, 11, 24)


def one_draft(company, **kwargs):
    transport = ready_transport(company, **kwargs)
    run = services.start_run(company, Selection())
    return Invoice.objects.get(run=run), transport


class Boom(Exception):
    pass


def test_it_leaves_no_gap_and_no_invoiced_transport_when_finalisation_fails_after_numbering(company, monkeypatch):
    draft, transport = one_draft(company)

    # Fault injection (the one place we patch our own code): the write that marks the transports fails after
    # the number was taken.
    def crash(*args, **kwargs):
        raise Boom("disk full")

    monkeypatch.setattr(finalising, "_mark_transports_invoiced", crash)
    with pytest.raises(Boom):
        finalise_invoice(company, draft.pk, issue_date=DAY)
    draft.refresh_from_db()
    transport.refresh_from_db()
    assert (draft.status, draft.number) == (InvoiceStatus.DRAFT, "")
    assert transport.invoicing_status == InvoicingStatus.NOT_INVOICED
    assert not NumberSequence.objects.filter(company=company).exists()

    monkeypatch.undo()
    retried = finalise_invoice(company, draft.pk, issue_date=DAY)
    transport.refresh_from_db()
    assert retried.number == "2026-00001"
    assert transport.invoicing_status == InvoicingStatus.INVOICED


def test_it_snapshots_both_parties_so_later_edits_do_not_change_the_invoice(company):
    customer = CustomerFactory(company=company, name="Kroon BV", invoice_reference="PO-77")
    draft, _ = one_draft(company, customer=customer)
    invoice = finalise_invoice(company, draft.pk, issue_date=DAY)
    customer.name = "Renamed BV"
    customer.save()
    company.legal_name = "New Name NV"
    company.save()
    invoice.refresh_from_db()
    assert invoice.buyer["name"] == "Kroon BV"
    assert invoice.seller["iban"] == "BE71096123456769"
    assert invoice.seller["peppol_identifier"] == f"0208:{company.enterprise_number}"
    assert invoice.buyer_reference == "PO-77"


def test_it_uses_the_transport_reference_as_buyer_reference_when_the_customer_gives_none(company):
    draft, transport = one_draft(company, customer=CustomerFactory(company=company, invoice_reference=""))
    assert finalise_invoice(company, draft.pk, issue_date=DAY).buyer_reference == transport.reference


def test_it_sets_due_date_payment_reference_and_conditions(company):
    from haulbill.invoicing.models import InvoicingSettings

    InvoicingSettings.objects.filter(company=company).update(purchasing_conditions="Payable in Antwerp.")
    draft, _ = one_draft(company, customer=CustomerFactory(company=company, payment_delay_days=15))
    invoice = finalise_invoice(company, draft.pk, issue_date=DAY)
    assert invoice.due_date == dt.date(2026, 12, 9)
    # invoice, 2026, counter 1: 1 26 0000001, and 1260000001 mod 97 = 71
    assert invoice.payment_reference == "+++126/0000/00171+++"
    assert invoice.purchasing_conditions == "Payable in Antwerp."


def test_it_drafts_one_line_per_price_line_naming_transport_date_and_route(company):
    draft, transport = one_draft(company, prices=("450.00", "35.50"))
    lines = list(draft.lines.order_by("position"))
    assert [line.line_amount for line in lines] == [Decimal("450.00"), Decimal("35.50")]
    assert lines[0].description.startswith(f"{transport.reference} · 4-11-2026 · Antwerpen → Liège: Freight 1")
    assert (lines[0].vat_category, lines[0].vat_rate) == ("S", Decimal("21.00"))


def test_it_drafts_one_invoice_per_customer_or_per_transport_as_the_customer_asks(company):
    grouped, single = CustomerFactory(company=company), CustomerFactory(company=company, invoice_per_transport=True)
    for customer in [grouped, grouped, single, single]:
        ready_transport(company, customer)
    run = services.start_run(company, Selection())
    assert Invoice.objects.filter(run=run, customer=grouped).count() == 1
    assert Invoice.objects.filter(run=run, customer=single).count() == 2


def test_it_carries_the_vat_category_and_mention_on_each_line(company):
    customer = CustomerFactory(
        company=company, country="NL", vat_number="NL004495445B01", vat_regime=VatRegime.INTRA_EU
    )
    prod = ProductFactory(company=company, vat_level=VatLevel.CUSTOMER, vat_rate=None)
    draft, _ = one_draft(company, customer=customer, prod=prod, prices=("1000.00",))
    invoice = finalise_invoice(company, draft.pk, issue_date=DAY)
    line = invoice.lines.get()
    assert (line.vat_category, line.vat_exemption_code) == ("AE", "VATEX-EU-AE")
    assert line.vat_exemption_text.startswith("Reverse charge")
    assert (invoice.total_excl, invoice.total_vat, invoice.total_incl) == (
        Decimal("1000.00"),
        Decimal("0.00"),
        Decimal("1000.00"),
    )


def test_it_refuses_to_change_or_delete_a_finalised_invoice_and_its_lines(company):
    draft, _ = one_draft(company)
    invoice = finalise_invoice(company, draft.pk, issue_date=DAY)
    invoice = Invoice.objects.get(pk=invoice.pk)
    invoice.total_incl = Decimal("1")
    with pytest.raises(FinalisedInvoiceError):
        invoice.save()
    with pytest.raises(FinalisedInvoiceError):
        invoice.delete()
    line = invoice.lines.first()
    line.unit_price = Decimal("1")
    with pytest.raises(FinalisedInvoiceError):
        line.save()


def test_it_refuses_to_change_an_invoiced_transport_or_its_price_lines(company):
    draft, transport = one_draft(company)
    finalise_invoice(company, draft.pk, issue_date=DAY)
    transport.refresh_from_db()
    transport.unloading_place = "Namur"
    with pytest.raises(FinalisedInvoiceError):
        transport.save()
    with pytest.raises(FinalisedInvoiceError):
        transport.price_lines.first().delete()


def test_it_refuses_to_finalise_twice(company):
    draft, _ = one_draft(company)
    finalise_invoice(company, draft.pk, issue_date=DAY)
    with pytest.raises(HaulbillError) as exc:
        finalise_invoice(company, draft.pk, issue_date=DAY)
    assert exc.value.code == "invoice_not_draft"


def test_it_refuses_a_transport_invoiced_meanwhile_by_another_run(company):
    transport = ready_transport(company)
    first = services.start_run(company, Selection())
    first_draft = Invoice.objects.get(run=first)
    # A second draft of the same transport (e.g. a concurrent run made before the first one replaced it).
    from haulbill.invoicing.models import InvoiceLine

    second_draft = Invoice.objects.create(company=company, customer=transport.customer)
    line = first_draft.lines.get()
    line.pk = None
    line.invoice = second_draft
    line.save()
    finalise_invoice(company, first_draft.pk, issue_date=DAY)
    with pytest.raises(HaulbillError) as exc:
        finalise_invoice(company, second_draft.pk, issue_date=DAY)
    assert exc.value.code == "transport_already_invoiced"
    assert Invoice.objects.get(pk=second_draft.pk).number == ""
    assert InvoiceLine.objects.filter(invoice=second_draft).count() == 1


def test_it_replaces_the_earlier_draft_when_a_transport_is_drafted_again(company):
    ready_transport(company)
    services.start_run(company, Selection())
    services.start_run(company, Selection())
    assert Invoice.objects.filter(company=company, status=InvoiceStatus.DRAFT).count() == 1


def test_it_renders_the_pdf_of_a_finalised_invoice_with_the_built_in_provider(company, today):
    ready_transport(company)
    run, _ = services.invoice_run(company, Selection(), finalise=True)
    invoice = Invoice.objects.get(run=run)
    assert invoice.push_state == "pushed"
    assert bytes(invoice.pdf).startswith(b"%PDF")
    assert invoice.totals_mismatch is False
