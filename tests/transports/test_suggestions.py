from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from haulbill.addressbook.models import VatRegime
from haulbill.catalog import suggestions
from haulbill.catalog.models import VatLevel
from haulbill.core.errors import HaulbillError
from haulbill.invoicing import services
from haulbill.invoicing.selection import Selection
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


def test_it_suggests_the_company_only_active_product(company):
    only = ProductFactory(company=company)
    ProductFactory(company=company, is_active=False)
    ProductFactory(company=company, is_fuel_surcharge=True, item_code="GAS")
    line = line_without_code(company, CustomerFactory(company=company), "Transport Gent → Lyon")
    suggestions.suggest(company)
    line.refresh_from_db()
    assert (line.suggested_product_id, line.suggestion_source) == (only.pk, SuggestionSource.ONLY_PRODUCT)
    assert line.product_id is None  # a suggestion, not yet the line's item code


def test_it_suggests_the_product_used_for_the_same_kind_of_line_for_this_customer(company):
    customer = CustomerFactory(company=company)
    transport_product = ProductFactory(company=company, item_code="TRANS")
    waiting = ProductFactory(company=company, item_code="WAIT", unit="HUR")
    earlier(company, customer, "Waiting hours at Gent 12/10/2026", waiting, unloading_place="Gent")
    earlier(company, customer, "Transport Antwerpen → Gent", transport_product)
    line = line_without_code(company, customer, "Waiting hours at Liège 3.5h", unloading_place="Liège")
    suggestions.suggest(company)
    line.refresh_from_db()
    assert (line.suggested_product_id, line.suggestion_source) == (waiting.pk, SuggestionSource.CUSTOMER_HISTORY)


def test_it_ignores_other_customers_history(company):
    ProductFactory(company=company)
    waiting = ProductFactory(company=company, item_code="WAIT")
    earlier(company, CustomerFactory(company=company), "Waiting hours at Gent", waiting)
    line = line_without_code(company, CustomerFactory(company=company), "Waiting hours at Gent")
    suggestions.suggest(company)
    line.refresh_from_db()
    assert line.suggested_product_id is None


def test_it_does_not_suggest_a_product_whose_vat_does_not_suit_the_customer(company):
    customer = CustomerFactory(
        company=company, vat_regime=VatRegime.INTRA_EU, vat_number="NL004495445B01", country="NL"
    )
    domestic = ProductFactory(company=company, item_code="TR21", vat_rate=Decimal("21"), vat_level=VatLevel.PRODUCT)
    ProductFactory(company=company, item_code="OTHER")
    earlier(company, customer, "Transport Rotterdam → Gent", domestic)
    line = line_without_code(company, customer, "Transport Breda → Gent")
    suggestions.suggest(company)
    line.refresh_from_db()
    assert line.suggested_product_id is None


def test_it_leaves_an_undecidable_line_without_suggestion_and_the_preflight_says_so(company):
    ProductFactory(company=company)
    ProductFactory(company=company)
    line = line_without_code(company, CustomerFactory(company=company), "Tolls")
    assert suggestions.suggest(company) == 0
    line.refresh_from_db()
    assert line.suggested_product_id is None
    _batch, report = services.check_selection(company, Selection())
    assert "price_line_without_item_code" in {p.code for p in report.problems}


def test_it_normalises_dates_numbers_and_places_out_of_a_description():
    assert suggestions.pattern("Waiting hours at Gent 12/10/2026 3h") == suggestions.pattern("Waiting hours at Liège")
    assert suggestions.pattern("Transport antwerpen → liège", ["Antwerpen", "Liège"]) == "transport"
    assert suggestions.pattern("Waiting hours") != suggestions.pattern("Transport")


def test_it_suggests_in_bulk_in_a_fixed_number_of_queries(company, django_assert_max_num_queries):
    ProductFactory(company=company)
    used = ProductFactory(company=company)
    customers = [CustomerFactory(company=company) for _ in range(3)]
    for customer in customers:
        earlier(company, customer, "Transport A → B", used)
        for _ in range(5):
            line_without_code(company, customer, "Transport C → D")
    with django_assert_max_num_queries(8):
        assert suggestions.suggest(company) == 15


def test_it_sets_the_product_when_a_suggestion_is_accepted(company):
    only = ProductFactory(company=company)
    line = line_without_code(company, CustomerFactory(company=company), "Transport")
    suggestions.suggest(company)
    suggestions.choose_product(company, line.pk, only.pk)
    line.refresh_from_db()
    assert (line.product_id, line.suggested_product_id) == (only.pk, None)


def test_it_refuses_a_product_of_another_company(company):
    line = line_without_code(company, CustomerFactory(company=company), "Transport")
    foreign = ProductFactory(company=CompanyFactory())
    with pytest.raises(HaulbillError) as exc:
        suggestions.choose_product(company, line.pk, foreign.pk)
    assert exc.value.field == "product"


def test_it_shows_the_suggestion_in_the_dropdown_and_accepts_it_from_the_page(company):
    only = ProductFactory(company=company, item_code="ONLY-1")
    line = line_without_code(company, CustomerFactory(company=company), "Transport")
    suggestions.suggest(company)
    client = Client()
    client.force_login(MembershipFactory(company=company, role="invoicer").user)
    page = client.get(f"/transports/{line.transport_id}/").content.decode()
    assert 'data-suggestion="only_product"' in page
    client.post(f"/transports/lines/{line.pk}/product/", {"product": only.pk})
    assert PriceLine.objects.get(pk=line.pk).product_id == only.pk


def test_it_suggests_when_a_transport_is_verified(company):
    only = ProductFactory(company=company)
    line = line_without_code(company, CustomerFactory(company=company), "Transport", verified_at=None)
    from haulbill.transports import verification

    verification.verify(company, line.transport_id)
    assert PriceLine.objects.get(pk=line.pk).suggested_product_id == only.pk
