"""The fuel check the invoicing pre-flight runs: a transport under a fuel clause needs its month's index.

Without it the surcharge cannot be computed, and an invoice without the surcharge the contract promises is
wrong: the transport is held back with a problem that names the series and the month to enter.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext as _

from haulbill.core.errors import Problem
from haulbill.tenancy.models import Company
from haulbill.transports.models import PriceLine

from .services import clause_for, clauses_by_customer, index_values, is_base_line, month_of

if TYPE_CHECKING:
    from haulbill.invoicing.preflight import Report
    from haulbill.invoicing.selection import Batch


def check_fuel_indices(company: Company, batch: Batch, report: Report) -> None:
    clauses = clauses_by_customer(company, batch.customers)
    if not clauses:
        return
    pending = []
    for transport in batch.transports:
        clause = clause_for(clauses.get(transport.customer_id, []), transport.service_date)
        if clause is None or transport.service_date is None:
            continue
        products = {p.pk for p in clause.base_products.all()}
        base = sum(
            (
                PriceLine(quantity=line.quantity, unit_price=line.unit_price).amount
                for line in transport.lines
                if is_base_line(clause, products, PriceLine(product_id=line.product_id, unit=line.unit))
            ),
            Decimal("0"),
        )
        if base:
            pending.append((transport, clause, month_of(transport.service_date)))
    values = index_values(company, {(c.series_id, m) for _t, c, m in pending})
    for transport, clause, month in pending:
        if (clause.series_id, month) in values:
            continue
        report.add(
            Problem(
                "fuel_index_missing",
                _(
                    "Transport %(ref)s: the fuel index %(series)s has no value for %(month)s, so its fuel surcharge "
                    "cannot be computed. Enter that month's index."
                )
                % {"ref": transport.reference, "series": clause.series.name, "month": month.strftime("%Y-%m")},
                fix_url=reverse("fuel-series-detail", args=[clause.series_id]),
                subject=f"transport:{transport.reference}",
            ),
            customer_id=transport.customer_id,
            transport_id=transport.id,
        )
