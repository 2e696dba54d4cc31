"""Run a service as a tracked job, reporting progress to the Job row (web) and to a callback (CLI bar)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from haulbill.core.errors import HaulbillError
from haulbill.tenancy.models import Company

from .models import Job, JobStatus

log = logging.getLogger(__name__)

ProgressCallback = Callable[[int, int | None], None]


def create_job(company: Company, kind: str, *, user: Any = None, params: dict[str, Any] | None = None) -> Job:
    return Job.objects.create(company=company, kind=kind, params=params or {}, created_by=user)


class JobProgress:
    """A progress callback that writes to the Job at most every `interval` seconds (and always at the end)."""

    def __init__(self, job: Job, echo: ProgressCallback | None = None, interval: float = 0.5) -> None:
        self.job = job
        self.echo = echo
        self.interval = interval
        self._last = 0.0

    def __call__(self, done: int, total: int | None = None) -> None:
        if self.echo:
            self.echo(done, total)
        now = time.monotonic()
        if now - self._last < self.interval and (total is None or done < total):
            return
        self._last = now
        Job.objects.filter(pk=self.job.pk).update(done=done, total=total, heartbeat_at=timezone.now())


def run_job(job: Job, work: Callable[[ProgressCallback], dict[str, Any]], echo: ProgressCallback | None = None) -> Job:
    """Run `work(progress)` for a queued job; a finished job is not run again (a repeated task is harmless)."""
    with transaction.atomic():
        locked = Job.objects.select_for_update().get(pk=job.pk)
        if locked.status != JobStatus.QUEUED:
            return locked
        locked.status = JobStatus.RUNNING
        locked.started_at = timezone.now()
        locked.save(update_fields=["status", "started_at"])
    progress = JobProgress(locked, echo)
    try:
        result = work(progress)
    except HaulbillError as exc:
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED, error_code=exc.code, error_message=exc.message, finished_at=timezone.now()
        )
    except Exception as exc:  # a job must always end; the log keeps the traceback
        log.exception("job %s (%s) failed", job.pk, job.kind)
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED,
            error_code="unexpected",
            error_message=f"{type(exc).__name__}: {exc}"[:500],
            finished_at=timezone.now(),
        )
    else:
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.SUCCEEDED,
            result=result,
            finished_at=timezone.now(),
            done=_final_done(job),
        )
    return Job.objects.get(pk=job.pk)


def _final_done(job: Job) -> int:
    row = Job.objects.filter(pk=job.pk).values_list("done", "total").first()
    if row is None:
        return 0
    done, total = row
    return int(total or done or 0)
