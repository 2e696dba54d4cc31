"""What a company owns, for the cross-company page test: one of every kind of row, with a marker string.

A new page that shows a new kind of row adds a maker here; the test fails loudly for a detail page that no
object of company A can open, so a page cannot escape the check.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from haulbill.tenancy.models import Company
from tests.factories import CustomerFactory, PriceLineFactory, ProductFactory, TransportFactory

MARKER = "ZZSECRETMARKERZZ"

Maker = Callable[[Company, dict[str, Any]], None]
MAKERS: list[Maker] = []


def maker(fn: Maker) -> Maker:
    MAKERS.append(fn)
    return fn


@maker
def _basics(company: Company, made: dict[str, Any]) -> None:
    customer = CustomerFactory(company=company, name=f"{MARKER} Customer", invoicing_id="9901", invoicing_provider="billit")
    product = ProductFactory(company=company, name=f"{MARKER} Product", item_code=f"{MARKER}-P")
    transport = TransportFactory(company=company, customer=customer, reference=f"{MARKER}-T1")
    PriceLineFactory(transport=transport, product=product, description=f"{MARKER} line", unit_price=Decimal("100"))
    made.update(customer=customer, product=product, transport=transport)


def populate(company: Company) -> dict[str, Any]:
    made: dict[str, Any] = {}
    for fn in MAKERS:
        fn(company, made)
    return made
