"""The API's periodic housekeeping, run by the Huey consumer (`haulbill run_huey`)."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import idempotency

log = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="17"))
def purge_idempotency_keys_task() -> int:
    """Idempotency keys are only replayed for 24 hours; an hourly purge keeps the table at about a day of keys.

    Idempotent by nature: a lost or doubled run deletes nothing that is still needed."""
    deleted = idempotency.purge_expired()
    if deleted:
        log.info("purged %d expired idempotency keys", deleted)
    return deleted
