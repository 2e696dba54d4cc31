"""Background work for invoicing: the task loads its Job and runs the service (state lives in the Job and run)."""

from __future__ import annotations

import datetime as dt

from huey.contrib.djhuey import db_task

from haulbill.core.jobs import run_job
from haulbill.core.models import Job

from . import services


@db_task()
def finalise_run_task(job_id: int) -> None:
    job = Job.objects.select_related("company").get(pk=job_id)
    issue_date = dt.date.fromisoformat(job.params["issue_date"]) if job.params.get("issue_date") else None
    run_job(
        job,
        lambda progress: services.finalise_run(
            job.company, int(job.params["run_id"]), issue_date=issue_date, progress=progress
        ),
    )
