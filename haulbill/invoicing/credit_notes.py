"""Credit notes against a finalised invoice: full, or partial by chosen lines and quantities.

A credit note has its own gapless series, names the invoice it credits, and each of its lines names the line it
credits; no line can be credited beyond what remains of it. When nothing remains to credit (a full credit note,
or partial ones that add up to everything) the invoice's transports return to "not invoiced" so they can be
invoiced again; their credit-note lines keep the history. Amounts on a credit note are positive: the kind says
that they are owed back (as a UBL CreditNote expects).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from haulbill.core import audit
from haulbill.core.errors import HaulbillError
from haulbill.tenancy.models import Company
from haulbill.transports.models import InvoicingStatus, Transport

from .finalising import freeze
from .models import Invoice, InvoiceKind, InvoiceLine, InvoiceStatus
from .totals import line_amount

ZERO = Decimal("0")


def credited_quantities(company: Company, invoice: Invoice) -> dict[int, Decimal]:
    """Quantity already credited per line of `invoice`, by finalised credit notes."""
    rows = (
        InvoiceLine.objects.for_company(company)
        .filter(credited_line__invoice=invoice, invoice__kind=InvoiceKind.CREDIT_NOTE)
        .exclude(invoice__status=InvoiceStatus.DRAFT)
        .values("credited_line_id")
        .annotate(total=Sum("quantity"))
    )
    return {r["credited_line_id"]: r["total"] for r in rows}


def remaining_quantities(company: Company, invoice: Invoice) -> dict[int, Decimal]:
    credited = credited_quantities(company, invoice)
    lines = InvoiceLine.objects.for_company(company).filter(invoice=invoice).values_list("id", "quantity")
    return {line_id: quantity - credited.get(line_id, ZERO) for line_id, quantity in lines}


def create_credit_note(
    company: Company,
    invoice_id: int,
    *,
    quantities: dict[int, Decimal] | None = None,
    issue_date: dt.date | None = None,
    user: Any = None,
) -> Invoice:
    """Credit `quantities` (line id -> quantity) of a finalised invoice, or all that remains when None."""
    issue_date = issue_date or timezone.localdate()
    with transaction.atomic():
        # Locking the credited invoice serialises credit notes on it, so two cannot both take the last quantity.
        original = (
            Invoice.objects.for_company(company).select_for_update().select_related("customer").get(pk=invoice_id)
        )
        if original.kind != InvoiceKind.INVOICE or original.status != InvoiceStatus.FINALISED:
            raise HaulbillError(
                "credit_needs_finalised_invoice", _("Only a finalised invoice can be credited."), status=409
            )
        if original.issue_date and issue_date < original.issue_date:
            raise HaulbillError(
                "credit_before_invoice",
                _("A credit note cannot be dated before the invoice it credits (%(date)s).")
                % {"date": original.issue_date.isoformat()},
                field="issue_date",
            )
        lines = {
            line.pk: line
            for line in InvoiceLine.objects.for_company(company).filter(invoice=original).order_by("position", "id")
        }
        remaining = remaining_quantities(company, original)
        if quantities is None:
            quantities = {pk: qty for pk, qty in remaining.items() if qty > 0}
            if not quantities:
                raise HaulbillError(
                    "nothing_left_to_credit",
                    _("Invoice %(number)s is already fully credited.") % {"number": original.number},
                    status=409,
                )
        chosen = {pk: Decimal(qty) for pk, qty in quantities.items() if Decimal(qty) != 0}
        if not chosen:
            raise HaulbillError(
                "credit_without_lines", _("Choose at least one line and a quantity to credit."), field="lines"
            )
        for pk, qty in chosen.items():
            line = lines.get(pk)
            if line is None:
                raise HaulbillError(
                    "credit_unknown_line", _("That line does not belong to invoice %(number)s.") % {"number": original.number},
                    field="lines",
                )  # fmt: skip
            if qty < 0 or qty > remaining[pk]:
                raise HaulbillError(
                    "credit_exceeds_remaining",
                    _(
                        "Line %(position)s (%(description)s): only %(remaining)s can still be credited, not %(quantity)s."
                    )
                    % {
                        "position": line.position,
                        "description": line.description,
                        "remaining": _plain(remaining[pk]),
                        "quantity": _plain(qty),
                    },
                    field=f"quantity_{pk}",
                )
        credit = Invoice(
            company=company,
            kind=InvoiceKind.CREDIT_NOTE,
            status=InvoiceStatus.DRAFT,
            customer=original.customer,
            credited_invoice=original,
            language=original.language,
            delivery_date=original.delivery_date,
            buyer_reference=original.buyer_reference,
            created_by=user if getattr(user, "pk", None) else None,
        )
        credit.save()
        credit_lines = [
            InvoiceLine(
                company=company,
                invoice=credit,
                position=position,
                transport_id=line.transport_id,
                price_line_id=line.price_line_id,
                product_id=line.product_id,
                item_code=line.item_code,
                description=line.description,
                quantity=qty,
                unit=line.unit,
                unit_price=line.unit_price,
                line_amount=line_amount(qty, line.unit_price),
                vat_category=line.vat_category,
                vat_rate=line.vat_rate,
                vat_exemption_code=line.vat_exemption_code,
                vat_exemption_text=line.vat_exemption_text,
                credited_line=line,
            )
            for position, (pk, qty) in enumerate(sorted(chosen.items(), key=lambda kv: lines[kv[0]].position), start=1)
            for line in [lines[pk]]
        ]
        InvoiceLine.objects.bulk_create(credit_lines)
        freeze(company, credit, credit_lines, issue_date)
        if all(remaining[pk] - chosen.get(pk, ZERO) <= 0 for pk in lines):
            _return_transports(company, {line.transport_id for line in lines.values() if line.transport_id})
        audit.record(company, user, audit.CREDIT_NOTE_ISSUED, credit, invoice_id=original.pk, number=credit.number)
    return credit


def _return_transports(company: Company, transport_ids: set[int]) -> None:
    """A fully credited invoice gives its transports back to the invoicing queue."""
    Transport.objects.for_company(company).filter(
        pk__in=transport_ids, invoicing_status=InvoicingStatus.INVOICED
    ).update(invoicing_status=InvoicingStatus.NOT_INVOICED, updated_at=timezone.now())


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def is_fully_credited(company: Company, invoice: Invoice) -> bool:
    return invoice.kind == InvoiceKind.INVOICE and all(q <= 0 for q in remaining_quantities(company, invoice).values())
