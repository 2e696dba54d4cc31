"""Background work for the address book: each task loads its Job and runs one service (state lives in the Job)."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from haulbill.core.jobs import run_job
from haulbill.core.models import Job

from . import services


def _job(job_id: int) -> Job:
    return Job.objects.select_related("company").get(pk=job_id)


@db_task()
def link_customers_task(job_id: int) -> None:
    job = _job(job_id)
    run_job(job, lambda progress: services.link_customers(job.company, progress, user=job.created_by).as_dict())


@db_task()
def push_customers_task(job_id: int) -> None:
    job = _job(job_id)
    run_job(job, lambda progress: services.push_customers(job.company, progress).as_dict())


@db_task()
def import_customers_task(job_id: int) -> None:
    job = _job(job_id)
    run_job(job, lambda progress: services.import_customers(job.company, progress).as_dict())
