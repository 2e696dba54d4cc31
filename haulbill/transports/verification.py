"""Verification: the last human check of a done transport before it may be invoiced.

The invoicing engine only selects verified transports (`verified_at` set). Control badges show what usually goes
wrong (no price, a price line without item code, no delivery date, a quantity or weight of zero) and which item
codes Haulbill suggested and nobody confirmed yet; they inform the person verifying and do not block: the pre-flight blocks what cannot be invoiced. A transport can be un-verified
until it is invoiced; un-verifying takes it off any draft invoice, so a draft never holds an unverified transport.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from haulbill.core.errors import HaulbillError
from haulbill.tenancy.models import Company

from .models import InvoicingStatus, PriceLine, Transport, TransportStatus

CHUNK = 500
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Badge:
    code: str
    message: str
    level: str = "bad"  # "warn": worth a look, nothing is wrong (a suggested item code)


def _line_badges(transport: Transport, lines: list[PriceLine]) -> list[Badge]:
    out: list[Badge] = []
    if not lines or sum((line.amount for line in lines), Decimal("0")) == 0:
        out.append(Badge("no_price", _("No price: add the price lines of this transport.")))
    missing = [line for line in lines if line.product_id is None]
    if missing:
        out.append(
            Badge(
                "line_without_item_code",
                ngettext(
                    "%(n)d price line without item code: choose its product.",
                    "%(n)d price lines without item code: choose their product.",
                    len(missing),
                )
                % {"n": len(missing)},
            )
        )
    suggested = [line for line in lines if line.product_id is not None and line.product_suggested]
    if suggested:
        out.append(
            Badge(
                "item_code_suggested",
                ngettext(
                    "%(n)d item code suggested by Haulbill: confirm or change it.",
                    "%(n)d item codes suggested by Haulbill: confirm or change them.",
                    len(suggested),
                )
                % {"n": len(suggested)},
                level="warn",
            )
        )
    if any(line.quantity == 0 for line in lines):
        out.append(Badge("zero_quantity", _("A price line has a quantity of zero.")))
    return out


def badges(transport: Transport, lines: Iterable[PriceLine] | None = None) -> list[Badge]:
    """The control badges of one transport (pass `lines` when they are already loaded)."""
    line_list = list(transport.price_lines.all() if lines is None else lines)
    out = _line_badges(transport, line_list)
    if transport.unloading_date is None:
        out.append(Badge("no_delivery_date", _("No delivery date: enter the unloading date.")))
    if transport.weight_kg is not None and transport.weight_kg == 0:
        out.append(Badge("zero_weight", _("The weight is zero: enter the weight transported.")))
    return out


def has_suggestions(found: Iterable[Badge]) -> bool:
    """Whether these badges include item codes waiting for a person's confirmation."""
    return any(b.code == "item_code_suggested" for b in found)


def badges_for(company: Company, transports: Iterable[Transport]) -> dict[int, list[Badge]]:
    """Badges of many transports in one query for all their price lines (list pages)."""
    rows = list(transports)
    lines: dict[int, list[PriceLine]] = {t.pk: [] for t in rows}
    for line in PriceLine.objects.for_company(company).filter(transport_id__in=list(lines)):
        lines[line.transport_id].append(line)
    return {t.pk: badges(t, lines[t.pk]) for t in rows}


def verifiable(company: Company) -> QuerySet[Transport]:
    """Done, not invoiced transports: the ones that can be verified or un-verified."""
    return Transport.objects.for_company(company).filter(
        status=TransportStatus.DONE, invoicing_status=InvoicingStatus.NOT_INVOICED
    )


def to_verify(
    company: Company,
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    customer_id: int | None = None,
) -> QuerySet[Transport]:
    qs = verifiable(company).filter(verified_at__isnull=True)
    if date_from:
        qs = qs.filter(unloading_date__gte=date_from)
    if date_to:
        qs = qs.filter(unloading_date__lte=date_to)
    if customer_id:
        qs = qs.filter(customer_id=customer_id)
    return qs.order_by("unloading_date", "id")


def _refuse_unless_verifiable(transport: Transport) -> None:
    if transport.invoicing_status != InvoicingStatus.NOT_INVOICED:
        raise HaulbillError(
            "transport_invoiced",
            _("Transport %(ref)s is invoiced: its verification can no longer change.") % {"ref": transport.reference},
            status=409,
        )
    if transport.status != TransportStatus.DONE:
        raise HaulbillError(
            "transport_not_done",
            _("Transport %(ref)s is not done: only a finished transport can be verified.")
            % {"ref": transport.reference},
            field="status",
            status=409,
        )


def _after_verification(company: Company, transport_ids: list[int]) -> None:
    """Fill suggested item codes into lines still without one, then compute the fuel surcharges (they depend on
    the products) now that the price is final."""
    from haulbill.catalog import suggestions
    from haulbill.fuel import services as fuel

    suggestions.fill(company, transport_ids=transport_ids)
    fuel.refresh_surcharges(company, transport_ids)


def verify(company: Company, transport_id: int, *, user: Any = None) -> Transport:
    with transaction.atomic():
        transport = Transport.objects.for_company(company).select_for_update().get(pk=transport_id)
        _refuse_unless_verifiable(transport)
        if transport.verified_at is None:
            Transport.objects.filter(pk=transport.pk).update(verified_at=timezone.now(), updated_at=timezone.now())
            _after_verification(company, [transport.pk])
        transport.refresh_from_db()
    return transport


def unverify(company: Company, transport_id: int, *, user: Any = None) -> Transport:
    with transaction.atomic():
        transport = Transport.objects.for_company(company).select_for_update().get(pk=transport_id)
        _refuse_unless_verifiable(transport)
        _take_off_drafts(company, [transport.pk])
        Transport.objects.filter(pk=transport.pk).update(verified_at=None, updated_at=timezone.now())
        transport.refresh_from_db()
    return transport


def _take_off_drafts(company: Company, transport_ids: list[int]) -> None:
    from haulbill.invoicing import drafts

    drafts.remove_transports(company, transport_ids)


@dataclass
class BulkResult:
    verified: int = 0
    skipped: int = 0


def verify_many(
    company: Company, transport_ids: Iterable[int], *, user: Any = None, progress: Progress | None = None
) -> BulkResult:
    """Verify many transports: chunks of one UPDATE each; invoiced or unfinished ones are skipped and counted."""
    ids = sorted(set(transport_ids))
    result = BulkResult()
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        with transaction.atomic():
            eligible = list(verifiable(company).filter(pk__in=chunk).values_list("pk", flat=True))
            now = timezone.now()
            newly = list(
                verifiable(company).filter(pk__in=eligible, verified_at__isnull=True).values_list("pk", flat=True)
            )
            Transport.objects.filter(pk__in=newly).update(verified_at=now, updated_at=now)
            if newly:
                _after_verification(company, newly)
        result.verified += len(eligible)
        result.skipped += len(chunk) - len(eligible)
        if progress:
            progress(min(start + CHUNK, len(ids)), len(ids))
    return result


def unverify_many(company: Company, transport_ids: Iterable[int], *, user: Any = None) -> BulkResult:
    ids = sorted(set(transport_ids))
    with transaction.atomic():
        eligible = list(verifiable(company).filter(pk__in=ids).values_list("pk", flat=True))
        _take_off_drafts(company, eligible)
        Transport.objects.filter(pk__in=eligible).update(verified_at=None, updated_at=timezone.now())
    return BulkResult(verified=len(eligible), skipped=len(ids) - len(eligible))
