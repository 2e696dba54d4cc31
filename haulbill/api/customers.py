"""Customers: list, read, create, update, link and unlink the invoicing ID, start automatic linking."""

import datetime as dt
from typing import Literal

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from haulbill.addressbook import editing, selectors
from haulbill.addressbook import services as linking_services
from haulbill.addressbook.models import Customer
from haulbill.core.models import Job
from haulbill.tenancy.models import Role

from .auth import acting
from .errors import ErrorOut
from .idempotency import OPENAPI as IDEMPOTENT
from .idempotency import idempotent
from .lookup import get_or_404
from .pagination import LimitOffset
from .schemas import InSchema, JobOut

router = Router()

Language = Literal["en", "fr", "nl"]
VatRegime = Literal["", "domestic", "intra_eu", "export", "exempt"]
SendMethod = Literal["", "peppol", "email"]


class CustomerOut(Schema):
    id: int
    reference: str
    name: str
    vat_number: str
    enterprise_number: str
    street: str
    postcode: str
    city: str
    country: str
    email: str
    language: str
    invoicing_provider: str
    invoicing_id: str
    payment_delay_days: int | None
    vat_regime: str
    invoice_reference: str
    peppol_identifier: str
    invoice_per_transport: bool
    send_method: str
    is_active: bool
    created_at: dt.datetime
    updated_at: dt.datetime


class CustomerFields(InSchema):
    reference: str = Field("", max_length=50, description="The customer's reference in your TMS (unique).")
    vat_number: str = Field("", max_length=20, description="Any usual spelling; stored compact, e.g. BE0477472701.")
    enterprise_number: str = Field("", max_length=20)
    street: str = Field("", max_length=200)
    postcode: str = Field("", max_length=20)
    city: str = Field("", max_length=100)
    country: str = Field("BE", pattern=r"^[A-Za-z]{2}$", description="ISO 3166-1 alpha-2 code.")
    email: str = Field("", max_length=254)
    language: Language = "en"
    payment_delay_days: int | None = Field(None, ge=0, le=3650, description="Empty: the company's default.")
    vat_regime: VatRegime = ""
    invoice_reference: str = Field("", max_length=100)
    invoice_per_transport: bool = False
    send_method: SendMethod = ""
    is_active: bool = True


class CustomerIn(CustomerFields):
    name: str = Field(..., min_length=1, max_length=200)


class CustomerPatch(CustomerFields):
    """Only the fields sent are changed."""

    name: str = Field("", min_length=1, max_length=200)


class CustomerFilters(InSchema):
    search: str = Field("", max_length=100, description="Name, VAT number, reference, city or invoicing ID.")
    linked: Literal["", "yes", "no"] = Field("", description="yes: with an invoicing ID; no: without.")
    reference: str = Field("", max_length=50, description="Exact TMS reference.")


@router.get("", response=list[CustomerOut])
@paginate(LimitOffset)
def list_customers(request: HttpRequest, filters: Query[CustomerFilters]) -> QuerySet[Customer]:
    membership = acting(request)
    qs = selectors.customers(membership.company, search=filters.search.strip(), linked=filters.linked)
    if filters.reference:
        qs = qs.filter(reference=filters.reference)
    return qs


@router.post("", response={201: CustomerOut, 403: ErrorOut, 409: ErrorOut, 422: ErrorOut}, openapi_extra=IDEMPOTENT)
@idempotent
def create_customer(request: HttpRequest, payload: CustomerIn) -> Status[Customer]:
    membership = acting(request, Role.INVOICER)
    return Status(201, editing.create_customer(membership.company, payload.dict(), user=membership.user))


# Before the /{customer_id} routes: Django tries URL patterns in order and "auto-link" would match those first.
@router.post(
    "/auto-link",
    response={202: JobOut, 403: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    openapi_extra=IDEMPOTENT,
    summary="Start automatic linking",
)
@idempotent
def start_auto_link(request: HttpRequest) -> Status[Job]:
    """Links the unambiguous matches and proposes the rest for review on the linking page; poll the job."""
    membership = acting(request, Role.INVOICER)
    linking_services.provider_or_error(membership.company)
    job = linking_services.start_job(membership.company, linking_services.LINK_JOB, user=membership.user)
    return Status(202, job)


@router.get("/{customer_id}", response={200: CustomerOut, 404: ErrorOut})
def get_customer(request: HttpRequest, customer_id: int) -> Customer:
    membership = acting(request)
    return get_or_404(membership.company, Customer, customer_id)


@router.patch("/{customer_id}", response={200: CustomerOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut})
def update_customer(request: HttpRequest, customer_id: int, payload: CustomerPatch) -> Customer:
    membership = acting(request)
    customer = get_or_404(membership.company, Customer, customer_id)
    acting(request, Role.INVOICER)
    return editing.update_customer(membership.company, customer, payload.dict(exclude_unset=True), user=membership.user)


class InvoicingIdIn(InSchema):
    invoicing_id: str = Field(
        ..., min_length=1, max_length=200, description="The ID in the invoicing platform, or Billit's whole address."
    )


@router.put(
    "/{customer_id}/invoicing-id",
    response={200: CustomerOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut, 502: ErrorOut},
    summary="Link the customer to its invoicing ID",
)
def link_customer(request: HttpRequest, customer_id: int, payload: InvoicingIdIn) -> Customer:
    """The ID is checked with the invoicing platform first; an unknown or already-linked ID is refused."""
    membership = acting(request)
    customer = get_or_404(membership.company, Customer, customer_id)
    acting(request, Role.INVOICER)
    return linking_services.link_customer(membership.company, customer, payload.invoicing_id, by=membership.user)


@router.delete(
    "/{customer_id}/invoicing-id",
    response={200: CustomerOut, 403: ErrorOut, 404: ErrorOut},
    summary="Unlink the customer from its invoicing ID",
)
def unlink_customer(request: HttpRequest, customer_id: int) -> Customer:
    membership = acting(request)
    customer = get_or_404(membership.company, Customer, customer_id)
    acting(request, Role.INVOICER)
    return linking_services.unlink_customer(membership.company, customer, by=membership.user)
