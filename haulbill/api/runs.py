"""Invoicing runs: pre-flight a selection (nothing written), start a run (drafts), confirm it, read its status."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from pydantic import model_validator

from haulbill.addressbook.models import Customer
from haulbill.core.errors import HaulbillError
from haulbill.invoicing import services
from haulbill.invoicing.models import InvoicingRun
from haulbill.invoicing.selection import Selection
from haulbill.tenancy.models import Role

from .auth import acting
from .errors import ErrorOut
from .idempotency import OPENAPI as IDEMPOTENT
from .idempotency import idempotent
from .lookup import MAX_ID, get_or_404
from .schemas import InSchema

PREFIX = "/invoicing-runs"
TAGS = ["invoicing runs"]
router = Router()


class SelectionIn(InSchema):
    date_from: dt.date | None = Field(None, description="First service date; empty: no lower bound.")
    date_to: dt.date | None = Field(None, description="Last service date; empty: no upper bound.")
    customer_ids: list[int] = Field(default_factory=list, max_length=1000, description="Empty: every customer.")

    @model_validator(mode="after")
    def _period(self) -> "SelectionIn":
        if self.date_from and self.date_to and self.date_to < self.date_from:
            raise ValueError(_("date_to is before date_from."))
        return self

    def to_selection(self, company: Any) -> Selection:
        """Customer ids must be the company's own: another company's id is refused, not silently dropped."""
        wanted = {i for i in self.customer_ids if 0 < i <= MAX_ID}
        known = set(Customer.objects.for_company(company).filter(pk__in=wanted).values_list("pk", flat=True))
        unknown = sorted(set(self.customer_ids) - known)
        if unknown:
            raise HaulbillError(
                "customer_unknown",
                _("No customer with id %(id)s in your company.") % {"id": unknown[0]},
                field="customer_ids",
                status=422,
            )
        return Selection(self.date_from, self.date_to, tuple(sorted(known)))


class PreflightOut(Schema):
    ok: bool
    transports: int
    report: dict[str, Any]


class RunOut(Schema):
    id: int
    status: str
    params: dict[str, Any]
    report: dict[str, Any]
    transports_count: int
    drafts_count: int
    blocked_count: int
    finalised_count: int
    created_at: dt.datetime
    finished_at: dt.datetime | None


class ConfirmIn(InSchema):
    issue_date: dt.date | None = Field(None, description="Empty: today.")


@router.post("/preflight", response={200: PreflightOut, 403: ErrorOut, 422: ErrorOut}, summary="Pre-flight a selection")
def preflight(request: HttpRequest, payload: SelectionIn) -> dict[str, Any]:
    """What would block which customer or transport; nothing is written."""
    membership = acting(request, Role.INVOICER)
    batch, report = services.check_selection(membership.company, payload.to_selection(membership.company))
    return {"ok": report.ok, "transports": len(batch.transports), "report": report.as_json()}


@router.post("", response={201: RunOut, 403: ErrorOut, 409: ErrorOut, 422: ErrorOut}, openapi_extra=IDEMPOTENT)
@idempotent
def create_run(request: HttpRequest, payload: SelectionIn) -> Status[InvoicingRun]:
    """Selects, pre-flights and drafts; confirm with POST /invoicing-runs/{run_id}/confirm."""
    membership = acting(request, Role.INVOICER)
    run = services.start_run(membership.company, payload.to_selection(membership.company), user=membership.user)
    return Status(201, run)


@router.get("/{run_id}", response={200: RunOut, 404: ErrorOut})
def get_run(request: HttpRequest, run_id: int) -> InvoicingRun:
    return get_or_404(acting(request).company, InvoicingRun, run_id)


@router.post("/{run_id}/confirm", response={200: RunOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut})
def confirm_run(request: HttpRequest, run_id: int, payload: ConfirmIn) -> InvoicingRun:
    """Finalises the unblocked drafts (numbers given) and pushes them to the provider."""
    membership = acting(request)
    run = get_or_404(membership.company, InvoicingRun, run_id)
    acting(request, Role.INVOICER)
    services.finalise_run(membership.company, run.pk, issue_date=payload.issue_date)
    run.refresh_from_db()
    return run
