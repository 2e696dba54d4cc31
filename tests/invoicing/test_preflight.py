"""One scenario per troubleshooting case: the exact sentence, the affected customer held back, the others invoiced."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from haulbill.addressbook.models import VatRegime
from haulbill.catalog.models import VatLevel
from haulbill.invoicing import services
from haulbill.invoicing.models import Invoice, InvoiceLine, InvoiceStatus, InvoicingSettings, Provider
from haulbill.invoicing.selection import Selection
from haulbill.transports.models import InvoicingStatus, PriceLine, SuggestionSource
from tests.factories import (
    CompanyFactory,
    CustomerFactory,
    InvoicingSettingsFactory,
    PriceLineFactory,
    ProductFactory,
    TransportFactory,
)
from tests.invoicing.factories import ready_transport


def run_and_finalise(company):
    run, summary = services.invoice_run(company, Selection(), finalise=True)
    return run, summary


def messages(run):
    return [p["message"] for p in run.report["company_problems"] + run.report["problems"]]


def status_of(customer):
    return set(Invoice.objects.filter(customer=customer).values_list("status", flat=True))


def assert_only_other_invoiced(blocked_customer, ok_customer, blocked_transport):
    assert status_of(blocked_customer) == {InvoiceStatus.DRAFT}
    assert status_of(ok_customer) == {InvoiceStatus.FINALISED}
    blocked_transport.refresh_from_db()
    assert blocked_transport.invoicing_status == InvoicingStatus.NOT_INVOICED


@pytest.fixture
def good(company):
    customer = CustomerFactory(company=company, name="Good Customer BV")
    ready_transport(company, customer)
    return customer


def test_it_blocks_everything_when_no_provider_is_connected(company, good, today):
    InvoicingSettings.objects.filter(company=company).update(provider=Provider.NONE)
    run, summary = run_and_finalise(company)
    assert messages(run) == [
        "No invoicing platform is connected: connect your invoicing platform or choose the built-in provider in the invoicing settings."
    ]
    assert summary["finalised"] == 0
    assert status_of(good) == {InvoiceStatus.DRAFT}


def test_it_blocks_everything_when_the_catalog_has_no_active_product(company, good, today):
    from haulbill.catalog.models import Product

    Product.objects.filter(company=company).update(is_active=False)
    run, summary = run_and_finalise(company)
    assert "The product catalog is empty: add at least one active product (item code) before invoicing." in messages(
        run
    )
    assert summary["finalised"] == 0


def test_it_blocks_only_the_customer_with_a_price_line_without_item_code(company, good, today):
    bad = CustomerFactory(company=company, name="Bad Customer BV")
    transport = ready_transport(company, bad, reference="T-NOCODE")
    PriceLineFactory(transport=transport, description="Waiting time", product=None, unit_price=Decimal("40"))
    run, summary = run_and_finalise(company)
    # Two products, and no earlier "waiting" line for this customer: no item code can be decided for it.
    assert messages(run) == [
        "Transport T-NOCODE: the price line “Waiting time” has no item code, and none could be suggested: "
        "pick one on the transport page."
    ]
    assert run.report["problems"][0]["fix_url"] == f"/transports/{transport.pk}/"
    assert summary["finalised"] == 1
    assert_only_other_invoiced(bad, good, transport)


def test_it_passes_a_line_whose_item_code_was_suggested_and_invoices_it(company, today):
    customer = CustomerFactory(company=company)
    only = ProductFactory(company=company, item_code="ONLY-1")
    transport = ready_transport(company, customer, prod=only)
    line = PriceLineFactory(transport=transport, description="Waiting time", product=None, unit_price=Decimal("40"))
    run, summary = run_and_finalise(company)
    assert messages(run) == []
    assert summary["finalised"] == 1
    line.refresh_from_db()
    assert (line.product_id, line.suggestion_source) == (only.pk, SuggestionSource.ONLY_PRODUCT)
    invoice_line = InvoiceLine.objects.get(price_line=line)
    assert (invoice_line.item_code, invoice_line.vat_category) == ("ONLY-1", "S")


def test_it_fills_at_preflight_the_product_a_person_chose_since_for_the_same_kind_of_line(company, today):
    customer = CustomerFactory(company=company)
    freight = ProductFactory(company=company, item_code="FREIGHT")
    waiting = ProductFactory(company=company, item_code="WAIT")
    earlier = ready_transport(company, customer, prod=freight, reference="T-EARLIER", day=dt.date(2026, 10, 2))
    PriceLineFactory(transport=earlier, description="Waiting time at Gent", product=waiting)
    transport = ready_transport(company, customer, prod=freight, reference="T-NOW")
    line = PriceLineFactory(transport=transport, description="Waiting time at Liège", product=None)
    _batch, report = services.check_selection(company, Selection(dt.date(2026, 11, 1)))
    assert report.ok, report.as_json()
    line.refresh_from_db()
    assert (line.product_id, line.suggestion_source) == (waiting.pk, SuggestionSource.CUSTOMER_HISTORY)


def preflight_queries(company, transports):
    customer = CustomerFactory(company=company)
    only = ProductFactory(company=company)
    for n in range(transports):
        transport = ready_transport(company, customer, prod=only, reference=f"T-{n}")
        PriceLineFactory(transport=transport, description="Waiting time", product=None)
    with CaptureQueriesContext(connection) as queries:
        _batch, report = services.check_selection(company, Selection())
    assert report.ok and not PriceLine.objects.filter(company=company, product__isnull=True).exists()
    return len(queries)


def test_it_fills_suggestions_at_preflight_in_a_fixed_number_of_queries(company, today):
    few = preflight_queries(company, 2)
    other = CompanyFactory()
    InvoicingSettingsFactory(company=other)
    assert preflight_queries(other, 12) == few


def test_it_blocks_only_the_customer_whose_item_code_belongs_to_a_deactivated_product(company, good, today):
    bad = CustomerFactory(company=company, name="Bad Customer BV")
    old = ProductFactory(company=company, item_code="OLD-1", is_active=False)
    transport = ready_transport(company, bad, reference="T-OLD", prod=old)
    run, _ = run_and_finalise(company)
    assert messages(run) == [
        "Transport T-OLD: the item code OLD-1 of price line “Freight 1” belongs to a deactivated product. Choose an active product."
    ]
    assert_only_other_invoiced(bad, good, transport)


def test_it_blocks_only_the_customer_whose_item_code_is_unknown_to_the_catalog(company, good, today):
    bad = CustomerFactory(company=company, name="Bad Customer BV")
    stranger = ProductFactory(company=company, item_code="FOREIGN-9", provider="otherplatform")
    transport = ready_transport(company, bad, reference="T-UNKNOWN", prod=stranger)
    run, _ = run_and_finalise(company)
    assert messages(run) == [
        "Transport T-UNKNOWN: the item code FOREIGN-9 of price line “Freight 1” is not in the synchronised catalog. "
        "Synchronise the catalog or choose another product."
    ]
    assert_only_other_invoiced(bad, good, transport)


def test_it_blocks_only_the_customer_without_vat_regime_for_a_customer_level_product(company, good, today):
    bad = CustomerFactory(company=company, name="No Regime NV", vat_regime="")
    flexible = ProductFactory(company=company, item_code="NAT", vat_level=VatLevel.CUSTOMER, vat_rate=None)
    transport = ready_transport(company, bad, prod=flexible)
    run, _ = run_and_finalise(company)
    assert messages(run) == [
        "Customer No Regime NV has no VAT regime, but the product NAT takes its VAT from the customer: set the customer's VAT regime."
    ]
    assert run.report["problems"][0]["fix_url"] == f"/customers/{bad.pk}/"
    assert_only_other_invoiced(bad, good, transport)


def test_it_blocks_only_the_reverse_charge_customer_without_a_valid_vat_number(company, good, today):
    bad = CustomerFactory(
        company=company, name="Hollandia BV", country="NL", vat_regime=VatRegime.INTRA_EU, vat_number=""
    )
    flexible = ProductFactory(company=company, item_code="INT", vat_level=VatLevel.CUSTOMER, vat_rate=None)
    transport = ready_transport(company, bad, prod=flexible)
    run, _ = run_and_finalise(company)
    assert messages(run) == [
        "Customer Hollandia BV is invoiced under intra-EU reverse charge but has no valid VAT number of another EU "
        "country: enter its VAT number with the country prefix, e.g. NL004495445B01."
    ]
    assert_only_other_invoiced(bad, good, transport)


def test_it_blocks_only_the_customer_with_a_transport_without_price_lines(company, good, today):
    bad = CustomerFactory(company=company, name="Bad Customer BV")
    transport = TransportFactory(company=company, customer=bad, reference="T-EMPTY")
    run, _ = run_and_finalise(company)
    assert messages(run) == ["Transport T-EMPTY has no price lines: add its price before invoicing it."]
    assert status_of(good) == {InvoiceStatus.FINALISED}
    transport.refresh_from_db()
    assert transport.invoicing_status == InvoicingStatus.NOT_INVOICED


def test_it_blocks_only_the_customer_with_a_transport_totalling_zero(company, good, today):
    bad = CustomerFactory(company=company, name="Bad Customer BV")
    transport = ready_transport(company, bad, reference="T-ZERO", prices=("100.00", "-100.00"))
    run, _ = run_and_finalise(company)
    assert messages(run) == [
        "Transport T-ZERO totals 0.00 EUR: only a positive amount can be invoiced. Correct its price lines."
    ]
    assert_only_other_invoiced(bad, good, transport)


def test_it_holds_back_only_the_one_transport_of_a_customer_invoiced_per_transport(company, today):
    customer = CustomerFactory(company=company, invoice_per_transport=True)
    fine = ready_transport(company, customer, reference="T-FINE")
    broken = ready_transport(company, customer, reference="T-BROKEN")
    PriceLineFactory(transport=broken, product=None, description="Extra")
    _run, summary = run_and_finalise(company)
    assert summary["finalised"] == 1
    fine.refresh_from_db()
    broken.refresh_from_db()
    assert (fine.invoicing_status, broken.invoicing_status) == (InvoicingStatus.INVOICED, InvoicingStatus.NOT_INVOICED)


def test_it_only_checks_the_transports_of_the_selected_period(company, good, today):
    bad = CustomerFactory(company=company)
    TransportFactory(company=company, customer=bad, unloading_date=dt.date(2026, 10, 2))
    _batch, report = services.check_selection(company, Selection(dt.date(2026, 11, 1), dt.date(2026, 11, 30)))
    assert report.ok


# --- a remote platform (fake adapter): catalog, invoicing IDs, numbering --------------------------------------------


@pytest.fixture
def remote_good(company, remote_platform):
    customer = CustomerFactory(company=company, name="Linked Customer BV", invoicing_id="501")
    remote_platform.customers["501"] = "Linked Customer BV"
    ready_transport(company, customer, prod=ProductFactory(company=company, provider="billit"))
    return customer


def test_it_blocks_everything_when_the_remote_catalog_was_never_synchronised(
    company, remote_platform, remote_good, today
):
    from haulbill.catalog.models import Product

    Product.objects.filter(company=company).update(last_synced_at=None)
    run, summary = run_and_finalise(company)
    assert messages(run)[0] == (
        "The product catalog was never synchronised from Billit, or it is empty: synchronise it first."
    )
    assert summary["finalised"] == 0


def test_it_blocks_only_the_customer_without_invoicing_id(company, remote_platform, remote_good, today):
    bad = CustomerFactory(company=company, name="Unlinked NV", invoicing_id="")
    transport = ready_transport(company, bad, prod=ProductFactory(company=company, provider="billit"))
    run, _ = run_and_finalise(company)
    assert messages(run) == ["Customer Unlinked NV has no invoicing ID: link it to its customer in Billit."]
    assert_only_other_invoiced(bad, remote_good, transport)


def test_it_blocks_only_the_customer_whose_invoicing_id_the_platform_no_longer_knows(
    company, remote_platform, remote_good, today
):
    bad = CustomerFactory(company=company, name="Gone NV", invoicing_id="999")
    transport = ready_transport(company, bad, prod=ProductFactory(company=company, provider="billit"))
    run, _ = run_and_finalise(company)
    assert messages(run) == ["Customer Gone NV: its invoicing ID 999 is no longer known to Billit. Link it again."]
    assert_only_other_invoiced(bad, remote_good, transport)


def test_it_asks_the_platform_once_per_customer_of_the_selection_only(company, remote_platform, remote_good, today):
    for _ in range(5):
        ready_transport(company, remote_good, prod=ProductFactory(company=company, provider="billit"))
    CustomerFactory(company=company, invoicing_id="777")  # not in the selection
    services.check_selection(company, Selection())
    assert [c for c in remote_platform.calls if c.startswith("get_customer")] == ["get_customer:501"]


def test_it_blocks_everything_when_the_platform_key_is_refused(company, remote_platform, remote_good, today):
    remote_platform.key_valid = False
    run, summary = run_and_finalise(company)
    assert messages(run) == ["Billit no longer accepts the stored API key: paste a new key in the invoicing settings."]
    assert summary["finalised"] == 0


def test_it_stops_when_numbers_were_issued_on_the_platform_meanwhile(company, remote_platform, remote_good, today):
    remote_platform.next_invoice = "F-7"
    run, summary = run_and_finalise(company)
    assert messages(run) == [
        "Billit's next invoice number is F-7 but Haulbill's is 2026-00001: invoices were numbered in Billit meanwhile. "
        "Haulbill stops so that no number is used twice; align the numbering in the invoicing settings, then run again."
    ]
    assert summary["finalised"] == 0


def test_it_translates_the_problems_into_the_active_language(company, good, today):
    from django.utils import translation

    InvoicingSettings.objects.filter(company=company).update(provider=Provider.NONE)
    with translation.override("fr"):
        _batch, report = services.check_selection(company, Selection())
    assert report.company_problems[0].code == "provider_not_connected"
