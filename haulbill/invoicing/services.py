"""The invoicing run, the one door the page, the API, the task and the command all use.

start_run: select the transports, pre-flight them and draft the invoices (one transaction for the drafts).
finalise_run: pre-flight again (things change between the report and the confirmation), then finalise each
unblocked draft in its own transaction (a failure costs that invoice only, never a number), then push them.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from haulbill.core import audit
from haulbill.core.errors import HaulbillError
from haulbill.tenancy.models import Company
from haulbill.transports.models import Transport

from . import drafting, preflight, pushing, selection
from .credit_notes import create_credit_note
from .finalising import finalise_invoice
from .models import Invoice, InvoiceLine, InvoiceStatus, InvoicingRun, RunStatus

__all__ = ["check_selection", "create_credit_note", "finalise_run", "invoice_run", "start_run"]

log = logging.getLogger(__name__)
Progress = Callable[[int, int | None], None]


def check_selection(company: Company, chosen: selection.Selection) -> tuple[selection.Batch, preflight.Report]:
    """Pre-flight only, nothing written (the `haulbill preflight` command and the API's dry run)."""
    batch = selection.load_selection(company, chosen)
    return batch, preflight.run(company, batch)


def start_run(company: Company, chosen: selection.Selection, *, user: Any = None) -> InvoicingRun:
    batch, report = check_selection(company, chosen)
    with transaction.atomic():
        run = InvoicingRun.objects.create(
            company=company,
            created_by=user if getattr(user, "pk", None) else None,
            params=chosen.as_params(),
            report=report.as_json(),
            transports_count=len(batch.transports),
        )
        drafts = drafting.draft(company, batch, run=run, user=user)
        run.drafts_count = len(drafts)
        run.blocked_count = sum(
            1
            for customer, transports in drafting.groups(batch)
            if report.blocks(customer.pk, [t.id for t in transports])
        )
        run.save(update_fields=["drafts_count", "blocked_count"])
        audit.record(company, user, audit.RUN_STARTED, run, drafts=run.drafts_count, transports=run.transports_count)
    return run


def _draft_groups(company: Company, run: InvoicingRun) -> dict[int, tuple[int, set[int]]]:
    """invoice id -> (customer id, transport ids) for the run's drafts, in one query."""
    out: dict[int, tuple[int, set[int]]] = {}
    rows = (
        InvoiceLine.objects.for_company(company)
        .filter(invoice__run=run, invoice__status=InvoiceStatus.DRAFT)
        .values_list("invoice_id", "invoice__customer_id", "transport_id")
    )
    for invoice_id, customer_id, transport_id in rows:
        entry = out.setdefault(invoice_id, (customer_id, set()))
        if transport_id:
            entry[1].add(transport_id)
    return out


def finalise_run(
    company: Company, run_id: int, *, issue_date: dt.date | None = None, progress: Progress | None = None
) -> dict[str, Any]:
    claimed = (
        InvoicingRun.objects.for_company(company)
        .filter(pk=run_id, status=RunStatus.DRAFTED)
        .update(status=RunStatus.FINALISING)
    )
    run = InvoicingRun.objects.for_company(company).get(pk=run_id)
    if not claimed:
        raise HaulbillError("run_not_waiting", _("This run was already confirmed."), status=409)
    try:
        return _finalise_run(company, run, issue_date, progress)
    except Exception:
        InvoicingRun.objects.filter(pk=run.pk).update(status=RunStatus.FAILED, finished_at=timezone.now())
        raise


def _finalise_run(
    company: Company, run: InvoicingRun, issue_date: dt.date | None, progress: Progress | None
) -> dict[str, Any]:
    groups = _draft_groups(company, run)
    transport_ids = {t for _c, ts in groups.values() for t in ts}
    batch = selection.load(company, Transport.objects.for_company(company).filter(pk__in=transport_ids))
    report = preflight.run(company, batch)
    ready = [pk for pk, (customer_id, ts) in sorted(groups.items()) if not report.blocks(customer_id, ts)]
    total = len(ready)
    finalised: list[int] = []
    failures: list[dict[str, Any]] = []
    if progress:
        progress(0, total)
    for done, invoice_id in enumerate(ready, start=1):
        try:
            finalise_invoice(company, invoice_id, issue_date=issue_date)
        except HaulbillError as exc:
            failures.append({"invoice_id": invoice_id, "code": exc.code, "message": exc.message})
            if exc.code == "issue_date_before_previous":
                break  # every following invoice would be refused for the same reason
        else:
            finalised.append(invoice_id)
            pushing.push(company, invoice_id)
        if progress:
            progress(done, total)
    numbers = list(
        Invoice.objects.for_company(company)
        .filter(pk__in=finalised)
        .order_by("sequence_value")
        .values_list("number", flat=True)
    )
    summary = {
        "summary": _("%(finalised)d invoices finalised, %(blocked)d held back, %(failed)d failed.")
        % {"finalised": len(finalised), "blocked": len(groups) - total, "failed": len(failures)},
        "run_id": run.pk,
        "finalised": len(finalised),
        "numbers": numbers,
        "blocked": len(groups) - total,
        "failed": failures,
        "problems": report.as_json(),
    }
    InvoicingRun.objects.filter(pk=run.pk).update(
        status=RunStatus.DONE,
        finished_at=timezone.now(),
        finalised_count=len(finalised),
        blocked_count=len(groups) - total,
        report=report.as_json(),
    )
    return summary


def invoice_run(
    company: Company,
    chosen: selection.Selection,
    *,
    finalise: bool = False,
    issue_date: dt.date | None = None,
    user: Any = None,
    progress: Progress | None = None,
) -> tuple[InvoicingRun, dict[str, Any] | None]:
    """Draft and pre-flight; with `finalise`, finalise the unblocked customers straight away (the CLI's path)."""
    run = start_run(company, chosen, user=user)
    if not finalise:
        return run, None
    return run, finalise_run(company, run.pk, issue_date=issue_date, progress=progress)


def push_pending(company: Company) -> int:
    """Push every finalised document still waiting (a retry after a provider outage)."""
    pending = (
        Invoice.objects.for_company(company)
        .filter(status=InvoiceStatus.FINALISED, push_state__in=["to_push", "failed"])
        .values_list("pk", flat=True)
    )
    count = 0
    for pk in list(pending):
        pushing.push(company, pk)
        count += 1
    return count


def credit(company: Company, invoice_id: int, **kwargs: Any) -> Invoice:
    """Issue a credit note and push it (kept here so every door goes through services)."""
    note = create_credit_note(company, invoice_id, **kwargs)
    return pushing.push(company, note.pk)
