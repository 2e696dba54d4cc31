"""Products: the catalog synchronised from the invoicing provider; list it or start a synchronisation."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from haulbill.catalog import selectors, services
from haulbill.catalog.models import Product
from haulbill.core import audit
from haulbill.core.models import Job
from haulbill.tenancy.models import Role

from .auth import acting
from .errors import ErrorOut
from .idempotency import OPENAPI as IDEMPOTENT
from .idempotency import idempotent
from .pagination import LimitOffset
from .schemas import InSchema, JobOut

router = Router()


class ProductOut(Schema):
    id: int
    item_code: str
    name: str
    unit: str
    unit_price: Decimal
    vat_rate: Decimal | None
    vat_level: str
    provider: str
    provider_product_id: str
    is_fuel_surcharge: bool
    is_active: bool
    last_synced_at: dt.datetime | None


class ProductFilters(InSchema):
    search: str = Field("", max_length=100, description="Item code or name.")
    active: Literal["", "yes", "no"] = ""
    item_code: str = Field("", max_length=60, description="Exact item code.")


@router.get("", response=list[ProductOut])
@paginate(LimitOffset)
def list_products(request: HttpRequest, filters: Query[ProductFilters]) -> QuerySet[Product]:
    membership = acting(request)
    qs = selectors.products(membership.company, search=filters.search.strip(), active=filters.active)
    if filters.item_code:
        qs = qs.filter(item_code=filters.item_code)
    return qs


@router.post(
    "/sync",
    response={202: JobOut, 403: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    openapi_extra=IDEMPOTENT,
    summary="Start a catalog synchronisation",
)
@idempotent
def start_sync(request: HttpRequest) -> Status[Job]:
    """Reads the provider's products and VAT rates in the background; poll the returned job."""
    membership = acting(request, Role.INVOICER)
    job = services.start_catalog_sync(membership.company, user=membership.user)
    audit.record(membership.company, membership.user, audit.CATALOG_SYNC_STARTED, job)
    return Status(202, job)
