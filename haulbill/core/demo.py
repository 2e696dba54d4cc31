"""Demo data: a Belgian carrier with customers, products and finished transports.

Deterministic (seeded random) so screenshots and tests see the same data; bulk inserts so 100,000 transports
take seconds, not minutes.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction

from haulbill.addressbook.models import Customer, VatRegime
from haulbill.catalog.models import Product, VatLevel
from haulbill.invoicing.models import InvoicingSettings, Provider
from haulbill.tenancy.models import Company, Membership, Role
from haulbill.transports.models import PriceLine, Transport, TransportStatus

DEMO_COMPANY = "Transports Demo NV"
DEMO_USERNAME = "admin"
DEMO_PASSWORD = "haulbill-demo"  # noqa: S105 - printed by `make demo`; the demo only listens on loopback
BATCH = 5_000

BE_CITIES = [
    ("2030", "Antwerpen"), ("9000", "Gent"), ("1000", "Brussel"), ("4000", "Liège"), ("8000", "Brugge"),
    ("3500", "Hasselt"), ("6000", "Charleroi"), ("5000", "Namur"), ("2800", "Mechelen"), ("3000", "Leuven"),
]  # fmt: skip
FR_CITIES = [("59000", "Lille"), ("75012", "Paris"), ("69007", "Lyon"), ("67000", "Strasbourg"), ("51100", "Reims")]
NL_CITIES = [
    ("3011", "Rotterdam"),
    ("5611", "Eindhoven"),
    ("4811", "Breda"),
    ("6211", "Maastricht"),
    ("1012", "Amsterdam"),
]
NAME_PARTS = [
    "Brouwerij", "Staalbouw", "Agri", "Logistiek", "Papier", "Chimie", "Meubelen", "Bouwmaterialen", "Textiel",
    "Voeding", "Verpakking", "Metaal", "Hout", "Plastics", "Granen", "Beton", "Glas", "Vinyl",
]  # fmt: skip
SUFFIXES = {"BE": ["NV", "BV", "SRL", "SA"], "FR": ["SARL", "SAS", "SA"], "NL": ["BV", "B.V.", "VOF"]}


def _be_with_check(seven: int) -> str:
    """A Belgian enterprise number 0xxxxxxxcc: the check digits are 97 - (first eight mod 97)."""
    first8 = f"0{seven:07d}"
    check = 97 - int(first8) % 97
    return f"{first8}{check:02d}"


def fr_vat(rng: random.Random) -> tuple[str, str]:
    digits = [rng.randint(0, 9) for _ in range(8)]
    # Luhn check digit for the SIREN
    total = 0
    for i, d in enumerate(reversed(digits)):
        v = d * 2 if i % 2 == 0 else d
        total += v - 9 if v > 9 else v
    siren = "".join(map(str, digits)) + str((10 - total % 10) % 10)
    key = (12 + 3 * (int(siren) % 97)) % 97
    return f"FR{key:02d}{siren}", siren


def nl_vat(rng: random.Random) -> str:
    while True:
        digits = [rng.randint(0, 9) for _ in range(8)]
        s = sum(d * (9 - i) for i, d in enumerate(digits)) % 11
        if s < 10:
            return "NL" + "".join(map(str, digits)) + str(s) + "B01"


@dataclass
class SeedResult:
    company: Company
    customers: int
    products: int
    transports: int
    price_lines: int


def seed_demo(
    *, transports: int = 300, customers: int = 50, seed: int = 2026, progress: Callable[[int, int], None] | None = None
) -> SeedResult:
    rng = random.Random(seed)
    with transaction.atomic():
        company = _company()
        _admin(company)
        InvoicingSettings.objects.update_or_create(
            company=company, defaults={"extension_enabled": True, "provider": Provider.NONE}
        )
        customer_rows = _customers(company, rng, customers)
        products = _products(company)
    made_transports, made_lines = _transports(company, rng, customer_rows, products, transports, progress)
    return SeedResult(company, len(customer_rows), len(products), made_transports, made_lines)


def _company() -> Company:
    company, _ = Company.objects.get_or_create(
        legal_name=DEMO_COMPANY,
        defaults={
            "legal_form": "NV",
            "enterprise_number": "0477472701",
            "vat_number": "BE0477472701",
            "register": "RPR Antwerpen, afdeling Antwerpen",
            "street": "Noorderlaan 147",
            "postcode": "2030",
            "city": "Antwerpen",
            "country": "BE",
            "iban": "BE71096123456769",
            "bic": "GKCCBEBB",
            "email": "facturatie@transports-demo.example",
            "phone": "+32 3 123 45 67",
            "language": "en",
        },
    )
    return company


def _admin(company: Company) -> None:
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(
        username=DEMO_USERNAME, defaults={"email": "admin@transports-demo.example", "is_staff": True}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    Membership.objects.get_or_create(user=user, company=company, defaults={"role": Role.ADMIN})


def _customers(company: Company, rng: random.Random, count: int) -> list[Customer]:
    existing = list(Customer.objects.for_company(company).order_by("id"))
    if len(existing) >= count:
        return existing
    rows = []
    for i in range(len(existing), count):
        country = "BE" if i % 10 < 6 else ("FR" if i % 10 < 8 else "NL")
        postcode, city = rng.choice({"BE": BE_CITIES, "FR": FR_CITIES, "NL": NL_CITIES}[country])
        name = f"{rng.choice(NAME_PARTS)} {city} {rng.choice(SUFFIXES[country])}"
        if country == "BE":
            enterprise = _be_with_check(rng.randint(2_000_000, 9_999_999))
            vat = f"BE{enterprise}"
            regime = VatRegime.DOMESTIC
            language = rng.choice(["nl", "fr"])
        elif country == "FR":
            vat, enterprise = fr_vat(rng)
            regime = VatRegime.INTRA_EU
            language = "fr"
        else:
            vat, enterprise = nl_vat(rng), ""
            regime = VatRegime.INTRA_EU
            language = "nl"
        customer = Customer(
            company=company,
            reference=f"C{i + 1:04d}",
            name=name,
            vat_number=vat,
            enterprise_number=enterprise,
            street=f"{rng.choice(['Industrieweg', 'Rue de la Gare', 'Havenstraat', 'Kanaalweg'])} {rng.randint(1, 250)}",
            postcode=postcode,
            city=city,
            country=country,
            email=f"invoices{i + 1}@customer.example",
            language=language,
            vat_regime=regime,
            payment_delay_days=rng.choice([None, None, None, 15, 45, 60]),
        )
        customer.fill_derived_numbers()
        rows.append(customer)
    Customer.objects.bulk_create(rows)
    return list(Customer.objects.for_company(company).order_by("id"))


PRODUCTS = [
    ("NAT", "National transport", "C62", Decimal("450.00"), Decimal("21"), VatLevel.CUSTOMER, False),
    ("INT", "International transport", "C62", Decimal("1250.00"), None, VatLevel.CUSTOMER, False),
    ("GAS", "Gas index", "C62", Decimal("0.00"), None, VatLevel.CUSTOMER, True),
    ("WAIT", "Waiting hours", "HUR", Decimal("55.00"), None, VatLevel.CUSTOMER, False),
]


def _products(company: Company) -> dict[str, Product]:
    out = {}
    for code, name, unit, price, rate, level, fuel in PRODUCTS:
        product, _ = Product.objects.get_or_create(
            company=company,
            item_code=code,
            defaults={
                "provider": "demo",
                "name": name,
                "unit": unit,
                "unit_price": price,
                "vat_rate": rate,
                "vat_level": level,
                "is_fuel_surcharge": fuel,
            },
        )
        out[code] = product
    return out


def _transports(
    company: Company,
    rng: random.Random,
    customers: list[Customer],
    products: dict[str, Product],
    count: int,
    progress: Callable[[int, int], None] | None,
) -> tuple[int, int]:
    start = Transport.objects.for_company(company).count()
    made_lines = 0
    today = dt.date(2026, 11, 20)
    for batch_start in range(0, count, BATCH):
        size = min(BATCH, count - batch_start)
        with transaction.atomic():
            transports = []
            for n in range(size):
                number = start + batch_start + n + 1
                customer = customers[rng.randrange(len(customers))]
                loading = today - dt.timedelta(days=rng.randint(1, 60))
                home = rng.choice(BE_CITIES)[1]
                transports.append(
                    Transport(
                        company=company,
                        customer=customer,
                        reference=f"T{loading:%y%m}-{number:06d}",
                        loading_place=home,
                        loading_date=loading,
                        unloading_place=customer.city,
                        unloading_date=loading + dt.timedelta(days=rng.choice([0, 1, 1, 2])),
                        weight_kg=Decimal(rng.randint(800, 24_000)),
                        distance_km=Decimal(rng.randint(20, 900)),
                        status=TransportStatus.DONE if rng.random() < 0.92 else TransportStatus.PLANNED,
                    )
                )
            created = Transport.objects.bulk_create(transports)
            lines = []
            for t in created:
                international = t.customer.country != "BE"
                base = products["INT" if international else "NAT"]
                price = Decimal(rng.randint(280, 1900)).quantize(Decimal("1")) + Decimal(
                    rng.choice(["0", "0.50", "0.25"])
                )
                lines.append(
                    PriceLine(
                        company=company,
                        transport=t,
                        position=1,
                        product=base,
                        unit="C62",
                        quantity=Decimal("1"),
                        unit_price=price,
                        description=f"Transport {t.loading_place} → {t.unloading_place}",
                    )
                )
                if rng.random() < 0.3:
                    lines.append(
                        PriceLine(
                            company=company,
                            transport=t,
                            position=2,
                            product=products["WAIT"],
                            unit="HUR",
                            quantity=Decimal(rng.choice(["0.5", "1", "1.5", "2", "3"])),
                            unit_price=Decimal("55.00"),
                            description="Waiting hours at unloading",
                        )
                    )
                if rng.random() < 0.02:
                    # A line the TMS sent without an item code: the pre-flight shows where to fix it.
                    lines.append(
                        PriceLine(
                            company=company,
                            transport=t,
                            position=3,
                            product=None,
                            unit="C62",
                            quantity=Decimal("1"),
                            unit_price=Decimal("35.00"),
                            description="Tail-lift surcharge",
                        )
                    )
            PriceLine.objects.bulk_create(lines)
            made_lines += len(lines)
        if progress:
            progress(batch_start + size, count)
    return count, made_lines
