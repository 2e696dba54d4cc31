from decimal import Decimal

import pytest
from django.core.management import call_command

from billit_sandbox.seed import DEMO_COMPANY_ID, DEMO_KEY
from haulbill.catalog.models import Product, VatLevel
from haulbill.catalog.services import start_catalog_sync, sync_catalog
from haulbill.core.errors import HaulbillError
from haulbill.core.models import JobStatus
from haulbill.providers import services as connection_services
from tests.factories import PriceLineFactory
from tests.providers.fixtures import billit_write


def products(company):
    return {p.item_code: p for p in Product.objects.for_company(company)}


def test_it_imports_the_billit_catalog_with_prices_units_and_vat(billit_company):
    result = sync_catalog(billit_company)
    assert sorted(result.added) == ["GAS-IDX", "TR-INT", "TR-NAT", "WAIT-H"]
    catalog = products(billit_company)
    national = catalog["TR-NAT"]
    assert national.name == "National transport"
    assert national.unit_price == Decimal("450.00")
    assert national.vat_rate == Decimal("21.00") and national.vat_level == VatLevel.PRODUCT
    assert national.provider == "billit" and national.provider_product_id
    assert catalog["WAIT-H"].unit == "HUR"


def test_it_marks_a_product_without_vat_rate_as_vat_on_the_customer(billit_company):
    sync_catalog(billit_company)
    international = products(billit_company)["TR-INT"]
    assert international.vat_level == VatLevel.CUSTOMER
    assert international.vat_rate is None


def test_a_second_synchronisation_reports_no_change(billit_company):
    sync_catalog(billit_company)
    again = sync_catalog(billit_company)
    assert not again.has_changes
    assert again.unchanged == 4
    assert Product.objects.for_company(billit_company).count() == 4


def test_it_reports_what_changed_in_billit_between_two_synchronisations(billit_company, billit, billit_sandbox):
    sync_catalog(billit_company)
    national = next(p for p in billit.list_products() if p.reference == "TR-NAT")
    billit_write(billit_sandbox, "/v1/products", {"ProductID": national.product_id, "AmountExcl": Decimal("475.50")})
    billit_write(
        billit_sandbox,
        "/v1/products",
        {
            "Reference": "ADR",
            "Description": "ADR surcharge",
            "AmountExcl": Decimal("35"),
            "VAT": Decimal("21"),
            "Unit": "C62",
        },
    )
    result = sync_catalog(billit_company)
    assert result.added == ["ADR"]
    assert result.changed == ["TR-NAT"]
    assert products(billit_company)["TR-NAT"].unit_price == Decimal("475.50")
    assert not result.deactivated


def test_it_deactivates_a_product_removed_from_billit_and_keeps_its_price_lines(company, own_sandbox):
    connection_services.connect_billit(company, api_key=DEMO_KEY, environment="custom", base_url=own_sandbox.base_url)
    sync_catalog(company)
    waiting = products(company)["WAIT-H"]
    line = PriceLineFactory(transport__company=company, product=waiting)
    own_sandbox.sandbox.store.delete("product", DEMO_COMPANY_ID, int(waiting.provider_product_id))

    result = sync_catalog(company)

    assert result.deactivated == ["WAIT-H"]
    waiting.refresh_from_db()
    line.refresh_from_db()
    assert not waiting.is_active and line.product_id == waiting.pk


def test_it_reactivates_a_product_that_comes_back(company, own_sandbox):
    connection_services.connect_billit(company, api_key=DEMO_KEY, environment="custom", base_url=own_sandbox.base_url)
    sync_catalog(company)
    waiting = products(company)["WAIT-H"]
    store = own_sandbox.sandbox.store
    saved = store.get("product", DEMO_COMPANY_ID, int(waiting.provider_product_id))
    store.delete("product", DEMO_COMPANY_ID, int(waiting.provider_product_id))
    sync_catalog(company)
    store.put("product", DEMO_COMPANY_ID, int(waiting.provider_product_id), saved)
    result = sync_catalog(company)
    assert result.reactivated == ["WAIT-H"]
    assert products(company)["WAIT-H"].is_active


def test_it_reads_every_page_of_a_large_catalog(billit_company, billit_sandbox):
    for n in range(130):  # Billit pages by 120
        billit_write(
            billit_sandbox,
            "/v1/products",
            {"Reference": f"X{n:03d}", "Description": f"Extra {n}", "AmountExcl": Decimal("1"), "VAT": Decimal("6")},
        )
    result = sync_catalog(billit_company)
    assert len(result.added) == 134


def test_it_changes_nothing_when_billit_fails_midway(billit_company, billit_sandbox):
    billit_sandbox.fail_next("500", method="GET", path="/v1/products", count=10)
    with pytest.raises(HaulbillError):
        sync_catalog(billit_company)
    assert not Product.objects.for_company(billit_company).exists()


def test_it_says_to_connect_first(company):
    from haulbill.invoicing.models import Provider, settings_for

    inv = settings_for(company)
    inv.provider = Provider.BILLIT
    inv.save()
    with pytest.raises(HaulbillError) as caught:
        sync_catalog(company)
    assert "Settings › Extensions › Invoicing" in caught.value.message


def test_it_runs_as_a_job_with_its_result(billit_company, admin_membership):
    job = start_catalog_sync(billit_company, user=admin_membership.user)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert len(job.result["added"]) == 4
    assert job.percent == 100


def test_the_command_prints_a_summary(billit_company, capsys):
    call_command("sync_catalog", "--company", str(billit_company.pk))
    out = capsys.readouterr().out
    assert "4 added" in out


def test_it_never_touches_another_company_catalog(billit_company, other_company):
    from tests.factories import ProductFactory

    theirs = ProductFactory(company=other_company, provider="billit", provider_product_id="300001")
    sync_catalog(billit_company)
    theirs.refresh_from_db()
    assert theirs.is_active and theirs.name == "National transport"
    assert Product.objects.for_company(other_company).count() == 1
