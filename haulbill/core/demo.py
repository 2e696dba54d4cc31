"""Demo data: a Belgian carrier with customers, products and finished transports, ready for the journey of
`make demo`: enable the invoicing extension, connect the Billit sandbox, synchronise the catalog, link the
address book, fix the one price line without item code the pre-flight reports, invoice, credit.

The data is shaped after what `billit_sandbox` seeds for its demo company (PartyID 100001): the first customers
are the sandbox's four customers (one already linked, two found by VAT number, one only by a similar name, so it
waits as a proposal), and the products are the sandbox's catalog items, as the TMS already uses them, so the
catalog synchronisation recognises them by their Billit ProductID. Deterministic (seeded random) so screenshots
and tests see the same data; bulk inserts so 100,000 transports take seconds, not minutes.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from haulbill.addressbook.models import Customer, VatRegime
from haulbill.catalog.models import Product, VatLevel
from haulbill.invoicing.models import InvoicingSettings, Provider
from haulbill.tenancy.models import Company, Membership, Role
from haulbill.transports.models import PriceLine, Transport, TransportStatus

DEMO_COMPANY = "Transports Demo NV"
DEMO_USERNAME = "admin"
DEMO_PASSWORD = "haulbill-demo"  # noqa: S105 - printed by `make demo`; the demo only listens on loopback
BATCH = 5_000
# The one price line the TMS sent without item code: no product can be suggested for it (several products, and
# no earlier transport of this customer had such a line), so the pre-flight reports it and a person picks one.
UNCODED_LINE = "Extra waiting at the Zeebrugge terminal"
VERIFIED_SHARE = 0.75

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
        # The journey starts by enabling the extension (the demo admin is platform staff) and connecting Billit.
        InvoicingSettings.objects.get_or_create(
            company=company, defaults={"extension_enabled": False, "provider": Provider.NONE}
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


# The Billit sandbox's customers of its demo company, as this carrier's TMS knows them (PartyIDs 200001-200004).
JOURNEY_CUSTOMERS: list[dict[str, object]] = [
    # Linked earlier: it already carries its Billit PartyID.
    {"name": "Logistiek Vlaanderen NV", "vat_number": "BE0765432146", "street": "Industrieweg 44", "postcode": "9000",
     "city": "Gent", "country": "BE", "language": "nl", "vat_regime": VatRegime.DOMESTIC, "invoicing_id": "200001"},
    # No VAT number in the TMS: only the name and postcode match, so linking proposes it for review.
    {"name": "Brasserie Wallonne SPRL", "vat_number": "", "street": "Chaussée de Namur 3", "postcode": "5000",
     "city": "Namur", "country": "BE", "language": "fr", "vat_regime": VatRegime.DOMESTIC},
    # Same VAT number as in Billit: linked at once by "Find matches".
    {"name": "Transports Lyonnais SARL", "vat_number": "FR44732829320", "street": "Quai Perrache 18",
     "postcode": "69002", "city": "Lyon", "country": "FR", "language": "fr", "vat_regime": VatRegime.INTRA_EU},
    {"name": "Rotterdam Cargo BV", "vat_number": "NL853746333B01", "street": "Waalhaven Zuidzijde 21",
     "postcode": "3089 JH", "city": "Rotterdam", "country": "NL", "language": "nl", "vat_regime": VatRegime.INTRA_EU},
]  # fmt: skip


def _journey_customer(company: Company, index: int) -> Customer:
    fields = dict(JOURNEY_CUSTOMERS[index])
    invoicing_id = str(fields.pop("invoicing_id", ""))
    customer = Customer(
        company=company,
        reference=f"C{index + 1:04d}",
        email=f"invoices{index + 1}@customer.example",
        invoicing_provider=Provider.BILLIT if invoicing_id else "",
        invoicing_id=invoicing_id,
        **fields,  # type: ignore[arg-type]
    )
    customer.fill_derived_numbers()
    return customer


def _customers(company: Company, rng: random.Random, count: int) -> list[Customer]:
    existing = list(Customer.objects.for_company(company).order_by("id"))
    if len(existing) >= count:
        return existing
    rows = []
    for i in range(len(existing), count):
        if i < len(JOURNEY_CUSTOMERS):
            rows.append(_journey_customer(company, i))
            continue
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


# The items of the Billit sandbox's catalog the transports use, with their Billit ProductIDs: the first catalog
# synchronisation recognises them (and adds the sandbox's GAS-IDX), after which the pre-flight accepts them.
PRODUCTS = [
    ("TR-NAT", "300001", "National transport", "C62", Decimal("450.00"), Decimal("21"), VatLevel.PRODUCT),
    ("TR-INT", "300002", "International transport", "C62", Decimal("1250.00"), None, VatLevel.CUSTOMER),
    ("WAIT-H", "300004", "Waiting hours", "HUR", Decimal("55.00"), Decimal("21"), VatLevel.PRODUCT),
]


def _products(company: Company) -> dict[str, Product]:
    out = {}
    for code, remote_id, name, unit, price, rate, level in PRODUCTS:
        product, _ = Product.objects.get_or_create(
            company=company,
            item_code=code,
            defaults={
                "provider": Provider.BILLIT,
                "provider_product_id": remote_id,
                "name": name,
                "unit": unit,
                "unit_price": price,
                "vat_rate": rate,
                "vat_level": level,
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
    now = timezone.now()
    for batch_start in range(0, count, BATCH):
        size = min(BATCH, count - batch_start)
        with transaction.atomic():
            transports = []
            for n in range(size):
                number = start + batch_start + n + 1
                customer = customers[rng.randrange(len(customers))]
                loading = today - dt.timedelta(days=rng.randint(1, 60))
                home = rng.choice(BE_CITIES)[1]
                done = rng.random() < 0.92
                verified = done and rng.random() < VERIFIED_SHARE
                if number == 1:
                    # The transport carrying the line without item code: done, verified, of a linked customer.
                    customer, done, verified = customers[0], True, True
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
                        status=TransportStatus.DONE if done else TransportStatus.PLANNED,
                        verified_at=now if verified else None,
                    )
                )
            created = Transport.objects.bulk_create(transports)
            lines = []
            for t in created:
                international = t.customer.country != "BE"
                base = products["TR-INT" if international else "TR-NAT"]
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
                            product=products["WAIT-H"],
                            unit="HUR",
                            quantity=Decimal(rng.choice(["0.5", "1", "1.5", "2", "3"])),
                            unit_price=Decimal("55.00"),
                            description="Waiting hours at unloading",
                        )
                    )
                if t.reference.endswith("-000001"):
                    # The line the TMS sent without an item code: the pre-flight shows where to fix it.
                    lines.append(
                        PriceLine(
                            company=company,
                            transport=t,
                            position=3,
                            product=None,
                            unit="HUR",
                            quantity=Decimal("1.5"),
                            unit_price=Decimal("55.00"),
                            description=UNCODED_LINE,
                        )
                    )
            PriceLine.objects.bulk_create(lines)
            made_lines += len(lines)
        if progress:
            progress(batch_start + size, count)
    return count, made_lines
