import time

from django.core.management import call_command
from stdnum.eu import vat

from haulbill.addressbook.models import Customer
from haulbill.catalog.models import Product
from haulbill.core.demo import UNCODED_LINE
from haulbill.invoicing.models import InvoicingSettings
from haulbill.tenancy.models import Company
from haulbill.transports.models import PriceLine, Transport


def test_it_seeds_a_carrier_with_valid_customers_products_and_priced_transports(db):
    call_command("seed_demo", transports=200, verbosity=0)
    customers = Customer.objects.all()
    assert customers.count() == 50
    assert {c.country for c in customers} == {"BE", "FR", "NL"}
    assert all(vat.is_valid(c.vat_number) for c in customers if c.vat_number)
    assert {p.item_code for p in Product.objects.all()} == {"TR-NAT", "TR-INT", "WAIT-H"}
    assert Transport.objects.count() == 200
    assert Transport.objects.filter(status="done").count() > 150
    assert not Transport.objects.filter(price_lines=None).exists()
    assert PriceLine.objects.filter(unit_price__gt=0).count() == PriceLine.objects.count()


def test_it_leaves_the_journey_ready_to_try(db):
    call_command("seed_demo", transports=200, verbosity=0)
    settings = InvoicingSettings.objects.get()
    assert not settings.extension_enabled  # the journey starts by enabling it
    done = Transport.objects.filter(status="done")
    assert 0 < done.filter(verified_at__isnull=False).count() < done.count()
    linked = Customer.objects.exclude(invoicing_id="")
    assert list(linked.values_list("name", flat=True)) == ["Logistiek Vlaanderen NV"]
    # The sandbox's other customers: two found by VAT number, one only by its name (a proposal to review).
    assert Customer.objects.filter(vat_number__in=["FR44732829320", "NL853746333B01"]).count() == 2
    assert Customer.objects.filter(name="Brasserie Wallonne SPRL", vat_number="").exists()
    [uncoded] = PriceLine.objects.filter(product=None)
    assert uncoded.description == UNCODED_LINE
    assert uncoded.transport.verified_at is not None
    assert uncoded.transport.customer.invoicing_id
    # The TMS's items are the Billit sandbox's, recognised by their ProductID at the first synchronisation.
    assert set(Product.objects.values_list("provider", "provider_product_id")) == {
        ("billit", "300001"),
        ("billit", "300002"),
        ("billit", "300004"),
    }


def test_it_adds_transports_without_duplicating_the_company_when_run_again(db):
    call_command("seed_demo", transports=10, verbosity=0)
    call_command("seed_demo", transports=10, verbosity=0)
    assert Customer.objects.count() == 50
    assert Transport.objects.count() == 20
    assert Transport.objects.values("reference").distinct().count() == 20
    assert PriceLine.objects.filter(product=None).count() == 1


def test_it_does_nothing_quickly_when_the_demo_exists_and_if_empty_is_given(db):
    call_command("seed_demo", transports=10, verbosity=0)
    started = time.perf_counter()
    call_command("seed_demo", "--if-empty", transports=10, verbosity=0)
    assert time.perf_counter() - started < 1
    assert Company.objects.count() == 1
    assert Transport.objects.count() == 10
