"""Background work for the catalog: the task only loads the Job and runs the service (state lives in the Job)."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from haulbill.core.jobs import run_job
from haulbill.core.models import Job

from . import services


@db_task()
def sync_catalog_task(job_id: int) -> None:
    job = Job.objects.select_related("company").get(pk=job_id)
    run_job(job, lambda progress: services.sync_catalog(job.company, progress).as_dict())
