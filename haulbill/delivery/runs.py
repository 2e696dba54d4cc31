"""A run from confirmation to the provider: the engine finalises, delivery pushes (and sends).

Finalising has one home, the engine's `invoicing.services.finalise_run` (resumable: a run a crash left
"finalising" is taken up again, invoices already finalised are skipped, numbers stay gapless). This module only
orchestrates what follows for the workers and the CLI: ask for sending, then push here and now or queue the
pushes in chunks for the workers.
"""

from __future__ import annotations

import logging
from typing import Any

from haulbill.core.errors import HaulbillError
from haulbill.invoicing import services
from haulbill.invoicing.models import InvoicingRun, RunStatus
from haulbill.tenancy.models import Company

from . import push, sending

log = logging.getLogger(__name__)


def process(company: Company, run_id: int, *, send: bool = False, inline: bool = False) -> dict[str, Any]:
    """Finalise (or resume finalising), then push: queued for the workers, or here and now (`inline`).

    A task can run twice: a run already done is not finalised again, its documents still waiting are pushed.
    """
    try:
        result = services.finalise_run(company, run_id, resume=True, hand_over=False)
    except HaulbillError as exc:
        done = InvoicingRun.objects.for_company(company).filter(pk=run_id, status=RunStatus.DONE).exists()
        if exc.code != "run_not_waiting" or not done:
            raise
        result = {"run_id": run_id, "already_done": True}
    if send:
        sending.request(company, push.pending_of_run(company, run_id).values_list("id", flat=True))
    if inline:
        result["push"] = push.push_run(company, run_id).as_dict()
    else:
        result["tasks"] = push.schedule_run(company, run_id)
    return result
