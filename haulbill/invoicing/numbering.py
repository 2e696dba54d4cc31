"""Gapless invoice and credit-note numbers.

Rules kept here:
- A number is given only at finalisation, by `allocate`, which must run inside the transaction that also marks the
  transports invoiced: a rollback returns the number with everything else, so the series never has a gap.
- The NumberSequence row of the series is locked (SELECT ... FOR UPDATE on PostgreSQL; on SQLite the IMMEDIATE
  transaction mode serialises writers), so two finalisations never read the same value.
- Numbers and dates stay chronological (Belgian rule): an invoice may not carry a later number but an earlier date
  than its predecessor, so `allocate` refuses an issue date earlier than the last finalised document's.
- With {year} in the format each year is its own series; the very first series of a kind starts at the configured
  first number (or at the provider's next number), later years at 1.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from haulbill.core.errors import HaulbillError
from haulbill.tenancy.models import Company

from .models import Invoice, InvoiceKind, InvoiceStatus, InvoicingSettings, NumberSequence, Provider, settings_for


@dataclass(frozen=True)
class Allocated:
    year: int  # 0 when the format does not reset yearly
    value: int
    number: str


def number_format(settings: InvoicingSettings, kind: str) -> str:
    return settings.credit_note_number_format if kind == InvoiceKind.CREDIT_NOTE else settings.number_format


def format_number(fmt: str, *, year: int, value: int) -> str:
    return fmt.format(year=year, seq=value)


def is_yearly(fmt: str) -> bool:
    return "{year" in fmt


def series_year(settings: InvoicingSettings, kind: str, issue_date: dt.date) -> int:
    return issue_date.year if is_yearly(number_format(settings, kind)) else 0


def trailing_number(value: str) -> int | None:
    """The counter at the end of a provider's number ("F2026-00057" -> 57), or None when it has no digits."""
    match = re.search(r"(\d+)\D*$", value or "")
    return int(match.group(1)) if match else None


def _configured_first(company: Company, settings: InvoicingSettings, kind: str) -> int:
    first = settings.first_credit_note_number if kind == InvoiceKind.CREDIT_NOTE else settings.first_invoice_number
    if settings.provider == Provider.BILLIT:
        # The provider's next number, read when the company connected, continues its existing series.
        from haulbill.providers.registry import active_connection

        connection = active_connection(company)
        if connection is not None:
            remote = (
                connection.next_credit_note_number
                if kind == InvoiceKind.CREDIT_NOTE
                else connection.next_invoice_number
            )
            parsed = trailing_number(remote)
            if parsed:
                return parsed
    return max(first, 1)


def _initial_value(company: Company, settings: InvoicingSettings, kind: str) -> int:
    if NumberSequence.objects.for_company(company).filter(kind=kind).exists():
        return 1  # a later year of a yearly series
    return _configured_first(company, settings, kind)


def peek(company: Company, kind: str, issue_date: dt.date | None = None) -> Allocated:
    """The number the next finalisation would get (no lock, nothing written)."""
    settings = settings_for(company)
    issue_date = issue_date or timezone.localdate()
    year = series_year(settings, kind, issue_date)
    row = NumberSequence.objects.for_company(company).filter(kind=kind, year=year).first()
    value = row.next_value if row else _initial_value(company, settings, kind)
    return Allocated(year, value, format_number(number_format(settings, kind), year=issue_date.year, value=value))


def last_issue_date(company: Company, kind: str) -> dt.date | None:
    done = Invoice.objects.for_company(company).filter(kind=kind).exclude(status=InvoiceStatus.DRAFT)
    return done.aggregate(last=Max("issue_date"))["last"]


def allocate(company: Company, kind: str, issue_date: dt.date) -> Allocated:
    """Take the next number of the series; must be called inside the finalising transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("numbering.allocate must run inside the transaction that finalises the invoice.")
    settings = settings_for(company)
    year = series_year(settings, kind, issue_date)
    sequences = NumberSequence.objects.for_company(company).select_for_update()
    row = sequences.filter(kind=kind, year=year).first()
    if row is None:
        initial = _initial_value(company, settings, kind)
        # Two first finalisations may race to create the row: one insert wins, the other waits and re-reads it.
        NumberSequence.objects.bulk_create(
            [NumberSequence(company=company, kind=kind, year=year, next_value=initial)], ignore_conflicts=True
        )
        row = sequences.get(kind=kind, year=year)
    previous = last_issue_date(company, kind)
    if previous is not None and issue_date < previous:
        raise HaulbillError(
            "issue_date_before_previous",
            _(
                "The issue date %(date)s is earlier than the last finalised document's date (%(previous)s): numbers "
                "and dates must stay in order. Use %(previous)s or a later date."
            )
            % {
                "date": date_format(issue_date, "SHORT_DATE_FORMAT"),
                "previous": date_format(previous, "SHORT_DATE_FORMAT"),
            },
            field="issue_date",
        )
    value = row.next_value
    row.next_value = value + 1
    row.save(update_fields=["next_value", "updated_at"])
    return Allocated(year, value, format_number(number_format(settings, kind), year=issue_date.year, value=value))


def lock_settings(company: Company) -> None:
    """Numbering settings cannot change once a document is finalised (the series would break)."""
    InvoicingSettings.objects.filter(company=company, numbering_locked_at__isnull=True).update(
        numbering_locked_at=timezone.now()
    )
