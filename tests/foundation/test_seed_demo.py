from django.core.management import call_command
from stdnum.eu import vat

from haulbill.addressbook.models import Customer
from haulbill.catalog.models import Product
from haulbill.transports.models import PriceLine, Transport


def test_it_seeds_a_carrier_with_valid_customers_products_and_priced_transports(db):
    call_command("seed_demo", transports=200, verbosity=0)
    customers = Customer.objects.all()
    assert customers.count() == 50
    assert {c.country for c in customers} == {"BE", "FR", "NL"}
    assert all(vat.is_valid(c.vat_number) for c in customers)
    assert {p.name for p in Product.objects.all()} == {
        "National transport",
        "International transport",
        "Gas index",
        "Waiting hours",
    }
    assert Transport.objects.count() == 200
    assert Transport.objects.filter(status="done").count() > 150
    assert not Transport.objects.filter(price_lines=None).exists()
    assert PriceLine.objects.filter(unit_price__gt=0).count() == PriceLine.objects.count()


def test_it_adds_transports_without_duplicating_the_company_when_run_again(db):
    call_command("seed_demo", transports=10, verbosity=0)
    call_command("seed_demo", transports=10, verbosity=0)
    assert Customer.objects.count() == 50
    assert Transport.objects.count() == 20
    assert Transport.objects.values("reference").distinct().count() == 20
