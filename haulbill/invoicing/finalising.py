"""Finalisation: a draft becomes a numbered, frozen invoice and its transports become invoiced, all at once.

The number is taken (numbering.allocate) inside the same transaction that marks the transports invoiced: if
anything fails in between, the rollback returns the number and leaves every transport as it was, so there is no
gap and no half-invoiced transport; running the finalisation again simply succeeds.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from haulbill.core.errors import HaulbillError
from haulbill.tenancy.models import Company
from haulbill.transports.models import InvoicingStatus, Transport

from . import numbering, payment, snapshots
from .models import Invoice, InvoiceKind, InvoiceLine, InvoiceStatus, PushState, settings_for
from .totals import TotalLine, Totals, compute


def _lines_totals(lines: list[InvoiceLine]) -> Totals:
    return compute(
        TotalLine(line.line_amount, line.vat_category, line.vat_rate, line.vat_exemption_code, line.vat_exemption_text)
        for line in lines
    )


def freeze(company: Company, invoice: Invoice, lines: list[InvoiceLine], issue_date: dt.date) -> Invoice:
    """Number, date, snapshot and total `invoice` (already locked, inside the caller's transaction)."""
    if not lines:
        raise HaulbillError("invoice_without_lines", _("An invoice needs at least one line."))
    if any(not line.vat_category for line in lines):
        raise HaulbillError(
            "vat_unresolved", _("A line of this invoice has no VAT category: run the pre-flight and fix the VAT first.")
        )
    inv_settings = settings_for(company)
    allocated = numbering.allocate(company, invoice.kind, issue_date)
    totals = _lines_totals(lines)
    customer = invoice.customer
    invoice.number = allocated.number
    invoice.sequence_year = allocated.year
    invoice.sequence_value = allocated.value
    invoice.issue_date = issue_date
    invoice.due_date = payment.due_date(
        issue_date, customer.payment_delay_days, inv_settings.default_payment_delay_days
    )
    invoice.payment_reference = payment.structured_reference(invoice.kind, allocated.year, allocated.value)
    invoice.purchasing_conditions = inv_settings.purchasing_conditions
    invoice.seller = snapshots.seller(company)
    invoice.buyer = snapshots.buyer(customer)
    invoice.language = customer.language or invoice.language
    if not invoice.buyer_reference:
        invoice.buyer_reference = customer.invoice_reference
    invoice.total_excl, invoice.total_vat, invoice.total_incl = totals.excl, totals.vat, totals.incl
    invoice.vat_breakdown = [g.as_json() for g in totals.breakdown]
    invoice.status = InvoiceStatus.FINALISED
    invoice.finalised_at = timezone.now()
    invoice.push_state = PushState.TO_PUSH
    invoice.save()
    numbering.lock_settings(company)
    return invoice


def _mark_transports_invoiced(company: Company, invoice: Invoice, transport_ids: set[int]) -> None:
    """Only transports still "not invoiced" move; any other outcome means a concurrent run got there first."""
    moved = (
        Transport.objects.for_company(company)
        .filter(pk__in=transport_ids, invoicing_status=InvoicingStatus.NOT_INVOICED)
        .update(invoicing_status=InvoicingStatus.INVOICED, updated_at=timezone.now())
    )
    if moved != len(transport_ids):
        raise HaulbillError(
            "transport_already_invoiced",
            _("A transport of this invoice was invoiced meanwhile (another run?): start a new run."),
            status=409,
        )


def finalise_invoice(company: Company, invoice_id: int, *, issue_date: dt.date | None = None) -> Invoice:
    """Finalise one draft invoice; the transports it holds become invoiced in the same transaction."""
    issue_date = issue_date or timezone.localdate()
    with transaction.atomic():
        invoice = Invoice.objects.for_company(company).select_for_update().select_related("customer").get(pk=invoice_id)
        if invoice.status != InvoiceStatus.DRAFT or invoice.kind != InvoiceKind.INVOICE:
            raise HaulbillError(
                "invoice_not_draft",
                _("Invoice %(number)s is already finalised.") % {"number": invoice.number},
                status=409,
            )
        lines = list(InvoiceLine.objects.for_company(company).filter(invoice=invoice).order_by("position", "id"))
        freeze(company, invoice, lines, issue_date)
        _mark_transports_invoiced(company, invoice, {line.transport_id for line in lines if line.transport_id})
    return invoice
