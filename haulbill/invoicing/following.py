"""Drafts follow their transports: a price line's product chosen after drafting reaches the draft line made from it.

A draft copies each price line's product when it is drafted. The product may come later: a person picks it on the
transport page, the catalog synchronisation or the pre-flight fills a suggestion. The draft line then takes the
price line's product, its item code and the VAT it carries for the draft's customer (drafting's rule), and the
draft's totals are recomputed, so the draft page, the pro forma and the finalisation say what the transport says.

Which draft lines follow: every draft line made from one of these price lines whose product differs from the price
line's, and every one whose item code or VAT no longer matches its product (a product's VAT fixed in the catalog).
A product chosen by hand in the draft is never overwritten by this: a draft edit writes the product back onto the
price line (drafts.edit_line), so the two agree, and the suggestions never touch a product a person chose. The one
thing that moves it is a person choosing another product for that price line on the transport page, a newer
choice for the same line; the draft follows it so the transport and its draft never disagree. Surcharge lines are
carried by the drafts' own fuel recompute.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet

from haulbill.tenancy.models import Company

from . import drafting, drafts
from .models import Invoice, InvoiceKind, InvoiceLine, InvoiceStatus


def follow_price_lines(company: Company, price_line_ids: Iterable[int] | QuerySet[Any]) -> int:
    """Bring the draft lines made from these price lines (ids, or a subquery of ids) up to date with them, then
    the totals of their drafts.

    One transaction on the locked drafts, a fixed number of queries whatever the number of lines and drafts,
    idempotent (a second call writes nothing); returns how many draft lines changed.
    """
    ids = price_line_ids if isinstance(price_line_ids, QuerySet) else sorted(set(price_line_ids))
    if not isinstance(ids, QuerySet) and not ids:
        return 0
    return _follow(company, Q(price_line_id__in=ids))


def follow_run(company: Company, run_id: int) -> int:
    """Follow the price lines of a run's drafts (just before they are finalised)."""
    return _follow(company, Q(invoice__run_id=run_id, price_line__isnull=False))


def _follow(company: Company, which: Q) -> int:
    with transaction.atomic():
        holding = InvoiceLine.objects.for_company(company).filter(which).values("invoice_id")
        invoices = {
            invoice.pk: invoice
            for invoice in Invoice.objects.for_company(company)
            .filter(pk__in=holding, status=InvoiceStatus.DRAFT, kind=InvoiceKind.INVOICE)
            .select_related("customer")
            .select_for_update(of=("self",))
            .order_by("pk")  # one locking order for every caller
        }
        if not invoices:
            return 0
        lines = list(
            InvoiceLine.objects.for_company(company)
            .filter(which, invoice__status=InvoiceStatus.DRAFT, invoice__kind=InvoiceKind.INVOICE)
            .filter(price_line__is_fuel_surcharge=False)
            .select_related("price_line__product")
        )
        said = drafts.company_mentions(company)
        buyers = {pk: drafting.customer_vat(invoice.customer) for pk, invoice in invoices.items()}
        changed = [
            line
            for line in lines
            if line.invoice_id in buyers  # a draft made meanwhile is not locked: its lines are already current
            and line.price_line is not None
            and drafts.carry_product(line, line.price_line.product, buyers[line.invoice_id], said)
        ]
        if not changed:
            return 0
        InvoiceLine.objects.bulk_update(changed, list(drafts.PRODUCT_FIELDS), batch_size=1000)
        drafts.recompute_many(company, [invoices[pk] for pk in sorted({line.invoice_id for line in changed})])
    return len(changed)
