"""Realistic sample documents of a Belgian road carrier, for the benchmark, tests and demos.

The identifiers are well-formed (valid check digits) but belong to nobody in particular.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from haulbill.einvoice.document import (
    DocumentKind,
    EDocument,
    Line,
    Party,
    Payment,
    VatCategory,
    endpoint_for,
    structured_reference,
)


def party(
    name: str,
    country: str,
    *,
    vat_number: str = "",
    enterprise_number: str = "",
    street: str = "Rue de la Station 12",
    city: str = "Namur",
    postcode: str = "5000",
    email: str = "",
    gln: str = "",
) -> Party:
    return Party(
        name=name,
        country=country,
        endpoint=endpoint_for(country, vat_number, enterprise_number, gln=gln),
        street=street,
        city=city,
        postcode=postcode,
        vat_number=vat_number,
        enterprise_number=enterprise_number,
        email=email,
    )


CARRIER = party(
    "Transports Meuse & Fils SRL",
    "BE",
    vat_number="BE0477472701",
    enterprise_number="0477.472.701",
    email="facturation@meuse-transports.be",
)
BELGIAN_CUSTOMER = party(
    "Brouwerij De Leeuw NV",
    "BE",
    vat_number="BE0403170701",
    street="Kaai 4",
    city="Gent",
    postcode="9000",
)
DUTCH_CUSTOMER = party(
    "Veiling Holland B.V.",
    "NL",
    vat_number="NL853746333B01",
    street="Havenweg 9",
    city="Rotterdam",
    postcode="3011 AA",
)
FRENCH_CUSTOMER = party(
    "Logistique du Nord SAS",
    "FR",
    vat_number="FR40303265045",
    enterprise_number="303265045",
    street="12 rue des Docks",
    city="Lille",
    postcode="59000",
)
SWISS_CUSTOMER = party(
    "Alpen Spedition AG",
    "CH",
    vat_number="CHE-116.281.710 MWST",
    street="Bahnhofstrasse 1",
    city="Basel",
    postcode="4051",
)

TRANSPORT_LINES = (
    ("Transport Liège - Antwerpen, full truck", "C62", Decimal("1"), Decimal("485.00")),
    ("Kilometres beyond the flat rate", "KMT", Decimal("132.5"), Decimal("1.35")),
    ("Waiting time at loading dock", "HUR", Decimal("2.25"), Decimal("48.50")),
    ("Bulk grain, per tonne", "TNE", Decimal("24.380"), Decimal("11.2500")),
    ("Tonne-kilometres", "TKM", Decimal("3120.4"), Decimal("0.0875")),
    ("Trailer rental", "DAY", Decimal("3"), Decimal("95")),
)


def transport_lines(
    count: int,
    category: VatCategory = VatCategory.STANDARD,
    rate: Decimal = Decimal("21"),
) -> tuple[Line, ...]:
    lines = []
    for index in range(count):
        name, unit, quantity, price = TRANSPORT_LINES[index % len(TRANSPORT_LINES)]
        lines.append(
            Line(
                id=str(index + 1),
                name=name,
                quantity=quantity,
                unit_code=unit,
                unit_price=price,
                vat_category=category,
                vat_rate=rate,
                description=f"CMR {2026_000 + index}, order T-{index + 1:04d}",
                item_code=f"TR-{unit}",
            )
        )
    return tuple(lines)


def sample_invoice(line_count: int = 10, *, number: str = "F2026-000123") -> EDocument:
    """A domestic Belgian invoice at 21% with `line_count` transport lines."""
    return EDocument(
        kind=DocumentKind.INVOICE,
        number=number,
        issue_date=date(2026, 3, 31),
        due_date=date(2026, 4, 30),
        delivery_date=date(2026, 3, 28),
        seller=CARRIER,
        buyer=BELGIAN_CUSTOMER,
        lines=transport_lines(line_count),
        buyer_reference="PO 4500012345",
        payment=Payment(
            iban="BE71 0961 2345 6769",
            bic="GKCCBEBB",
            reference=structured_reference(2026000123),
        ),
        payment_terms="Payable within 30 days - Payable à 30 jours - Betaalbaar binnen 30 dagen",
    )
