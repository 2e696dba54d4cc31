"""Background jobs started through the API (catalog sync, automatic linking): poll their status here."""

from django.http import HttpRequest
from ninja import Router

from haulbill.core.models import Job

from .auth import acting
from .errors import ErrorOut
from .lookup import get_or_404
from .schemas import JobOut

router = Router()


@router.get("/{job_id}", response={200: JobOut, 404: ErrorOut})
def get_job(request: HttpRequest, job_id: int) -> Job:
    membership = acting(request)
    return get_or_404(membership.company, Job, job_id)
