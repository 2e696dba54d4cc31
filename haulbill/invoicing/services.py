"""The invoicing run, the one door the page, the API, the task and the command all use.

start_run: select the transports, pre-flight them and draft the invoices (one transaction for the drafts).
finalise_run: pre-flight again (things change between the report and the confirmation), then finalise each
unblocked draft in its own transaction (a failure costs that invoice only, never a number), resuming a run a
crash left half-finalised; then hand the finalised documents to haulbill.delivery, which pushes them
(concurrently, exactly once, resumable). The engine never pushes inline.
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

from . import drafting, following, preflight, selection
from .credit_notes import create_credit_note
from .finalising import finalise_invoice
from .models import Invoice, InvoiceLine, InvoiceStatus, InvoicingRun, PushState, RunStatus

__all__ = ["check_selection", "create_credit_note", "finalise_run", "invoice_run", "start_run"]

log = logging.getLogger(__name__)
Progress = Callable[[int, int | None], None]


def check_selection(company: Company, chosen: selection.Selection) -> tuple[selection.Batch, preflight.Report]:
    """Pre-flight only (the `haulbill preflight` command and the API's dry run): no draft, no number, no run.

    It may still fill empty item codes with their suggestion (marked "suggested"), as the transport page would:
    the report then shows what a run would really meet.
    """
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
    company: Company,
    run_id: int,
    *,
    issue_date: dt.date | None = None,
    progress: Progress | None = None,
    resume: bool = False,
    hand_over: bool = True,
) -> dict[str, Any]:
    """Finalise the run's unblocked drafts, then hand the finalised documents to delivery for pushing.

    The one finalise path of every door. A confirmation claims a "drafted" run (a second confirmation is refused);
    with `resume` a run that a crash left "finalising" is taken up again: its drafts already finalised are no
    longer drafts and are skipped, and each invoice is finalised in its own transaction with its number, so the
    numbers stay gapless and every transport is invoiced once. `hand_over=False` leaves the pushing to the
    caller (delivery's own orchestration, which pushes inline or queues it itself).
    """
    waiting = [RunStatus.DRAFTED, RunStatus.FINALISING] if resume else [RunStatus.DRAFTED]
    claimed = (
        InvoicingRun.objects.for_company(company)
        .filter(pk=run_id, status__in=waiting)
        .update(status=RunStatus.FINALISING)
    )
    run = InvoicingRun.objects.for_company(company).get(pk=run_id)
    if not claimed:
        raise HaulbillError("run_not_waiting", _("This run was already confirmed."), status=409)
    try:
        summary = _finalise_run(company, run, issue_date, progress)
    except Exception:
        InvoicingRun.objects.filter(pk=run.pk).update(status=RunStatus.FAILED, finished_at=timezone.now())
        raise
    if hand_over:
        summary["push_tasks"] = _hand_over(company, run.pk)
    return summary


def _hand_over(company: Company, run_id: int) -> int:
    """Queue the run's finalised documents for pushing; the number of tasks queued.

    Imported here, not at the top: haulbill.delivery imports this engine (its models and finalising), so a
    module-level import would be a cycle. The engine knows only delivery's public entry, and only at hand-over.
    """
    from haulbill.delivery import push

    return push.schedule_run(company, run_id)


def _finalise_run(
    company: Company, run: InvoicingRun, issue_date: dt.date | None, progress: Progress | None
) -> dict[str, Any]:
    groups = _draft_groups(company, run)
    ready: list[int] = []
    report: preflight.Report | None = None
    if groups:
        transport_ids = {t for _c, ts in groups.values() for t in ts}
        batch = selection.load(company, Transport.objects.for_company(company).filter(pk__in=transport_ids))
        report = preflight.run(company, batch)
        ready = [pk for pk, (customer_id, ts) in sorted(groups.items()) if not report.blocks(customer_id, ts)]
        following.follow_run(company, run.pk)  # a line fixed on its transport after drafting: its draft says so
    total = len(ready)
    failures: list[dict[str, Any]] = []
    if progress:
        progress(0, total)
    for done, invoice_id in enumerate(ready, start=1):
        try:
            finalise_invoice(company, invoice_id, issue_date=issue_date)
        except HaulbillError as exc:
            if exc.code != "invoice_not_draft":  # finalised meanwhile by a resumed run: nothing lost, no number
                failures.append({"invoice_id": invoice_id, "code": exc.code, "message": exc.message})
                if exc.code == "issue_date_before_previous":
                    break  # every following invoice would be refused for the same reason
        if progress:
            progress(done, total)
    # Counted over the whole run, so a resumed run reports what it holds, not only what this pass added.
    numbers = list(
        Invoice.objects.for_company(company)
        .filter(run=run, status=InvoiceStatus.FINALISED)
        .order_by("sequence_value")
        .values_list("number", flat=True)
    )
    blocked = len(groups) - total
    problems = report.as_json() if report is not None else run.report
    summary = {
        "summary": _("%(finalised)d invoices finalised, %(blocked)d held back, %(failed)d failed.")
        % {"finalised": len(numbers), "blocked": blocked, "failed": len(failures)},
        "run_id": run.pk,
        "finalised": len(numbers),
        "numbers": numbers,
        "blocked": blocked,
        "failed": failures,
        "problems": problems,
    }
    InvoicingRun.objects.filter(pk=run.pk).update(
        status=RunStatus.DONE,
        finished_at=timezone.now(),
        finalised_count=len(numbers),
        blocked_count=blocked,
        report=problems,
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
    """Push every finalised document still waiting, here and now (a retry after a provider outage)."""
    from haulbill.delivery import push  # not at the top: delivery imports this engine (see _hand_over)

    waiting = Invoice.objects.for_company(company).filter(
        status=InvoiceStatus.FINALISED, push_state__in=[PushState.TO_PUSH, PushState.FAILED]
    )
    pending = list(waiting.order_by("id").values_list("pk", flat=True))
    # Asked by a person: even a failure that was not to be retried automatically gets its chance again.
    waiting.filter(push_state=PushState.FAILED).update(push_state=PushState.TO_PUSH, push_retryable=True,
                                                       push_attempts=0)  # fmt: skip
    push.push_many(company, pending)
    return len(pending)


def credit(company: Company, invoice_id: int, **kwargs: Any) -> Invoice:
    """Issue a credit note and hand it to delivery for pushing (kept here so every door goes through services)."""
    from haulbill.delivery import push  # not at the top: delivery imports this engine (see _hand_over)

    note = create_credit_note(company, invoice_id, **kwargs)
    push.schedule(company, [note.pk])
    note.refresh_from_db()
    return note
