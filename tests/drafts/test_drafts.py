from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from haulbill.core.errors import HaulbillError
from haulbill.fuel import services as fuel
from haulbill.invoicing import drafts, services
from haulbill.invoicing.models import Invoice, InvoiceLine, InvoiceStatus
from haulbill.invoicing.selection import Selection, eligible_transports
from haulbill.transports.models import PriceLine
from tests.factories import CustomerFactory, TransportFactory
from tests.fuel.helpers import setup_clause
from tests.invoicing.factories import product, ready_transport


def pdf_text(company, invoice):
    invoice.refresh_from_db()
    reader = PdfReader(io.BytesIO(drafts.pro_forma_pdf(company, invoice)))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def draft_of(company, customer, *transports_prices):
    for prices in transports_prices or (("100.00",),):
        ready_transport(company, customer, prices=prices)
    run = services.start_run(company, Selection(customer_ids=(customer.pk,)))
    return Invoice.objects.get(run=run)


@pytest.fixture
def customer(company):
    return CustomerFactory(company=company, language="en", invoice_reference="PO-77")


def test_it_marks_the_pro_forma_as_not_an_invoice_without_number(company, customer):
    draft = draft_of(company, customer)
    text = pdf_text(company, draft)
    assert "PRO FORMA — not an invoice" in text
    assert draft.number == "" and "Invoice 2026" not in text and "structured reference" not in text


def test_it_adds_a_line_and_the_pro_forma_follows(company, customer):
    draft = draft_of(company, customer)
    drafts.add_line(company, draft.pk, description="Tolls Brussels ring", quantity=Decimal("1"),
                    unit_price=Decimal("40.00"), product_id=product(company).pk)  # fmt: skip
    draft.refresh_from_db()
    assert draft.total_excl == Decimal("140.00")
    assert draft.total_incl == Decimal("169.40")  # 21% on 140.00
    text = pdf_text(company, draft)
    assert "Tolls Brussels ring" in text and "169.40" in text


def test_it_adds_a_transport_line_as_a_price_line_of_that_transport(company, customer):
    draft = draft_of(company, customer)
    transport_id = draft.lines.get().transport_id
    drafts.add_line(company, draft.pk, description="Waiting hours", quantity=Decimal("2"), unit="HUR",
                    unit_price=Decimal("45.00"), product_id=product(company).pk, transport_id=transport_id)  # fmt: skip
    assert PriceLine.objects.filter(transport_id=transport_id, description="Waiting hours").count() == 1
    assert "Waiting hours" in pdf_text(company, draft)


def test_it_edits_a_line_price_and_the_transport_and_pro_forma_follow(company, customer):
    draft = draft_of(company, customer)
    line = draft.lines.get()
    drafts.edit_line(company, line.pk, unit_price=Decimal("250.00"))
    draft.refresh_from_db()
    assert draft.total_excl == Decimal("250.00")
    assert PriceLine.objects.get(pk=line.price_line_id).unit_price == Decimal("250.00")
    assert "302.50" in pdf_text(company, draft)


def test_it_changes_a_description_on_the_pro_forma(company, customer):
    draft = draft_of(company, customer)
    drafts.edit_line(company, draft.lines.get().pk, description="Express delivery to the brewery")
    assert "Express delivery to the brewery" in pdf_text(company, draft)


def test_it_removes_a_line_and_the_pro_forma_follows(company, customer):
    draft = draft_of(company, customer, ("100.00", "35.00"))
    extra = draft.lines.get(unit_price=Decimal("35.00"))
    drafts.remove_line(company, extra.pk)
    draft.refresh_from_db()
    assert draft.total_excl == Decimal("100.00")
    assert not PriceLine.objects.filter(pk=extra.price_line_id).exists()
    assert "Freight 2" not in pdf_text(company, draft)


def test_it_adds_transports_of_the_same_customer_to_an_existing_draft(company, customer):
    draft = draft_of(company, customer)
    later = ready_transport(company, customer, prices=("60.00",))
    drafts.add_transports(company, draft.pk, [later.pk])
    draft.refresh_from_db()
    assert set(draft.lines.values_list("transport_id", flat=True)) == {draft.lines.first().transport_id, later.pk}
    assert draft.total_excl == Decimal("160.00")
    assert Invoice.objects.filter(status=InvoiceStatus.DRAFT).count() == 1
    assert later.reference in pdf_text(company, draft)


def test_it_refuses_a_transport_of_another_customer_or_not_verified(company, customer):
    draft = draft_of(company, customer)
    other = ready_transport(company, CustomerFactory(company=company))
    unverified = ready_transport(company, customer, verified_at=None)
    for transport, code in ((other, "transport_other_customer"), (unverified, "transport_not_verified")):
        with pytest.raises(HaulbillError) as exc:
            drafts.add_transports(company, draft.pk, [transport.pk])
        assert exc.value.code == code


def test_it_ungroups_a_draft_into_one_invoice_per_transport(company, customer):
    draft = draft_of(company, customer, ("100.00",), ("200.00",), ("300.00",))
    out = drafts.ungroup(company, draft.pk)
    assert len(out) == 3
    totals = sorted(Invoice.objects.filter(status=InvoiceStatus.DRAFT).values_list("total_excl", flat=True))
    assert totals == [Decimal("100.00"), Decimal("200.00"), Decimal("300.00")]
    assert all(inv.number == "" and inv.run_id == draft.run_id for inv in out)
    assert all(len({line.transport_id for line in inv.lines.all()}) == 1 for inv in out)


def test_it_finalises_ungrouped_drafts_with_their_run(company, customer, today):
    draft = draft_of(company, customer, ("100.00",), ("200.00",))
    drafts.ungroup(company, draft.pk)
    summary = services.finalise_run(company, draft.run_id)
    assert summary["finalised"] == 2 and len(set(summary["numbers"])) == 2


def test_it_frees_the_transports_of_a_cancelled_draft(company, customer):
    draft = draft_of(company, customer, ("100.00",), ("200.00",))
    transport_ids = set(draft.lines.values_list("transport_id", flat=True))
    assert set(drafts.cancel(company, draft.pk)) == transport_ids
    assert not Invoice.objects.filter(pk=draft.pk).exists()
    assert not InvoiceLine.objects.filter(transport_id__in=transport_ids).exists()
    assert transport_ids <= set(eligible_transports(company, Selection()).values_list("pk", flat=True))
    rerun = services.start_run(company, Selection())
    assert set(InvoiceLine.objects.filter(invoice__run=rerun).values_list("transport_id", flat=True)) == transport_ids


def test_every_draft_edit_refuses_a_finalised_invoice(company, customer, today):
    ready_transport(company, customer, prices=("100.00", "20.00"))
    ready_transport(company, customer)
    run, _summary = services.invoice_run(company, Selection(), finalise=True)
    invoice = Invoice.objects.get(run=run)
    line = invoice.lines.first()
    waiting = ready_transport(company, customer)
    attempts = [
        lambda: drafts.add_line(company, invoice.pk, description="x", quantity=Decimal(1), unit_price=Decimal(1)),
        lambda: drafts.edit_line(company, line.pk, description="changed"),
        lambda: drafts.remove_line(company, line.pk),
        lambda: drafts.add_transports(company, invoice.pk, [waiting.pk]),
        lambda: drafts.ungroup(company, invoice.pk),
        lambda: drafts.cancel(company, invoice.pk),
    ]
    for attempt in attempts:
        with pytest.raises(HaulbillError) as exc:
            attempt()
        assert exc.value.code == "invoice_not_draft"
        assert invoice.number in exc.value.message and "credit note" in exc.value.message
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.FINALISED and invoice.lines.count() == 3


def test_it_recomputes_the_fuel_surcharge_of_a_draft_without_duplicating_it(company):
    made = setup_clause(company)
    fuel.refresh_surcharges(company, [made["transport"].pk])
    run = services.start_run(company, Selection())
    draft = Invoice.objects.get(run=run)
    freight = draft.lines.get(item_code="TRANSPORT")
    drafts.edit_line(company, freight.pk, unit_price=Decimal("2000.00"))
    drafts.edit_line(company, freight.pk, description="Freight, urgent")
    [surcharge] = draft.lines.filter(item_code="GAS")
    assert surcharge.line_amount == Decimal("63.00")
    draft.refresh_from_db()
    assert draft.total_excl == Decimal("2000.00") + Decimal("100.00") + Decimal("63.00")
    assert "index 2026-11 = 1.8234" in pdf_text(company, draft)


def test_it_refuses_to_remove_or_reprice_the_computed_surcharge(company):
    made = setup_clause(company)
    run = services.start_run(company, Selection())
    surcharge = Invoice.objects.get(run=run).lines.get(item_code="GAS")
    for attempt in (lambda: drafts.remove_line(company, surcharge.pk),
                    lambda: drafts.edit_line(company, surcharge.pk, unit_price=Decimal("1"))):  # fmt: skip
        with pytest.raises(HaulbillError) as exc:
            attempt()
        assert exc.value.code == "fuel_surcharge_computed"
    assert made["transport"].price_lines.filter(is_fuel_surcharge=True).count() == 1


def test_it_never_pushes_a_draft(company, customer):
    draft = draft_of(company, customer)
    drafts.add_line(company, draft.pk, description="Tolls", quantity=Decimal(1), unit_price=Decimal(5))
    draft.refresh_from_db()
    assert draft.push_state == "not_needed" and draft.provider_order_id == ""


def test_it_dates_the_draft_by_its_latest_transport(company, customer):
    draft = draft_of(company, customer)
    later = ready_transport(company, customer, day=dt.date(2026, 11, 18))
    drafts.add_transports(company, draft.pk, [later.pk])
    draft.refresh_from_db()
    assert draft.delivery_date == dt.date(2026, 11, 18)


def test_it_keeps_transports_of_other_customers_out_of_the_add_list(company, customer):
    draft = draft_of(company, customer)
    mine = ready_transport(company, customer)
    TransportFactory(company=company)  # another customer's
    assert [t.pk for t in drafts.addable_transports(company, draft)] == [mine.pk]
