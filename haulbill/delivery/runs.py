"""A run from confirmation to the provider, resumable at every step: finalise the drafts, then push concurrently.

The engine's `invoicing.services.finalise_run` pushes each invoice inline, one at a time, and refuses a run that a
crash left "finalising". This module finalises the same way (the engine's `finalise_invoice`, one transaction per
invoice, the pre-flight run again first) but can resume a "finalising" run — invoices already finalised are
skipped, so numbers stay gapless and each transport is invoiced once — and leaves pushing to `push.py`.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from haulbill.core.errors import HaulbillError
from haulbill.invoicing import preflight, selection
from haulbill.invoicing.finalising import finalise_invoice
from haulbill.invoicing.models import Invoice, InvoiceLine, InvoiceStatus, InvoicingRun, RunStatus
from haulbill.tenancy.models import Company
from haulbill.transports.models import Transport

from . import push

log = logging.getLogger(__name__)
Progress = Callable[[int, int | None], None]


def _draft_groups(company: Company, run_id: int) -> dict[int, tuple[int, set[int]]]:
    out: dict[int, tuple[int, set[int]]] = {}
    rows = (
        InvoiceLine.objects.for_company(company)
        .filter(invoice__run_id=run_id, invoice__status=InvoiceStatus.DRAFT)
        .values_list("invoice_id", "invoice__customer_id", "transport_id")
    )
    for invoice_id, customer_id, transport_id in rows:
        entry = out.setdefault(invoice_id, (customer_id, set()))
        if transport_id:
            entry[1].add(transport_id)
    return out


def finalise(
    company: Company, run_id: int, *, issue_date: dt.date | None = None, progress: Progress | None = None
) -> dict[str, Any]:
    """Finalise the run's unblocked drafts (a confirmed run, or one a crash left half-finalised)."""
    InvoicingRun.objects.for_company(company).filter(pk=run_id, status=RunStatus.DRAFTED).update(
        status=RunStatus.FINALISING
    )
    run = InvoicingRun.objects.for_company(company).get(pk=run_id)
    if run.status not in (RunStatus.FINALISING, RunStatus.DONE):
        raise HaulbillError("run_not_waiting", _("This run cannot be finalised (it %(status)s).") % {
            "status": run.get_status_display().lower()}, status=409)  # fmt: skip
    groups = _draft_groups(company, run_id)
    failures: list[dict[str, Any]] = []
    ready: list[int] = []
    if groups:
        transport_ids = {t for _c, ts in groups.values() for t in ts}
        batch = selection.load(company, Transport.objects.for_company(company).filter(pk__in=transport_ids))
        report = preflight.run(company, batch)
        ready = [pk for pk, (customer_id, ts) in sorted(groups.items()) if not report.blocks(customer_id, ts)]
    if progress:
        progress(0, len(ready))
    for done, invoice_id in enumerate(ready, start=1):
        try:
            finalise_invoice(company, invoice_id, issue_date=issue_date)
        except HaulbillError as exc:
            if exc.code != "invoice_not_draft":  # another worker finalised it meanwhile: nothing lost
                failures.append({"invoice_id": invoice_id, "code": exc.code, "message": exc.message})
                if exc.code == "issue_date_before_previous":
                    break
        if progress:
            progress(done, len(ready))
    finalised = Invoice.objects.for_company(company).filter(run_id=run_id, status=InvoiceStatus.FINALISED).count()
    InvoicingRun.objects.for_company(company).filter(pk=run_id).update(
        status=RunStatus.DONE,
        finished_at=timezone.now(),
        finalised_count=finalised,
        blocked_count=len(groups) - len(ready),
    )
    return {"run_id": run_id, "finalised": finalised, "blocked": len(groups) - len(ready), "failed": failures}


def process(company: Company, run_id: int, *, send: bool = False, inline: bool = False) -> dict[str, Any]:
    """Finalise, then push: queued in chunks for the workers, or here and now (`inline`, the CLI's path)."""
    result = finalise(company, run_id)
    if send:
        from . import sending

        sending.request(company, push.pending_of_run(company, run_id).values_list("id", flat=True))
    if inline:
        result["push"] = push.push_run(company, run_id).as_dict()
    else:
        result["tasks"] = push.schedule_run(company, run_id, send=send)
    return result
