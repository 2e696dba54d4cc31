"""Helpers for the invoicing tests: transports ready to invoice, in one call."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from haulbill.catalog.models import Product
from haulbill.transports.models import Transport
from tests.factories import CustomerFactory, PriceLineFactory, ProductFactory, TransportFactory


def product(company: Any, **kwargs: Any) -> Product:
    return ProductFactory(company=company, **kwargs)


def ready_transport(
    company: Any,
    customer: Any = None,
    *,
    prices: tuple[str, ...] = ("100.00",),
    quantity: str = "1",
    prod: Product | None = None,
    day: dt.date = dt.date(2026, 11, 4),
    **kwargs: Any,
) -> Transport:
    """A done, not invoiced transport with one price line per price, all on the same product."""
    customer = customer or CustomerFactory(company=company)
    transport = TransportFactory(company=company, customer=customer, unloading_date=day, **kwargs)
    prod = prod or ProductFactory(company=company)
    for position, price in enumerate(prices, start=1):
        PriceLineFactory(
            transport=transport,
            position=position,
            description=f"Freight {position}",
            quantity=Decimal(quantity),
            unit_price=Decimal(price),
            product=prod,
        )
    return transport
