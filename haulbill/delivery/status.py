"""Statuses back from the provider: sent, delivered, refused, paid — from webhooks or from polling.

A status only moves forward here: sent, delivered, refused and paid are raised, never lowered, by a webhook or
a poll, so an old event arriving late (or a replayed page of the poll) cannot undo what is known. The invoice is
always found within the company the event belongs to, by the provider's order id: an event of one company can
never touch another company's invoice.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from django.utils import timezone

from haulbill.invoicing.models import Invoice, InvoiceKind, InvoiceStatus
from haulbill.providers.base import NotSupported, ProviderError, RemoteInvoiceStatus
from haulbill.tenancy.models import Company

from .models import StatusCursor

log = logging.getLogger(__name__)
OVERLAP = dt.timedelta(seconds=2)  # re-read the last moments: two changes within one second of the cursor


def apply_status(company: Company, remote: RemoteInvoiceStatus) -> Invoice | None:
    """Update the company's invoice with this provider order id; None when the company has no such invoice."""
    invoice = (
        Invoice.objects.for_company(company)
        .exclude(status=InvoiceStatus.DRAFT)
        .filter(provider_order_id=remote.remote_id)
        .first()
    )
    if invoice is None:
        return None
    changed: list[str] = []
    if (remote.sent or remote.delivered or remote.refused) and not invoice.sent:
        invoice.sent = True
        invoice.sent_at = invoice.sent_at or timezone.now()
        changed += ["sent", "sent_at"]
    if remote.delivered and not invoice.delivered and not invoice.refused:
        invoice.delivered = True
        changed.append("delivered")
    if remote.refused and not invoice.refused:
        invoice.refused = True
        invoice.delivered = False
        invoice.refused_reason = remote.refused_reason[:2000]
        changed += ["refused", "delivered", "refused_reason"]
    if remote.paid and not invoice.paid:
        invoice.paid = True
        invoice.paid_at = remote.paid_at or timezone.localdate()
        changed += ["paid", "paid_at"]
    if changed:
        invoice.save(update_fields=[*dict.fromkeys(changed), "updated_at"])
    return invoice


def poll_statuses(company: Company, *, progress: Callable[[int, int | None], None] | None = None) -> int:
    """Read the statuses changed since the last poll and apply them; returns how many invoices were updated.

    The cursor is the provider's own LastModified, kept as the provider wrote it (its clock and time zone),
    and the next poll starts slightly before it.
    """
    from haulbill.providers.registry import provider_for

    provider = provider_for(company)
    if provider is None:
        return 0
    cursor, _created = StatusCursor.objects.get_or_create(company=company, provider=provider.key)
    since = _parse(cursor.last_modified)
    newest = since
    updated = seen = 0
    try:
        for remote in provider.fetch_statuses(since - OVERLAP if since else None):
            seen += 1
            if apply_status(company, remote) is not None:
                updated += 1
            if remote.last_modified and (newest is None or remote.last_modified > newest):
                newest = remote.last_modified
            if progress:
                progress(seen, None)
    except NotSupported:
        return 0
    cursor.last_modified = newest.isoformat() if newest else ""
    cursor.polled_at = timezone.now()
    cursor.save(update_fields=["last_modified", "polled_at"])
    return updated


def poll_all() -> dict[int, int]:
    """Poll every company that has an active provider connection (the periodic task)."""
    from haulbill.providers.models import ProviderConnection

    results: dict[int, int] = {}
    company_ids = ProviderConnection.objects.filter(is_active=True).values_list("company_id", flat=True).distinct()
    for company in Company.objects.filter(pk__in=list(company_ids)):
        try:
            results[company.pk] = poll_statuses(company)
        except ProviderError as exc:
            log.warning("status polling of company %s failed: %s", company.pk, exc.code)
    return results


def _parse(value: str) -> dt.datetime | None:
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        return None


def is_overdue(invoice: Invoice, today: dt.date | None = None) -> bool:
    """A finalised invoice (a credit note is not paid by the customer), not paid, and past its due date."""
    today = today or timezone.localdate()
    return (
        invoice.status == InvoiceStatus.FINALISED
        and invoice.kind == InvoiceKind.INVOICE
        and not invoice.paid
        and invoice.due_date is not None
        and invoice.due_date < today
    )
