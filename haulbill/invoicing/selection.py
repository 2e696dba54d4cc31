"""Which transports a run invoices, loaded in a fixed number of queries whatever their number.

The pre-flight and the drafting both work on a `Batch`: plain records read with `.values()` (no model instances
for 50,000 price lines), so a run of 10,000 transports costs the same queries as a run of ten.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import F, QuerySet
from django.db.models.functions import Coalesce

from haulbill.addressbook.models import Customer
from haulbill.catalog.models import Product
from haulbill.tenancy.models import Company
from haulbill.transports.models import InvoicingStatus, PriceLine, Transport, TransportStatus

from .totals import line_amount


@dataclass(frozen=True)
class Selection:
    """The user's choice: a period of service dates and/or some customers; nothing set means everything."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    customer_ids: tuple[int, ...] = ()

    def as_params(self) -> dict[str, Any]:
        return {
            "date_from": self.date_from.isoformat() if self.date_from else None,
            "date_to": self.date_to.isoformat() if self.date_to else None,
            "customer_ids": list(self.customer_ids),
        }

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> Selection:
        return cls(
            dt.date.fromisoformat(params["date_from"]) if params.get("date_from") else None,
            dt.date.fromisoformat(params["date_to"]) if params.get("date_to") else None,
            tuple(int(c) for c in params.get("customer_ids") or ()),
        )


@dataclass(slots=True)
class LineRow:
    id: int
    transport_id: int
    position: int
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    product_id: int | None
    amount: Decimal = Decimal("0")  # quantity x unit price rounded to the cent, computed once at load


@dataclass(slots=True)
class TransportRow:
    id: int
    reference: str
    customer_id: int
    loading_place: str
    loading_date: dt.date | None
    unloading_place: str
    unloading_date: dt.date | None
    lines: list[LineRow] = field(default_factory=list)

    @property
    def service_date(self) -> dt.date | None:
        return self.unloading_date or self.loading_date

    @property
    def route(self) -> str:
        return " → ".join(p for p in [self.loading_place, self.unloading_place] if p)


@dataclass
class Batch:
    transports: list[TransportRow]
    customers: dict[int, Customer]
    products: dict[int, Product]
    source_ids: Any = None  # the transports' ids as a subquery, for deletes that must not list 10,000 ids

    def transports_of(self, customer_id: int) -> list[TransportRow]:
        return [t for t in self.transports if t.customer_id == customer_id]


def eligible_transports(company: Company, selection: Selection) -> QuerySet[Transport]:
    """Done, verified, not yet invoiced transports whose service date (unloading, else loading) falls in the period."""
    qs = Transport.objects.for_company(company).filter(
        status=TransportStatus.DONE, invoicing_status=InvoicingStatus.NOT_INVOICED, verified_at__isnull=False
    )
    if selection.date_from or selection.date_to:
        service_day = Coalesce(F("unloading_date"), F("loading_date"))
        if selection.date_from:
            qs = qs.alias(service_day=service_day).filter(service_day__gte=selection.date_from)  # type: ignore[misc, assignment]
        if selection.date_to:
            qs = qs.alias(service_day=service_day).filter(service_day__lte=selection.date_to)  # type: ignore[misc, assignment]
    if selection.customer_ids:
        qs = qs.filter(customer_id__in=selection.customer_ids)
    return qs


def load(company: Company, transports: QuerySet[Transport]) -> Batch:
    """Four queries: transports, their price lines, their customers, the products the lines use."""
    rows = {
        r["id"]: TransportRow(**r)
        for r in transports.order_by("customer_id", "unloading_date", "reference").values(
            "id", "reference", "customer_id", "loading_place", "loading_date", "unloading_place", "unloading_date"
        )
    }
    ids = transports.values("id")
    line_values = (
        PriceLine.objects.for_company(company)
        .filter(transport_id__in=ids)
        .order_by("transport_id", "position", "id")
        .values_list("id", "transport_id", "position", "description", "quantity", "unit", "unit_price", "product_id")
    )
    for values in line_values:
        line = LineRow(*values)
        line.amount = line_amount(line.quantity, line.unit_price)
        rows[line.transport_id].lines.append(line)
    customers = {c.pk: c for c in Customer.objects.for_company(company).filter(pk__in=transports.values("customer_id"))}
    products = {
        p.pk: p
        for p in Product.objects.for_company(company).filter(
            pk__in=PriceLine.objects.for_company(company).filter(transport_id__in=ids).values("product_id")
        )
    }
    return Batch(transports=list(rows.values()), customers=customers, products=products, source_ids=ids)


def load_selection(company: Company, selection: Selection) -> Batch:
    return load(company, eligible_transports(company, selection))
