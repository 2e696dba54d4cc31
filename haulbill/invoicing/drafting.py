"""Drafting: turn a batch of transports into draft invoices, one per customer (or per transport when the customer
asks for that), with one line per price line.

Drafts are real Invoice rows without number: they never reach a provider and can be replaced freely. Drafting a
transport again (a new run) replaces the run drafts that held it, so a transport sits on one draft at a time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format, get_format
from django.utils.translation import override

from haulbill.addressbook.models import Customer
from haulbill.catalog.models import Product
from haulbill.tenancy.models import Company

from . import bulk, payment, vat
from .models import Invoice, InvoiceKind, InvoiceLine, InvoiceStatus, InvoicingRun, InvoicingSettings, settings_for
from .preflight import mentions_for
from .selection import Batch, TransportRow
from .totals import TotalLine, compute

BUYER_REFERENCE_MAX = 100


def groups(batch: Batch) -> list[tuple[Customer, list[TransportRow]]]:
    """One group per customer, or one per transport for customers invoiced per transport."""
    by_customer: dict[int, list[TransportRow]] = {}
    for transport in batch.transports:
        by_customer.setdefault(transport.customer_id, []).append(transport)
    out: list[tuple[Customer, list[TransportRow]]] = []
    for customer_id, transports in by_customer.items():
        customer = batch.customers[customer_id]
        if customer.invoice_per_transport:
            out.extend((customer, [t]) for t in transports)
        else:
            out.append((customer, transports))
    return out


_STRFTIME = {"d": "%d", "m": "%m", "Y": "%Y", "y": "%y"}


@lru_cache(maxsize=16)
def _day_formatter(language: str) -> Callable[[dt.date], str]:
    """The language's short date format as a plain strftime when it only uses d/j/m/n/Y/y (10,000 dates in a run)."""
    with override(language):
        fmt = str(get_format("SHORT_DATE_FORMAT"))
    if all(c in "djmnYy" or not c.isalpha() for c in fmt):

        def fast(day: dt.date) -> str:
            parts = []
            for c in fmt:
                if c == "j":
                    parts.append(str(day.day))
                elif c == "n":
                    parts.append(str(day.month))
                elif c in _STRFTIME:
                    parts.append(day.strftime(_STRFTIME[c]))
                else:
                    parts.append(c)
            return "".join(parts)

        return fast

    def slow(day: dt.date) -> str:
        with override(language):
            return date_format(day, "SHORT_DATE_FORMAT")

    return slow


def transport_heading(transport: TransportRow, language: str) -> str:
    """What every line of a transport starts with: its reference, service date and route."""
    day = _day_formatter(language)(transport.service_date) if transport.service_date else ""
    return " · ".join(p for p in [transport.reference, day, transport.route] if p)


def buyer_reference(customer: Customer, transports: list[TransportRow]) -> str:
    """The customer's own reference; else the transport reference (several: joined, cut to the field's size)."""
    if customer.invoice_reference:
        return customer.invoice_reference
    joined = ", ".join(t.reference for t in transports)
    return joined if len(joined) <= BUYER_REFERENCE_MAX else joined[: BUYER_REFERENCE_MAX - 1] + "…"


def discard_drafts_of(company: Company, transport_ids: Any) -> int:
    """Delete the draft invoices that hold any of these transports (drafts carry no number: no gap).

    `transport_ids` may be a list or a subquery. Lines of a draft are never credited, so they go with one DELETE.
    """
    stale = Invoice.objects.for_company(company).filter(
        status=InvoiceStatus.DRAFT, kind=InvoiceKind.INVOICE, lines__transport_id__in=transport_ids
    )
    stale_ids = list(stale.values_list("id", flat=True).distinct())
    if not stale_ids:
        return 0
    lines = InvoiceLine.objects.for_company(company).filter(
        invoice_id__in=stale_ids, invoice__status=InvoiceStatus.DRAFT
    )
    lines._raw_delete(lines.db)
    Invoice.objects.for_company(company).filter(pk__in=stale_ids, status=InvoiceStatus.DRAFT).delete()
    return len(stale_ids)


def draft(company: Company, batch: Batch, *, run: InvoicingRun | None, user: Any = None) -> list[Invoice]:
    """Create the drafts of `batch` (for `run`) in one transaction, in a fixed number of queries."""
    inv_settings = settings_for(company)
    mentions = mentions_for(inv_settings)
    today = timezone.localdate()
    now = timezone.now()
    invoices: list[Invoice] = []
    pending: list[list[tuple[Any, ...]]] = []
    for customer, transports in groups(batch):
        rows = _line_rows(company, customer, transports, batch, mentions)
        totals = compute(TotalLine(r[_AMOUNT], r[_CATEGORY], r[_RATE], r[_CODE], r[_TEXT]) for r in rows)
        invoices.append(
            Invoice(
                company=company,
                kind=InvoiceKind.INVOICE,
                status=InvoiceStatus.DRAFT,
                customer=customer,
                run=run,
                language=customer.language,
                delivery_date=max((t.service_date for t in transports if t.service_date), default=None),
                buyer_reference=buyer_reference(customer, transports),
                purchasing_conditions=inv_settings.purchasing_conditions,
                due_date=_due(today, customer, inv_settings),
                total_excl=totals.excl,
                total_vat=totals.vat,
                total_incl=totals.incl,
                vat_breakdown=[g.as_json() for g in totals.breakdown],
                created_by=user if getattr(user, "pk", None) else None,
                created_at=now,
                updated_at=now,
            )
        )
        pending.append(rows)
    with transaction.atomic():
        discard_drafts_of(
            company, batch.source_ids if batch.source_ids is not None else [t.id for t in batch.transports]
        )
        if run is not None:
            bulk.insert_objects(invoices)
            # Inserted in order, in one transaction: the run's ids come back ascending, in the same order.
            ids = list(Invoice.objects.for_company(company).filter(run=run).order_by("id").values_list("id", flat=True))
            for invoice, pk in zip(invoices, ids, strict=True):
                invoice.pk = pk
                invoice._state.adding = False
                invoice._state.db = "default"
        else:
            Invoice.objects.bulk_create(invoices)  # a handful of drafts outside a run: the ORM returns their ids
        bulk.insert_rows(
            InvoiceLine,
            bulk.LINE_COLUMNS,
            [(company.pk, invoice.pk, *row) for invoice, rows in zip(invoices, pending, strict=True) for row in rows],
        )
    return invoices


def _due(issue_date: dt.date, customer: Customer, inv_settings: InvoicingSettings) -> dt.date:
    return payment.due_date(issue_date, customer.payment_delay_days, inv_settings.default_payment_delay_days)


# Positions in a line row (bulk.LINE_COLUMNS without company_id and invoice_id).
_AMOUNT, _CATEGORY, _RATE, _CODE, _TEXT = 9, 10, 11, 12, 13
NO_VAT = vat.VatTreatment("", Decimal("0"))


def customer_vat(customer: Customer) -> vat.CustomerVat:
    return vat.CustomerVat(customer.name, customer.vat_regime, customer.vat_number, customer.country)


def line_vat(product: Product | None, buyer: vat.CustomerVat, mentions: vat.Mentions) -> vat.VatTreatment:
    """The VAT a draft line of `product` carries for this customer; an empty category when it cannot be decided
    (no product, or VAT the pre-flight reports): the draft keeps the line and finalising refuses it."""
    if product is None:
        return NO_VAT
    try:
        return vat.resolve(vat.ProductVat(product.item_code, product.vat_level, product.vat_rate), buyer, mentions)
    except vat.VatUnresolved:
        return NO_VAT


def _line_rows(
    company: Company, customer: Customer, transports: list[TransportRow], batch: Batch, mentions: vat.Mentions
) -> list[tuple[Any, ...]]:
    buyer = customer_vat(customer)
    # Per product: (id, item code, VAT treatment), decided once for this customer.
    decided: dict[int, tuple[int, str, vat.VatTreatment]] = {}
    products = batch.products
    rows: list[tuple[Any, ...]] = []
    for transport in transports:
        heading = transport_heading(transport, customer.language)
        for line in transport.lines:
            product_id = line.product_id
            facts = decided.get(product_id) if product_id else None
            if facts is None and product_id in products:
                product = products[product_id]
                facts = decided[product_id] = (product.id, product.item_code, line_vat(product, buyer, mentions))
            pid, code, treatment = facts if facts else (None, "", NO_VAT)
            rows.append(
                (
                    len(rows) + 1,
                    transport.id,
                    line.id,
                    pid,
                    code,
                    f"{heading}: {line.description}"[:600],
                    line.quantity,
                    line.unit,
                    line.unit_price,
                    line.amount,
                    treatment.category,
                    treatment.rate,
                    treatment.exemption_code,
                    treatment.exemption_text,
                    None,
                )
            )
    return rows
