"""factory-boy factories for the domain; valid Belgian VAT/enterprise numbers by construction."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from haulbill.addressbook.models import Customer, VatRegime
from haulbill.catalog.models import Product, VatLevel
from haulbill.invoicing.models import InvoicingSettings, Provider
from haulbill.tenancy.models import Company, Membership, Role
from haulbill.transports.models import PriceLine, Transport, TransportStatus


def belgian_enterprise_number(seed: int) -> str:
    """10 digits starting with 0 (as KBO/BCE numbers do), the last two = 97 - (first 8 mod 97): valid for
    python-stdnum, Customer.clean and PEPPOL-COMMON-R043."""
    base = 1_000_000 + (seed * 7919) % 8_999_999
    check = 97 - base % 97
    return f"{base:08d}{check:02d}"


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    legal_name = factory.Sequence(lambda n: f"Transports Janssens {n} NV")
    legal_form = "NV"
    enterprise_number = factory.Sequence(lambda n: belgian_enterprise_number(n + 500))
    vat_number = factory.LazyAttribute(lambda o: f"BE{o.enterprise_number}")
    street = "Havenlaan 12"
    postcode = "2030"
    city = "Antwerpen"
    country = "BE"
    iban = "BE71096123456769"
    bic = "GKCCBEBB"
    email = "facturatie@janssens.example"
    language = "nl"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def _save(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            self.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    company = factory.SubFactory(CompanyFactory)
    role = Role.ADMIN


class InvoicingSettingsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InvoicingSettings
        django_get_or_create = ("company",)

    company = factory.SubFactory(CompanyFactory)
    extension_enabled = True
    provider = Provider.BUILTIN


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    company = factory.SubFactory(CompanyFactory)
    reference = factory.Sequence(lambda n: f"C{n:05d}")
    name = factory.Sequence(lambda n: f"Brouwerij De Kroon {n} BV")
    enterprise_number = factory.Sequence(lambda n: belgian_enterprise_number(n + 10_000))
    vat_number = factory.LazyAttribute(lambda o: f"BE{o.enterprise_number}")
    street = "Kerkstraat 1"
    postcode = "9000"
    city = "Gent"
    country = "BE"
    email = factory.Sequence(lambda n: f"ap{n}@kroon.example")
    language = "nl"
    vat_regime = VatRegime.DOMESTIC
    peppol_identifier = factory.LazyAttribute(lambda o: f"0208:{o.enterprise_number}")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    company = factory.SubFactory(CompanyFactory)
    provider = "builtin"
    provider_product_id = factory.Sequence(lambda n: str(1000 + n))
    item_code = factory.Sequence(lambda n: f"TR-{n:03d}")
    name = "National transport"
    unit = "C62"
    unit_price = Decimal("450.00")
    vat_rate = Decimal("21.00")
    vat_level = VatLevel.PRODUCT
    is_active = True
    last_synced_at = factory.LazyFunction(lambda: dt.datetime(2026, 11, 1, tzinfo=dt.UTC))


class TransportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Transport

    company = factory.SubFactory(CompanyFactory)
    customer = factory.SubFactory(CustomerFactory, company=factory.SelfAttribute("..company"))
    reference = factory.Sequence(lambda n: f"T2026-{n:06d}")
    loading_place = "Antwerpen"
    loading_date = dt.date(2026, 11, 3)
    unloading_place = "Liège"
    unloading_date = dt.date(2026, 11, 4)
    status = TransportStatus.DONE
    # A finished transport in tests is a verified one (the invoicing gate); planned ones are not.
    verified_at = factory.LazyAttribute(
        lambda o: dt.datetime(2026, 11, 5, 8, 0, tzinfo=dt.UTC) if o.status == TransportStatus.DONE else None
    )


class PriceLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PriceLine

    transport = factory.SubFactory(TransportFactory)
    company = factory.SelfAttribute("transport.company")
    description = "Transport Antwerpen → Liège"
    quantity = Decimal("1")
    unit = "C62"
    unit_price = factory.LazyFunction(lambda: Decimal(random.choice(["350.00", "420.50", "615.75"])))
    product = factory.SubFactory(ProductFactory, company=factory.SelfAttribute("..company"))
