"""A customer under a fuel clause, with a transport and its waiting time, in one call."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from haulbill.fuel import services
from haulbill.fuel.models import FuelClause, FuelIndexSeries
from tests.factories import CustomerFactory, PriceLineFactory, ProductFactory, TransportFactory


def setup_clause(
    company: Any, *, month_value: str | None = "1.8234", allow_negative: bool = False, units: str = ""
) -> dict[str, Any]:
    series = FuelIndexSeries.objects.create(company=company, name="Diesel index")
    if month_value is not None:
        services.set_value(company, series, dt.date(2026, 11, 1), Decimal(month_value))
    freight = ProductFactory(company=company, item_code="TRANSPORT")
    waiting = ProductFactory(company=company, item_code="WAIT", unit="HUR")
    gas = ProductFactory(company=company, item_code="GAS", name="Gas index", is_fuel_surcharge=True)
    customer = CustomerFactory(company=company)
    clause = FuelClause(
        customer=customer, series=series, reference_value=Decimal("1.6500"), fuel_share=Decimal("30"),
        surcharge_product=gas, allow_negative=allow_negative, base_units=units,
    )  # fmt: skip
    services.save_clause(company, clause, [freight] if not units else [])
    transport = TransportFactory(company=company, customer=customer, unloading_date=dt.date(2026, 11, 4))
    PriceLineFactory(transport=transport, product=freight, description="Transport", unit_price=Decimal("1000.00"))
    PriceLineFactory(transport=transport, product=waiting, description="Waiting hours", unit="HUR",
                     quantity=Decimal("2"), unit_price=Decimal("50.00"))  # fmt: skip
    return {"series": series, "clause": clause, "transport": transport, "customer": customer, "gas": gas,
            "freight": freight, "waiting": waiting}  # fmt: skip


def surcharge_lines(transport: Any) -> list[Any]:
    return list(transport.price_lines.filter(is_fuel_surcharge=True))
