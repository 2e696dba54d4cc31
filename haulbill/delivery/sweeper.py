"""The sweeper: resumption is a query. It finds the work a crash or a lost task left behind and queues it again.

- invoices "pushing" whose lease expired, or whose worker process on this host is gone, go back to "to push";
- invoices "to push" (or failed but retryable) that no task has been queued for within the grace period are
  queued again; the claim makes a double queueing harmless;
- runs a crash left "finalising" are resumed;
- invoices waiting to be sent, or "sending" under a dead lease, are queued for sending;
- webhook receipts past their replay window are forgotten.
`now=True` is for an operator who knows no worker is running (after a machine crash): every lease is dead.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from haulbill.invoicing.models import Invoice, InvoiceStatus, InvoicingRun, PushState, RunStatus
from haulbill.tenancy.models import Company

from . import conf, sending
from .workers import db_retry, owner_is_gone

log = logging.getLogger(__name__)


@dataclass
class SweepReport:
    reclaimed: int = 0
    queued: int = 0
    runs_resumed: int = 0
    sends_queued: int = 0
    receipts_pruned: int = 0
    companies: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {
            "reclaimed": self.reclaimed,
            "queued": self.queued,
            "runs_resumed": self.runs_resumed,
            "sends_queued": self.sends_queued,
            "receipts_pruned": self.receipts_pruned,
        }


def _reclaim(now: dt.datetime, everything: bool) -> int:
    in_flight = Invoice.objects.filter(status=InvoiceStatus.FINALISED)
    stuck = Q(push_state=PushState.PUSHING) & (Q(push_lease_until__lt=now) | Q(push_lease_until__isnull=True))
    sending_stuck = Q(send_state=sending.SENDING) & (Q(push_lease_until__lt=now) | Q(push_lease_until__isnull=True))
    ids_push = set(in_flight.filter(stuck).values_list("id", flat=True))
    ids_send = set(in_flight.filter(sending_stuck).values_list("id", flat=True))
    if everything:
        ids_push |= set(in_flight.filter(push_state=PushState.PUSHING).values_list("id", flat=True))
        ids_send |= set(in_flight.filter(send_state=sending.SENDING).values_list("id", flat=True))
    else:
        for pk, owner, state in in_flight.filter(
            Q(push_state=PushState.PUSHING) | Q(send_state=sending.SENDING)
        ).values_list("id", "push_lease_owner", "send_state"):
            if owner and owner_is_gone(owner):
                (ids_send if state == sending.SENDING else ids_push).add(pk)
    reclaimed = 0
    if ids_push:
        reclaimed += db_retry(
            lambda: Invoice.objects.filter(pk__in=ids_push, push_state=PushState.PUSHING).update(
                push_state=PushState.TO_PUSH, push_lease_until=None, push_queued_at=None
            )
        )
    if ids_send:
        reclaimed += db_retry(
            lambda: Invoice.objects.filter(pk__in=ids_send, send_state=sending.SENDING).update(
                send_state=sending.TO_SEND, push_lease_until=None, push_queued_at=None
            )
        )
    return reclaimed


def sweep(*, now: bool = False) -> SweepReport:
    from . import tasks, webhooks

    moment = timezone.now()
    report = SweepReport()
    report.reclaimed = _reclaim(moment, now)
    grace = moment - dt.timedelta(seconds=0 if now else conf.queue_grace_seconds())

    # Runs a crash left half-finalised: the engine resumes them (numbered invoices kept, the rest finalised).
    stale_runs = InvoicingRun.objects.filter(status=RunStatus.FINALISING)
    for run in stale_runs:
        last = (
            Invoice.objects.filter(run=run, finalised_at__isnull=False).order_by("-finalised_at")
            .values_list("finalised_at", flat=True).first()
        )  # fmt: skip
        if now or (last or run.created_at) <= grace:
            tasks.process_run_task(run.company_id, run.pk)
            report.runs_resumed += 1

    waiting = (
        Invoice.objects.filter(status=InvoiceStatus.FINALISED)
        .filter(
            Q(push_state=PushState.TO_PUSH)
            | Q(push_state=PushState.FAILED, push_retryable=True, push_attempts__lt=conf.max_attempts())
        )
        .filter(Q(push_queued_at__isnull=True) | Q(push_queued_at__lte=grace))
    )
    by_company: dict[int, list[int]] = defaultdict(list)
    for company_id, pk in waiting.order_by("id").values_list("company_id", "id"):
        by_company[company_id].append(pk)
    to_send = Invoice.objects.filter(
        status=InvoiceStatus.FINALISED, push_state=PushState.PUSHED, send_state=sending.TO_SEND
    ).filter(Q(push_queued_at__isnull=True) | Q(push_queued_at__lte=grace))
    sends: dict[int, list[int]] = defaultdict(list)
    for company_id, pk in to_send.order_by("id").values_list("company_id", "id"):
        sends[company_id].append(pk)

    from . import push

    for company in Company.objects.filter(pk__in=set(by_company) | set(sends)):
        if by_company.get(company.pk):
            push.schedule(company, by_company[company.pk])
            report.queued += len(by_company[company.pk])
        if sends.get(company.pk):
            Invoice.objects.filter(pk__in=sends[company.pk]).update(push_queued_at=moment)
            tasks.send_invoices_task(company.pk, sends[company.pk])
            report.sends_queued += len(sends[company.pk])
        report.companies.append(company.pk)
    report.receipts_pruned = webhooks.prune_receipts()
    if report.reclaimed or report.queued or report.runs_resumed or report.sends_queued:
        log.info("sweeper: %s", report.as_dict())
    return report
