from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from haulbill.addressbook.models import VatRegime
from haulbill.catalog import services as catalog
from haulbill.catalog import suggestions
from haulbill.catalog.models import VatLevel
from haulbill.core.errors import HaulbillError
from haulbill.invoicing import services
from haulbill.invoicing.models import InvoiceLine
from haulbill.invoicing.selection import Selection
from haulbill.providers.base import RemoteProduct
from haulbill.transports import services as transport_services
from haulbill.transports import verification
from haulbill.transports.models import PriceLine, SuggestionSource
from tests.factories import (
    CompanyFactory,
    CustomerFactory,
    MembershipFactory,
    PriceLineFactory,
    ProductFactory,
    TransportFactory,
)


def line_without_code(company, customer, description, day=dt.date(2026, 11, 20), **kwargs):
    transport = TransportFactory(company=company, customer=customer, unloading_date=day, **kwargs)
    return PriceLineFactory(transport=transport, product=None, description=description, unit_price=Decimal("80"))


def earlier(company, customer, description, product, day=dt.date(2026, 10, 2), **kwargs):
    transport = TransportFactory(company=company, customer=customer, unloading_date=day, **kwargs)
    return PriceLineFactory(transport=transport, product=product, description=description)


def state(line):
    line.refresh_from_db()
    return line.product_id, line.suggestion_source


def invoicer_client(company):
    client = Client()
    client.force_login(MembershipFactory(company=company, role="invoicer").user)
    return client


# --- what is decided ------------------------------------------------------------------------------------------------


def test_it_fills_in_the_company_only_active_product_marked_as_suggested(company):
    only = ProductFactory(company=company)
    ProductFactory(company=company, is_active=False)
    ProductFactory(company=company, is_fuel_surcharge=True, item_code="GAS")
    line = line_without_code(company, CustomerFactory(company=company), "Transport Gent → Lyon")
    assert suggestions.suggest(company) == 1
    assert state(line) == (only.pk, SuggestionSource.ONLY_PRODUCT)
    assert line.product_suggested


def test_it_fills_in_the_product_used_for_the_same_kind_of_line_for_this_customer(company):
    customer = CustomerFactory(company=company)
    transport_product = ProductFactory(company=company, item_code="TRANS")
    waiting = ProductFactory(company=company, item_code="WAIT", unit="HUR")
    earlier(company, customer, "Waiting hours at Gent 12/10/2026", waiting, unloading_place="Gent")
    earlier(company, customer, "Transport Antwerpen → Gent", transport_product)
    line = line_without_code(company, customer, "Waiting hours at Liège 3.5h", unloading_place="Liège")
    suggestions.suggest(company)
    assert state(line) == (waiting.pk, SuggestionSource.CUSTOMER_HISTORY)


def test_it_ignores_other_customers_history(company):
    ProductFactory(company=company)
    waiting = ProductFactory(company=company, item_code="WAIT")
    earlier(company, CustomerFactory(company=company), "Waiting hours at Gent", waiting)
    line = line_without_code(company, CustomerFactory(company=company), "Waiting hours at Gent")
    suggestions.suggest(company)
    assert state(line) == (None, "")


def test_it_takes_the_most_used_product_whose_vat_suits_the_customer_regime(company):
    customer = CustomerFactory(
        company=company, vat_regime=VatRegime.INTRA_EU, vat_number="NL004495445B01", country="NL"
    )
    domestic = ProductFactory(company=company, item_code="TR21", vat_rate=Decimal("21"), vat_level=VatLevel.PRODUCT)
    exempt = ProductFactory(company=company, item_code="TR0", vat_rate=Decimal("0"), vat_level=VatLevel.PRODUCT)
    earlier(company, customer, "Transport Rotterdam → Gent", domestic)
    earlier(company, customer, "Transport Breda → Gent", domestic)
    earlier(company, customer, "Transport Utrecht → Gent", exempt)
    line = line_without_code(company, customer, "Transport Delft → Gent")
    suggestions.suggest(company)
    assert state(line) == (exempt.pk, SuggestionSource.CUSTOMER_HISTORY)


def test_it_does_not_suggest_a_product_whose_vat_does_not_suit_the_customer(company):
    customer = CustomerFactory(
        company=company, vat_regime=VatRegime.INTRA_EU, vat_number="NL004495445B01", country="NL"
    )
    domestic = ProductFactory(company=company, item_code="TR21", vat_rate=Decimal("21"), vat_level=VatLevel.PRODUCT)
    ProductFactory(company=company, item_code="OTHER")
    earlier(company, customer, "Transport Rotterdam → Gent", domestic)
    line = line_without_code(company, customer, "Transport Breda → Gent")
    suggestions.suggest(company)
    assert state(line) == (None, "")


def test_it_leaves_an_undecidable_line_without_item_code_and_the_preflight_says_so(company):
    ProductFactory(company=company)
    ProductFactory(company=company)
    line = line_without_code(company, CustomerFactory(company=company), "Tolls")
    assert suggestions.suggest(company) == 0
    assert state(line) == (None, "")
    _batch, report = services.check_selection(company, Selection())
    [problem] = [p for p in report.problems if p.code == "price_line_without_item_code"]
    assert "none could be suggested" in problem.message
    assert problem.fix_url == f"/transports/{line.transport_id}/"


def test_it_normalises_dates_numbers_and_places_out_of_a_description():
    assert suggestions.pattern("Waiting hours at Gent 12/10/2026 3h") == suggestions.pattern("Waiting hours at Liège")
    assert suggestions.pattern("Transport antwerpen → liège", ["Antwerpen", "Liège"]) == "transport"
    assert suggestions.pattern("Waiting hours") != suggestions.pattern("Transport")


# --- never over a person's choice, idempotent -------------------------------------------------------------------


def test_it_never_overwrites_a_product_a_person_chose(company):
    customer = CustomerFactory(company=company)
    chosen = ProductFactory(company=company, item_code="CHOSEN")
    waiting = ProductFactory(company=company, item_code="WAIT")
    earlier(company, customer, "Waiting hours", waiting)
    earlier(company, customer, "Waiting hours", waiting, day=dt.date(2026, 10, 3))
    line = line_without_code(company, customer, "Waiting hours")
    suggestions.choose_product(company, line.pk, chosen.pk)
    suggestions.suggest(company)
    assert state(line) == (chosen.pk, "")


def test_it_never_overwrites_an_item_code_the_tms_sent_even_when_its_product_was_deactivated(company):
    ProductFactory(company=company)
    retired = ProductFactory(company=company, is_active=False)
    line = earlier(company, CustomerFactory(company=company), "Transport", retired)
    suggestions.suggest(company)
    assert state(line) == (retired.pk, "")


def test_it_does_not_learn_from_its_own_suggestions(company):
    customer = CustomerFactory(company=company)
    only = ProductFactory(company=company)
    first = line_without_code(company, customer, "Waiting hours")
    suggestions.suggest(company)
    ProductFactory(company=company)  # the only-product rule no longer decides
    second = line_without_code(company, customer, "Waiting hours", day=dt.date(2026, 11, 21))
    suggestions.suggest(company)
    assert state(first) == (only.pk, SuggestionSource.ONLY_PRODUCT)  # kept: it still holds
    assert state(second) == (None, "")  # an unconfirmed suggestion is no history


def test_it_decides_again_a_suggestion_whose_product_was_deactivated(company):
    customer = CustomerFactory(company=company)
    old = ProductFactory(company=company)
    line = line_without_code(company, customer, "Transport")
    suggestions.suggest(company)
    old.is_active = False
    old.save()
    new = ProductFactory(company=company)
    suggestions.suggest(company)
    assert state(line) == (new.pk, SuggestionSource.ONLY_PRODUCT)


def test_it_writes_nothing_the_second_time(company, django_assert_num_queries):
    ProductFactory(company=company)
    line_without_code(company, CustomerFactory(company=company), "Transport")
    suggestions.suggest(company)
    with django_assert_num_queries(2):  # the candidate lines and the catalog; no update, no fuel refresh
        assert suggestions.suggest(company) == 1


def count_queries(company, customers, lines_each):
    ProductFactory(company=company)
    used = ProductFactory(company=company)
    for _ in range(customers):
        customer = CustomerFactory(company=company)
        earlier(company, customer, "Transport A → B", used)
        for _ in range(lines_each):
            line_without_code(company, customer, "Transport C → D")
    with CaptureQueriesContext(connection) as queries:
        assert suggestions.suggest(company) == customers * lines_each
    return len(queries)


def test_it_suggests_in_bulk_in_a_fixed_number_of_queries(company):
    few = count_queries(company, 2, 2)
    other = CompanyFactory()
    assert count_queries(other, 8, 6) == few


# --- a person confirms or changes -----------------------------------------------------------------------------------


def test_it_clears_the_mark_when_a_person_confirms_the_suggestion(company):
    only = ProductFactory(company=company)
    line = line_without_code(company, CustomerFactory(company=company), "Transport")
    suggestions.suggest(company)
    suggestions.choose_product(company, line.pk, only.pk)
    assert state(line) == (only.pk, "")


def test_it_confirms_every_suggestion_of_a_transport_at_once(company):
    only = ProductFactory(company=company)
    line = line_without_code(company, CustomerFactory(company=company), "Transport")
    PriceLineFactory(transport=line.transport, product=None, description="Tolls")
    suggestions.suggest(company)
    assert suggestions.accept_suggestions(company, line.transport) == 2
    assert set(PriceLine.objects.filter(transport=line.transport).values_list("product_id", "suggestion_source")) == {
        (only.pk, "")
    }


def test_it_refuses_a_product_of_another_company(company):
    line = line_without_code(company, CustomerFactory(company=company), "Transport")
    foreign = ProductFactory(company=CompanyFactory())
    with pytest.raises(HaulbillError) as exc:
        suggestions.choose_product(company, line.pk, foreign.pk)
    assert exc.value.field == "product"


def test_it_shows_the_suggested_mark_on_the_transport_page_and_a_person_change_clears_it(company):
    ProductFactory(company=company, item_code="ONLY-1")
    line = line_without_code(company, CustomerFactory(company=company), "Transport")
    suggestions.suggest(company)
    other = ProductFactory(company=company, item_code="OTHER-2")
    client = invoicer_client(company)
    page = client.get(f"/transports/{line.transport_id}/").content.decode()
    assert 'data-suggestion="only_product"' in page
    assert 'data-badge="item_code_suggested"' in page
    client.post(f"/transports/lines/{line.pk}/product/", {"product": other.pk})
    assert state(line) == (other.pk, "")
    page = client.get(f"/transports/{line.transport_id}/").content.decode()
    assert "data-suggestion" not in page and "item_code_suggested" not in page


def test_it_does_not_let_another_company_change_a_line(company):
    ProductFactory(company=company)
    line = line_without_code(company, CustomerFactory(company=company), "Transport")
    suggestions.suggest(company)
    stranger = CompanyFactory()
    response = invoicer_client(stranger).post(
        f"/transports/lines/{line.pk}/product/", {"product": ProductFactory(company=stranger).pk}
    )
    assert response.status_code == 404
    assert state(line)[1] == SuggestionSource.ONLY_PRODUCT


def test_it_badges_a_suggested_item_code_for_the_person_verifying(company):
    ProductFactory(company=company)
    line = line_without_code(company, CustomerFactory(company=company), "Transport")
    suggestions.suggest(company)
    [badge] = [b for b in verification.badges(line.transport) if b.code == "item_code_suggested"]
    assert badge.level == "warn"
    assert "line_without_item_code" not in {b.code for b in verification.badges(line.transport)}


# --- when lines are filled ------------------------------------------------------------------------------------------


def test_it_fills_lines_when_a_transport_is_created_or_its_lines_replaced(company):
    only = ProductFactory(company=company)
    customer = CustomerFactory(company=company)
    row = transport_services.TransportInput(
        reference="T-NEW", customer_id=customer.pk, lines=[transport_services.LineInput(description="Tolls")]
    )
    transport = transport_services.create_transport(company, row)
    assert list(transport.price_lines.values_list("product_id", "suggestion_source")) == [
        (only.pk, SuggestionSource.ONLY_PRODUCT)
    ]
    transport_services.update_transport(
        company, transport, {"lines": [transport_services.LineInput(description="Waiting hours")]}
    )
    assert list(transport.price_lines.values_list("product_id", "suggestion_source")) == [
        (only.pk, SuggestionSource.ONLY_PRODUCT)
    ]


def test_it_fills_lines_of_a_bulk_import_and_keeps_the_item_codes_sent(company):
    only = ProductFactory(company=company, item_code="ONLY")
    customer = CustomerFactory(company=company)
    rows = [
        transport_services.TransportInput(
            reference=f"T-{n}",
            customer_id=customer.pk,
            lines=[
                transport_services.LineInput(description="Tolls"),
                transport_services.LineInput(description="Freight", item_code="ONLY"),
            ],
        )  # fmt: skip
        for n in range(3)
    ]
    result = transport_services.bulk_create_transports(company, rows)
    lines = PriceLine.objects.filter(transport__in=result.created).order_by("transport_id", "position")
    assert [(line.product_id, line.suggestion_source) for line in lines] == [
        (only.pk, SuggestionSource.ONLY_PRODUCT),
        (only.pk, ""),
    ] * 3


def test_it_fills_lines_when_a_transport_is_verified(company):
    customer = CustomerFactory(company=company)
    line = line_without_code(company, customer, "Transport", verified_at=None)
    only = ProductFactory(company=company)
    verification.verify(company, line.transport_id)
    assert state(line) == (only.pk, SuggestionSource.ONLY_PRODUCT)


def test_it_fills_lines_when_the_catalog_synchronisation_finishes(company):
    line = line_without_code(company, CustomerFactory(company=company), "Transport")
    catalog.apply_catalog(
        company, "builtin", [RemoteProduct("R1", "TR-1", "Transport", "C62", Decimal("100"), Decimal("21"), "product")]
    )
    product_id, source = state(line)
    assert product_id is not None and source == SuggestionSource.ONLY_PRODUCT


def test_it_marks_a_suggested_item_code_on_the_draft_page_until_a_person_changes_it(company):
    from django.urls import reverse

    from haulbill.invoicing import drafts
    from tests.invoicing.factories import ready_transport

    only = ProductFactory(company=company, item_code="ONLY-1")
    transport = ready_transport(company, CustomerFactory(company=company), prod=only)
    line = PriceLineFactory(transport=transport, product=None, description="Tolls", unit_price=Decimal("12"))
    services.start_run(company, Selection())
    invoice_line = InvoiceLine.objects.get(price_line=line)
    client = invoicer_client(company)
    url = reverse("draft-detail", args=[invoice_line.invoice_id])
    assert 'data-suggestion="only_product"' in client.get(url).content.decode()
    drafts.edit_line(company, invoice_line.pk, product_id=only.pk)
    assert state(line) == (only.pk, "")
    assert "data-suggestion" not in client.get(url).content.decode()
