"""A price line's item code decided after drafting reaches its draft line, its totals, the pro forma and the invoice."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from haulbill.catalog import services as catalog
from haulbill.catalog import suggestions
from haulbill.invoicing import drafts, services
from haulbill.invoicing.following import follow_price_lines
from haulbill.invoicing.models import Invoice, InvoiceLine, InvoiceStatus
from haulbill.invoicing.selection import Selection
from haulbill.providers.base import RemoteProduct
from haulbill.transports.models import PriceLine, SuggestionSource, TransportStatus
from tests.factories import (
    CompanyFactory,
    CustomerFactory,
    InvoicingSettingsFactory,
    MembershipFactory,
    PriceLineFactory,
    ProductFactory,
    TransportFactory,
)
from tests.invoicing.factories import ready_transport


@pytest.fixture
def customer(company):
    return CustomerFactory(company=company, language="en")


@pytest.fixture
def freight(company):
    return ProductFactory(company=company, item_code="FREIGHT", vat_rate=Decimal("21.00"))


@pytest.fixture
def tolls(company):
    return ProductFactory(company=company, item_code="TOLLS", name="Tolls", vat_rate=Decimal("21.00"))


def drafted_without_code(company, customer, freight):
    """A run whose draft holds a line without item code: two products and no history, so none can be suggested."""
    transport = ready_transport(company, customer, prod=freight)
    line = PriceLineFactory(transport=transport, position=9, product=None, description="Tolls",
                            unit_price=Decimal("40.00"))  # fmt: skip
    run = services.start_run(company, Selection(customer_ids=(customer.pk,)))
    return Invoice.objects.get(run=run), line


def invoicer(company):
    client = Client()
    client.force_login(MembershipFactory(company=company, role="invoicer").user)
    return client


def pick_on_transport_page(company, price_line, product):
    response = invoicer(company).post(f"/transports/lines/{price_line.pk}/product/", {"product": product.pk})
    assert response.status_code == 302


def test_the_draft_line_starts_without_item_code_nor_vat(company, customer, freight, tolls):
    draft, line = drafted_without_code(company, customer, freight)
    draft_line = InvoiceLine.objects.get(price_line=line)
    assert (draft_line.item_code, draft_line.vat_category) == ("", "")
    assert draft.total_vat == Decimal("21.00")  # the freight's only


def test_it_gives_the_draft_line_the_item_code_a_person_picks_on_the_transport_page(company, customer, freight, tolls):
    draft, line = drafted_without_code(company, customer, freight)
    pick_on_transport_page(company, line, tolls)
    draft_line = InvoiceLine.objects.get(price_line=line)
    assert (draft_line.product_id, draft_line.item_code) == (tolls.pk, "TOLLS")
    assert (draft_line.vat_category, draft_line.vat_rate) == ("S", Decimal("21.00"))
    draft.refresh_from_db()
    assert (draft.total_excl, draft.total_vat, draft.total_incl) == (
        Decimal("140.00"), Decimal("29.40"), Decimal("169.40"),
    )  # fmt: skip
    assert "TOLLS" in drafts.pro_forma_html(company, draft)
    assert "TOLLS" in invoicer(company).get(f"/drafts/{draft.pk}/").content.decode()


def test_it_finalises_the_run_after_the_fix_on_the_transport_page(company, customer, freight, tolls, today):
    draft, line = drafted_without_code(company, customer, freight)
    pick_on_transport_page(company, line, tolls)
    summary = services.finalise_run(company, draft.run_id)
    assert summary["failed"] == [] and summary["finalised"] == 1
    invoice = Invoice.objects.get(pk=draft.pk)
    assert invoice.status == InvoiceStatus.FINALISED and invoice.number == summary["numbers"][0]
    assert invoice.lines.get(price_line=line).item_code == "TOLLS"
    assert invoice.total_incl == Decimal("169.40")


def test_finalising_brings_a_draft_left_behind_up_to_date(company, customer, freight, tolls, today):
    draft, line = drafted_without_code(company, customer, freight)
    PriceLine.objects.filter(pk=line.pk).update(product=tolls)  # changed by a door that does not follow
    summary = services.finalise_run(company, draft.run_id)
    assert summary["failed"] == [] and summary["finalised"] == 1
    assert Invoice.objects.get(pk=draft.pk).lines.get(price_line=line).vat_category == "S"


def test_the_draft_line_follows_another_product_picked_on_the_transport_page(company, customer, freight):
    reduced = ProductFactory(company=company, item_code="REDUCED", vat_rate=Decimal("6.00"))
    transport = ready_transport(company, customer, prod=freight)
    draft = Invoice.objects.get(run=services.start_run(company, Selection()))
    price_line = transport.price_lines.get()
    pick_on_transport_page(company, price_line, reduced)
    assert draft.lines.get(price_line=price_line).item_code == "REDUCED"
    draft.refresh_from_db()
    assert (draft.total_vat, draft.total_incl) == (Decimal("6.00"), Decimal("106.00"))


def test_it_keeps_a_product_chosen_by_hand_in_the_draft(company, customer, freight, tolls, today):
    draft, line = drafted_without_code(company, customer, freight)
    draft_line = InvoiceLine.objects.get(price_line=line)
    drafts.edit_line(company, draft_line.pk, product_id=freight.pk)
    # Afterwards the customer's history would suggest "Tolls" for such a line: a person's choice is not touched.
    earlier = TransportFactory(company=company, customer=customer, status=TransportStatus.PLANNED)
    PriceLineFactory(transport=earlier, product=tolls, description="Tolls")
    suggestions.suggest(company)
    assert follow_price_lines(company, [line.pk]) == 0
    assert InvoiceLine.objects.get(pk=draft_line.pk).item_code == "FREIGHT"
    services.finalise_run(company, draft.run_id)
    assert InvoiceLine.objects.get(pk=draft_line.pk).item_code == "FREIGHT"


def test_it_gives_the_draft_the_suggestion_the_catalog_synchronisation_fills(company, customer, freight, tolls):
    draft, line = drafted_without_code(company, customer, freight)
    # The freight product leaves the catalog: "Tolls" is the one product left, so it is suggested.
    catalog.apply_catalog(company, "builtin", [
        RemoteProduct(tolls.provider_product_id, "TOLLS", "Tolls", "C62", Decimal("40"), Decimal("21"), "product"),
    ])  # fmt: skip
    line.refresh_from_db()
    assert (line.product_id, line.suggestion_source) == (tolls.pk, SuggestionSource.ONLY_PRODUCT)
    assert InvoiceLine.objects.get(price_line=line).item_code == "TOLLS"
    draft.refresh_from_db()
    assert draft.total_vat == Decimal("29.40")


def test_it_gives_the_draft_the_suggestion_the_pre_flight_fills_when_confirming(
    company, customer, freight, tolls, today
):
    draft, line = drafted_without_code(company, customer, freight)
    earlier = TransportFactory(company=company, customer=customer, status=TransportStatus.PLANNED)
    PriceLineFactory(transport=earlier, product=tolls, description="Tolls")  # a person's choice: history
    summary = services.finalise_run(company, draft.run_id)
    assert summary["failed"] == [] and summary["finalised"] == 1
    assert Invoice.objects.get(pk=draft.pk).lines.get(price_line=line).item_code == "TOLLS"


def test_following_twice_writes_nothing_the_second_time(company, customer, freight, tolls):
    _draft, line = drafted_without_code(company, customer, freight)
    PriceLine.objects.filter(pk=line.pk).update(product=tolls)
    assert follow_price_lines(company, [line.pk]) == 1
    with CaptureQueriesContext(connection) as queries:
        assert follow_price_lines(company, [line.pk]) == 0
    assert not [q for q in queries.captured_queries if q["sql"].startswith(("UPDATE", "INSERT", "DELETE"))]


def test_it_leaves_the_drafts_of_another_company_alone(company, customer, freight, tolls):
    _draft, line = drafted_without_code(company, customer, freight)
    PriceLine.objects.filter(pk=line.pk).update(product=tolls)
    other = CompanyFactory()
    InvoicingSettingsFactory(company=other)
    assert follow_price_lines(other, [line.pk]) == 0
    assert InvoiceLine.objects.get(price_line=line).item_code == ""


def queries_to_follow(company, lines):
    """`lines` price lines without item code, each on its own draft, then given one: the queries to follow them."""
    customer = CustomerFactory(company=company, invoice_per_transport=True)
    freight, tolls = ProductFactory(company=company), ProductFactory(company=company)
    ids = []
    for _ in range(lines):
        transport = ready_transport(company, customer, prod=freight)
        ids.append(PriceLineFactory(transport=transport, position=9, product=None, description="Tolls").pk)
    services.start_run(company, Selection(customer_ids=(customer.pk,)))
    PriceLine.objects.filter(pk__in=ids).update(product=tolls)
    with CaptureQueriesContext(connection) as queries:
        assert follow_price_lines(company, ids) == lines
    assert InvoiceLine.objects.filter(price_line_id__in=ids, vat_category="S").count() == lines
    return len(queries)


def test_it_follows_in_a_fixed_number_of_queries(company):
    assert queries_to_follow(company, 2) == queries_to_follow(company, 10)


def test_a_transport_whose_lines_the_tms_replaced_is_drawn_again_on_its_draft(company, customer, freight, tolls):
    from haulbill.transports.services import LineInput, update_transport

    draft, _line = drafted_without_code(company, customer, freight)
    transport_id = InvoiceLine.objects.filter(invoice=draft).exclude(transport_id=None).first().transport_id
    update_transport(
        company,
        draft.lines.first().transport,
        {"lines": [LineInput(item_code="TOLLS", description="Tolls E40", unit_price=Decimal("55.00"))]},
    )
    draft.refresh_from_db()
    lines = list(InvoiceLine.objects.filter(invoice=draft).order_by("position"))
    assert [(line.item_code, line.line_amount) for line in lines] == [("TOLLS", Decimal("55.00"))]
    assert all(line.transport_id == transport_id and line.price_line_id for line in lines)
    assert draft.total_excl == Decimal("55.00")
    assert draft.total_incl == Decimal("66.55")


def test_a_transport_moved_to_another_customer_leaves_its_draft(company, customer, freight):
    from haulbill.transports.services import update_transport

    draft, _line = drafted_without_code(company, customer, freight)
    other = CustomerFactory(company=company, language="en")
    update_transport(company, draft.lines.first().transport, {"customer_id": other.pk})
    assert not Invoice.objects.filter(pk=draft.pk).exists()
