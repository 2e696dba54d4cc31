"""Invoices and credit notes: list, detail, PDF, UBL, retry a push, send, issue a credit note."""

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from haulbill.core import audit
from haulbill.core.errors import HaulbillError
from haulbill.invoicing import services
from haulbill.invoicing.models import Invoice
from haulbill.tenancy.models import Role

from .auth import acting
from .errors import ErrorOut
from .idempotency import OPENAPI as IDEMPOTENT
from .idempotency import idempotent
from .lookup import MAX_ID, get_or_404
from .pagination import LimitOffset
from .schemas import InSchema

PREFIX = "/invoices"
TAGS = ["invoices and credit notes"]
router = Router()


class InvoiceLineOut(Schema):
    id: int
    transport_id: int | None
    item_code: str
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    vat_category: str


class InvoiceOut(Schema):
    id: int
    kind: str
    status: str
    number: str
    customer_id: int
    run_id: int | None
    credited_invoice_id: int | None
    currency: str
    issue_date: dt.date | None
    due_date: dt.date | None
    total_excl: Decimal
    total_vat: Decimal
    total_incl: Decimal
    push_state: str
    send_state: str
    created_at: dt.datetime
    finalised_at: dt.datetime | None


class InvoiceDetailOut(InvoiceOut):
    lines: list[InvoiceLineOut]

    @staticmethod
    def resolve_lines(obj: Invoice) -> list[Any]:
        return list(obj.lines.all())


class InvoiceFilters(InSchema):
    kind: Literal["invoice", "credit_note"] | None = None
    status: Literal["draft", "finalised", "cancelled"] | None = None
    customer_id: int | None = Field(None, ge=1, le=MAX_ID)
    number: str = Field("", max_length=40)
    date_from: dt.date | None = Field(None, description="Issue date on or after.")
    date_to: dt.date | None = Field(None, description="Issue date on or before.")


class CreditLineIn(InSchema):
    line_id: int = Field(..., ge=1, le=MAX_ID)
    quantity: Decimal = Field(..., gt=0, max_digits=14, decimal_places=3)


class CreditNoteIn(InSchema):
    lines: list[CreditLineIn] | None = Field(None, max_length=1000, description="Empty: credit all that remains.")
    issue_date: dt.date | None = None


@router.get("", response=list[InvoiceOut])
@paginate(LimitOffset)
def list_invoices(request: HttpRequest, filters: Query[InvoiceFilters]) -> QuerySet[Invoice]:
    qs = Invoice.objects.for_company(acting(request).company).order_by("-created_at", "-id")
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.customer_id:
        qs = qs.filter(customer_id=filters.customer_id)
    if filters.number:
        qs = qs.filter(number=filters.number)
    if filters.date_from:
        qs = qs.filter(issue_date__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(issue_date__lte=filters.date_to)
    return qs


@router.get("/{invoice_id}", response={200: InvoiceDetailOut, 404: ErrorOut})
def get_invoice(request: HttpRequest, invoice_id: int) -> Invoice:
    return get_or_404(acting(request).company, Invoice, invoice_id)


@router.get(
    "/{invoice_id}/pdf",
    response={200: None, 404: ErrorOut},
    openapi_extra={"responses": {"200": {"description": "The PDF", "content": {"application/pdf": {}}}}},
)
def invoice_pdf(request: HttpRequest, invoice_id: int) -> HttpResponse:
    invoice = get_or_404(acting(request).company, Invoice, invoice_id)
    from haulbill.invoicing.pdf import render_pdf

    content = bytes(invoice.pdf) if invoice.pdf else render_pdf(invoice)
    response = HttpResponse(content, content_type="application/pdf")
    from haulbill.einvoice.from_invoice import ubl_filename

    # The same safe stem as the UBL file: a number like "F/2026/1" or one with a quote must not break the header.
    stem = ubl_filename(invoice).removesuffix(".xml") if invoice.number else f"draft-{invoice.pk}"
    response["Content-Disposition"] = f'inline; filename="{stem}.pdf"'
    return response


@router.get(
    "/{invoice_id}/ubl",
    response={200: None, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut, 500: ErrorOut},
    openapi_extra={
        "responses": {
            "200": {"description": "Peppol BIS 3.0 UBL", "content": {"application/xml": {}}},
            "409": {"description": "A draft has no number yet, so no e-invoice: finalise it first."},
            "422": {"description": "The data cannot make a valid Peppol document; the message lists each problem."},
            "500": {"description": "The e-invoice would not add up to the invoice; nothing was built."},
        }
    },
)
def invoice_ubl(request: HttpRequest, invoice_id: int) -> HttpResponse:
    """The e-invoice of any numbered document: a finalised one, and also one cancelled or credited since (it
    keeps its number and its e-invoice). The rules are the service's (`ubl_attachment`), as on the page."""
    invoice = get_or_404(acting(request).company, Invoice, invoice_id)
    from haulbill.einvoice.from_invoice import ubl_attachment

    filename, xml = ubl_attachment(invoice)
    response = HttpResponse(xml, content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@router.post(
    "/{invoice_id}/retry-push",
    response={200: InvoiceOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    openapi_extra={"responses": {"409": {"description": "The invoice is not waiting after a failed push."}}},
)
def retry_push(request: HttpRequest, invoice_id: int) -> Invoice:
    """Pushes a failed invoice or credit note again, as the retry button on the push page does."""
    membership = acting(request)
    invoice = get_or_404(membership.company, Invoice, invoice_id)
    acting(request, Role.INVOICER)
    from haulbill.delivery import push

    if not push.retry(membership.company, [invoice.pk]):
        raise HaulbillError(
            "push_not_failed",
            _("%(invoice)s has no failed push to retry (its push state is %(state)s).")
            % {"invoice": invoice, "state": invoice.get_push_state_display()},
            status=409,
        )
    invoice.refresh_from_db()
    audit.record(
        membership.company, membership.user, audit.INVOICE_PUSH_RETRIED, invoice, push_state=invoice.push_state
    )
    return invoice


@router.post("/{invoice_id}/send", response={200: InvoiceOut, 403: ErrorOut, 404: ErrorOut})
def send_invoice(request: HttpRequest, invoice_id: int) -> Invoice:
    """Sends a pushed invoice now (Peppol or e-mail, as the customer prefers); one not pushed yet is sent after
    its push. The outcome is in `send_state` (sent, failed with the reason, skipped)."""
    membership = acting(request)
    invoice = get_or_404(membership.company, Invoice, invoice_id)
    acting(request, Role.INVOICER)
    from haulbill.delivery import sending

    outcome = sending.send_now(membership.company, [invoice.pk])
    audit.record(membership.company, membership.user, audit.INVOICE_SENT, invoice, outcome=outcome)
    invoice.refresh_from_db()
    return invoice


@router.post(
    "/{invoice_id}/credit-notes",
    response={201: InvoiceDetailOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    openapi_extra=IDEMPOTENT,
    summary="Issue a credit note for an invoice",
)
@idempotent
def issue_credit_note(request: HttpRequest, invoice_id: int, payload: CreditNoteIn) -> Status[Invoice]:
    membership = acting(request)
    invoice = get_or_404(membership.company, Invoice, invoice_id)
    acting(request, Role.INVOICER)
    quantities = {line.line_id: line.quantity for line in payload.lines} if payload.lines else None
    note = services.credit(
        membership.company, invoice.pk, quantities=quantities, issue_date=payload.issue_date, user=membership.user
    )
    return Status(201, note)
