"""Huey tasks: each one only nudges — it reads the state it needs from the database and calls a service.

A task can be lost (worker killed) or run twice (sweeper and a slow worker): the claims in the services make
both harmless, and the periodic sweeper finds whatever a lost task left behind.
"""

from __future__ import annotations

import logging
from typing import Any

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from haulbill.tenancy.models import Company

log = logging.getLogger(__name__)


def _company(company_id: int) -> Company | None:
    return Company.objects.filter(pk=company_id).first()


@db_task()
def process_run_task(company_id: int, run_id: int, send: bool = False) -> dict[str, Any] | None:
    from . import runs

    company = _company(company_id)
    return None if company is None else runs.process(company, run_id, send=send)


@db_task()
def push_invoices_task(company_id: int, invoice_ids: list[int]) -> dict[str, Any] | None:
    from . import push

    company = _company(company_id)
    return None if company is None else push.push_many(company, invoice_ids).as_dict()


@db_task()
def send_invoices_task(company_id: int, invoice_ids: list[int]) -> dict[str, int] | None:
    from . import sending

    company = _company(company_id)
    return None if company is None else sending.send_many(company, invoice_ids)


@db_periodic_task(crontab(minute="*"))
def sweep_task() -> dict[str, int]:
    from . import sweeper

    return sweeper.sweep().as_dict()


@db_periodic_task(crontab(minute="*/5"))
def poll_statuses_task() -> dict[int, int]:
    """For installations that cannot receive webhooks; harmless (and cheap) where they can."""
    from . import status

    return status.poll_all()
