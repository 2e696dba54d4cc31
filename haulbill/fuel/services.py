"""Fuel surcharge indexation: index values in, surcharge price lines out.

surcharge = base amount × (index of the transport's month − reference) ÷ reference × fuel share

The base is the sum of the transport's lines the customer's clause applies to. The surcharge is one price line
on the transport (PriceLine.is_fuel_surcharge), invoiced with the clause's gas index product and described with
the index values used, as the law asks. It is recomputed in place whenever the price, the clause or the index
changes, so a transport never carries two; a surcharge of zero (or a negative one the clause does not allow)
removes the line. Without the index of the transport's month nothing is computed: the pre-flight blocks it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import override

from haulbill.addressbook.models import Customer
from haulbill.catalog.models import Product
from haulbill.core.errors import HaulbillError
from haulbill.tenancy.models import Company
from haulbill.transports.models import InvoicingStatus, PriceLine, Transport

from .models import FuelClause, FuelIndexSeries, FuelIndexValue, Rounding

CENT = Decimal("0.01")
HUNDRED = Decimal("100")


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _share_text(share: Decimal) -> str:
    text = f"{share:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


# --------------------------------------------------------------------------------------------------------------
# The computation
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Surcharge:
    amount: Decimal
    percentage: Decimal
    index_month: dt.date
    index_value: Decimal
    description: str


def percentage(clause: FuelClause, index_value: Decimal) -> Decimal:
    raw = (index_value - clause.reference_value) / clause.reference_value * clause.fuel_share
    if clause.rounding == Rounding.NONE:
        return raw
    return raw.quantize(Decimal(1).scaleb(-int(clause.rounding)), rounding=ROUND_HALF_UP)


def compute(clause: FuelClause, base: Decimal, index_month: dt.date, index_value: Decimal, language: str) -> Surcharge:
    pct = percentage(clause, index_value)
    amount = (base * pct / HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP)
    if amount < 0 and not clause.allow_negative:
        amount = Decimal("0.00")
    with override(language or "en"):
        description = _("Fuel surcharge: index %(month)s = %(value)s vs reference %(reference)s, share %(share)s%%") % {
            "month": index_month.strftime("%Y-%m"),
            "value": f"{index_value:.4f}",
            "reference": f"{clause.reference_value:.4f}",
            "share": _share_text(clause.fuel_share),
        }
    return Surcharge(amount, pct, index_month, index_value, description)


def is_base_line(clause: FuelClause, product_ids: set[int], line: PriceLine) -> bool:
    """Whether the clause applies to a line: its product is listed (or none are) and its unit too."""
    if line.is_fuel_surcharge or line.product_id == clause.surcharge_product_id:
        return False
    if product_ids and line.product_id not in product_ids:
        return False
    units = clause.units
    return not units or line.unit.upper() in units


def clause_for(clauses: list[FuelClause], day: dt.date | None) -> FuelClause | None:
    """The clause in force on the service date; the most recently started wins an overlap."""
    if day is None:
        return None
    valid = [c for c in clauses if c.covers(day)]
    return max(valid, key=lambda c: (c.valid_from or dt.date.min, c.pk)) if valid else None


# --------------------------------------------------------------------------------------------------------------
# Surcharge lines on transports
# --------------------------------------------------------------------------------------------------------------


@dataclass
class Refresh:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    missing_index: list[int] = field(default_factory=list)  # transport ids without the index of their month


@dataclass
class _Plan:
    """What the surcharge of one transport should be (None: no surcharge line)."""

    transport: Transport
    clause: FuelClause | None
    surcharge: Surcharge | None = None
    missing_month: dt.date | None = None


def clauses_by_customer(company: Company, customer_ids: Iterable[int]) -> dict[int, list[FuelClause]]:
    out: dict[int, list[FuelClause]] = {}
    for clause in (
        FuelClause.objects.for_company(company)
        .filter(customer_id__in=list(customer_ids))
        .select_related("series")
        .prefetch_related("base_products")
    ):
        out.setdefault(clause.customer_id, []).append(clause)
    return out


def index_values(company: Company, wanted: set[tuple[int, dt.date]]) -> dict[tuple[int, dt.date], Decimal]:
    if not wanted:
        return {}
    series_ids = {s for s, _m in wanted}
    months = {m for _s, m in wanted}
    return {
        (s, m): v
        for s, m, v in FuelIndexValue.objects.for_company(company)
        .filter(series_id__in=series_ids, month__in=months)
        .values_list("series_id", "month", "value")
    }


def plan(company: Company, transports: list[Transport], lines: dict[int, list[PriceLine]]) -> dict[int, _Plan]:
    """The surcharge each transport should carry, from bulk-loaded rows (three queries for any number)."""
    clauses = clauses_by_customer(company, {t.customer_id for t in transports})
    chosen = {t.pk: clause_for(clauses.get(t.customer_id, []), t.service_date) for t in transports}
    wanted = {(c.series_id, month_of(t.service_date)) for t in transports if (c := chosen[t.pk]) is not None}
    values = index_values(company, wanted)
    plans: dict[int, _Plan] = {}
    for transport in transports:
        clause = chosen[transport.pk]
        entry = plans[transport.pk] = _Plan(transport, clause)
        if clause is None:
            continue
        product_ids = {p.pk for p in clause.base_products.all()}
        base = sum(
            (line.amount for line in lines.get(transport.pk, []) if is_base_line(clause, product_ids, line)),
            Decimal("0"),
        )
        if base == 0:
            continue
        month = month_of(transport.service_date)
        value = values.get((clause.series_id, month))
        if value is None:
            entry.missing_month = month
            continue
        entry.surcharge = compute(clause, base, month, value, transport.customer.language)
    return plans


def refresh_surcharges(company: Company, transport_ids: Iterable[int]) -> Refresh:
    """Add, update or remove the surcharge line of each (not invoiced) transport, in one transaction."""
    ids = list(set(transport_ids))
    result = Refresh()
    if not ids:
        return result
    transports = list(
        Transport.objects.for_company(company)
        .filter(pk__in=ids, invoicing_status=InvoicingStatus.NOT_INVOICED)
        .select_related("customer")
    )
    if not transports:
        return result
    lines: dict[int, list[PriceLine]] = {}
    for line in PriceLine.objects.for_company(company).filter(transport_id__in=[t.pk for t in transports]):
        lines.setdefault(line.transport_id, []).append(line)
    plans = plan(company, transports, lines)
    to_create: list[PriceLine] = []
    to_update: list[PriceLine] = []
    to_delete: list[int] = []
    for transport in transports:
        entry = plans[transport.pk]
        existing = [line for line in lines.get(transport.pk, []) if line.is_fuel_surcharge]
        if entry.missing_month is not None:
            result.missing_index.append(transport.pk)
        surcharge = entry.surcharge
        if surcharge is None or surcharge.amount == 0 or entry.clause is None:
            to_delete.extend(line.pk for line in existing)
            continue
        # Keep the first surcharge line and drop any other: recomputed, never duplicated.
        keep, extra = (existing[0], existing[1:]) if existing else (None, [])
        to_delete.extend(line.pk for line in extra)
        values = {
            "description": surcharge.description[:500],
            "quantity": Decimal("1"),
            "unit": "C62",
            "unit_price": surcharge.amount,
            "product_id": entry.clause.surcharge_product_id,
        }
        if keep is None:
            last = max((line.position for line in lines.get(transport.pk, [])), default=0)
            to_create.append(
                PriceLine(company=company, transport=transport, position=last + 1, is_fuel_surcharge=True, **values)
            )
        elif any(getattr(keep, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(keep, k, v)
            to_update.append(keep)
    with transaction.atomic():
        if to_delete:
            PriceLine.objects.for_company(company).filter(pk__in=to_delete).delete()
        PriceLine.objects.bulk_create(to_create, batch_size=1000)
        PriceLine.objects.bulk_update(
            to_update, ["description", "quantity", "unit", "unit_price", "product"], batch_size=1000
        )
    result.created, result.updated, result.deleted = len(to_create), len(to_update), len(to_delete)
    return result


def refresh_for_series(company: Company, series: FuelIndexSeries) -> Refresh:
    """After index values change: recompute every open transport of the customers whose clause uses the series."""
    customers = FuelClause.objects.for_company(company).filter(series=series).values("customer_id")
    ids = (
        Transport.objects.for_company(company)
        .filter(customer_id__in=customers, invoicing_status=InvoicingStatus.NOT_INVOICED)
        .values_list("pk", flat=True)
    )
    return refresh_surcharges(company, list(ids))


def refresh_for_customer(company: Company, customer_id: int) -> Refresh:
    ids = (
        Transport.objects.for_company(company)
        .filter(customer_id=customer_id, invoicing_status=InvoicingStatus.NOT_INVOICED)
        .values_list("pk", flat=True)
    )
    return refresh_surcharges(company, list(ids))


# --------------------------------------------------------------------------------------------------------------
# Index series and values
# --------------------------------------------------------------------------------------------------------------


def create_series(company: Company, name: str, description: str = "") -> FuelIndexSeries:
    name = name.strip()
    if not name:
        raise HaulbillError("fuel_series_name_missing", _("Give the index series a name."), field="name")
    series, _created = FuelIndexSeries.objects.get_or_create(
        company=company, name=name, defaults={"description": description}
    )
    return series


def parse_month(text: str) -> dt.date:
    """`2026-10` (or a full date in that month) -> 2026-10-01."""
    text = text.strip()
    for fmt in ("%Y-%m", "%Y-%m-%d", "%m/%Y"):
        try:
            return month_of(dt.datetime.strptime(text, fmt).date())
        except ValueError:
            continue
    raise ValueError(text)


def parse_value(text: str) -> Decimal:
    try:
        value = Decimal(text.strip().replace(",", "."))
    except InvalidOperation as exc:
        raise ValueError(text) from exc
    if not value.is_finite() or value <= 0 or value.as_tuple().exponent < -4:  # type: ignore[operator]
        raise ValueError(text)
    return value


def set_value(
    company: Company, series: FuelIndexSeries, month: dt.date, value: Decimal, published_on: dt.date | None = None
) -> FuelIndexValue:
    """Enter (or correct) one month's index, then recompute the surcharges that depend on it."""
    if series.company_id != company.pk:
        raise HaulbillError("fuel_series_unknown", _("This index series is not one of your company's."), status=404)
    if value <= 0:
        raise HaulbillError("fuel_value_invalid", _("The index value must be greater than zero."), field="value")
    with transaction.atomic():
        row, _created = FuelIndexValue.objects.update_or_create(
            company=company, series=series, month=month_of(month),
            defaults={"value": value, "published_on": published_on},
        )  # fmt: skip
        refresh_for_series(company, series)
    return row


@dataclass
class ImportResult:
    imported: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)  # {"row": n, "field": ..., "message": ...}

    @property
    def ok(self) -> bool:
        return not self.errors


def import_csv(company: Company, series: FuelIndexSeries, text: str) -> ImportResult:
    """Import `month,value[,published_on]` rows (header optional; `;` or `,`). All rows or none: every bad row is
    reported with its line number and column, so the file can be fixed and imported again."""
    result = ImportResult()
    sample = text[:2048]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    rows: list[tuple[int, dt.date, Decimal, dt.date | None]] = []
    seen: dict[dt.date, int] = {}
    for number, raw in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1):
        cells = [c.strip() for c in raw]
        if not any(cells):
            continue
        if number == 1 and cells[0].lower() in {"month", "maand", "mois", "period"}:
            continue
        if len(cells) < 2:
            result.errors.append(
                {"row": number, "field": "value", "message": _("Row %(n)d: expected month and value.") % {"n": number}}
            )
            continue
        try:
            month = parse_month(cells[0])
        except ValueError:
            result.errors.append({"row": number, "field": "month",
                                  "message": _("Row %(n)d: “%(v)s” is not a month; write it as 2026-10.") % {"n": number, "v": cells[0]}})  # fmt: skip
            continue
        try:
            value = parse_value(cells[1])
        except ValueError:
            result.errors.append({"row": number, "field": "value",
                                  "message": _("Row %(n)d: “%(v)s” is not an index value; write a positive number with at most 4 decimals, e.g. 1.8234.") % {"n": number, "v": cells[1]}})  # fmt: skip
            continue
        published: dt.date | None = None
        if len(cells) > 2 and cells[2]:
            try:
                published = dt.date.fromisoformat(cells[2])
            except ValueError:
                result.errors.append({"row": number, "field": "published_on",
                                      "message": _("Row %(n)d: “%(v)s” is not a date; write it as 2026-11-05.") % {"n": number, "v": cells[2]}})  # fmt: skip
                continue
        if month in seen:
            result.errors.append({"row": number, "field": "month",
                                  "message": _("Row %(n)d: the month %(m)s is already on row %(first)d.") % {"n": number, "m": month.strftime("%Y-%m"), "first": seen[month]}})  # fmt: skip
            continue
        seen[month] = number
        rows.append((number, month, value, published))
    if result.errors:
        return result
    if not rows:
        result.errors.append({"row": 0, "field": "file", "message": _("The file holds no index values.")})
        return result
    with transaction.atomic():
        existing = {v.month: v for v in FuelIndexValue.objects.for_company(company).filter(series=series)}
        new, changed = [], []
        for _n, month, value, published in rows:
            if month in existing:
                row = existing[month]
                row.value, row.published_on = value, published
                changed.append(row)
            else:
                new.append(
                    FuelIndexValue(company=company, series=series, month=month, value=value, published_on=published)
                )
        FuelIndexValue.objects.bulk_create(new)
        FuelIndexValue.objects.bulk_update(changed, ["value", "published_on"])
        refresh_for_series(company, series)
    result.imported = len(rows)
    return result


# --------------------------------------------------------------------------------------------------------------
# Clauses
# --------------------------------------------------------------------------------------------------------------


def save_clause(company: Company, clause: FuelClause, base_products: Iterable[Product] = ()) -> FuelClause:
    """Save a customer's clause (checked by its form) and recompute that customer's open surcharges."""
    customer = Customer.objects.for_company(company).get(pk=clause.customer_id)
    if not clause.surcharge_product.is_fuel_surcharge or clause.surcharge_product.company_id != company.pk:
        raise HaulbillError(
            "fuel_product_not_gas_index",
            _("The surcharge product must be a gas index item of your catalog (marked as fuel surcharge)."),
            field="surcharge_product",
        )
    if clause.series.company_id != company.pk:
        raise HaulbillError("fuel_series_unknown", _("This index series is not one of your company's."), field="series")
    clause.company = company
    with transaction.atomic():
        clause.save()
        clause.base_products.set([p for p in base_products if p.company_id == company.pk])
        refresh_for_customer(company, customer.pk)
    return clause


def delete_clause(company: Company, clause_id: int) -> None:
    with transaction.atomic():
        clause = FuelClause.objects.for_company(company).get(pk=clause_id)
        customer_id = clause.customer_id
        clause.delete()
        refresh_for_customer(company, customer_id)


def latest_months(company: Company) -> dict[int, dt.date | None]:
    return dict(
        FuelIndexSeries.objects.for_company(company).annotate(last=Max("values__month")).values_list("pk", "last")
    )
