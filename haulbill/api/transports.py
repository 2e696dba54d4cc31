"""Transports with their price lines: list with filters, read, create, update while not invoiced, bulk create."""

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import model_validator

from haulbill.tenancy.models import Role
from haulbill.transports import selectors, services
from haulbill.transports.models import PriceLine, Transport

from .auth import acting
from .errors import ErrorOut
from .idempotency import OPENAPI as IDEMPOTENT
from .idempotency import idempotent
from .lookup import MAX_ID, get_or_404
from .pagination import LimitOffset
from .schemas import InSchema

router = Router()

TransportStatus = Literal["planned", "done", "cancelled"]
InvoicingStatus = Literal["not_invoiced", "invoiced", "credited"]
# Decimal bounds as the columns allow, so a value that validates here also fits the database.
Quantity = Field(Decimal("1"), max_digits=14, decimal_places=3)
UnitPrice = Field(None, max_digits=14, decimal_places=4)


class PriceLineOut(Schema):
    id: int
    position: int
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    amount: Decimal
    item_code: str | None
    item_code_suggested: bool = Field(
        description="Haulbill filled the item code (the only active product, or what this customer's earlier "
        "transports used for the same kind of line); it waits for a person to confirm or change it."
    )

    @staticmethod
    def resolve_item_code(obj: PriceLine) -> str | None:
        return obj.product.item_code if obj.product is not None else None

    @staticmethod
    def resolve_item_code_suggested(obj: PriceLine) -> bool:
        return obj.product_suggested


class TransportOut(Schema):
    id: int
    reference: str
    customer_id: int
    customer_reference: str
    customer_name: str
    loading_place: str
    loading_date: dt.date | None
    unloading_place: str
    unloading_date: dt.date | None
    weight_kg: Decimal | None
    distance_km: Decimal | None
    status: str
    invoicing_status: str
    is_editable: bool
    total_excl_vat: Decimal
    price_lines: list[PriceLineOut]
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_customer_reference(obj: Transport) -> str:
        return obj.customer.reference

    @staticmethod
    def resolve_customer_name(obj: Transport) -> str:
        return obj.customer.name

    @staticmethod
    def resolve_price_lines(obj: Transport) -> list[PriceLine]:
        return list(obj.price_lines.all())

    @staticmethod
    def resolve_total_excl_vat(obj: Transport) -> Decimal:
        return sum((line.amount for line in obj.price_lines.all()), Decimal("0.00"))


class PriceLineIn(InSchema):
    description: str = Field("", max_length=500, description="Empty: the product's name.")
    quantity: Decimal = Quantity
    unit: str = Field("", max_length=3, description="UN/ECE code (C62, HUR, KMT...). Empty: the product's unit.")
    unit_price: Decimal | None = UnitPrice
    item_code: str = Field("", max_length=60, description="The product's item code.")

    def to_input(self) -> services.LineInput:
        return services.LineInput(**self.dict())


class TransportFields(InSchema):
    customer_id: int | None = Field(None, ge=1, le=MAX_ID, description="The customer's id, or give customer_reference.")
    customer_reference: str = Field("", max_length=50, description="The customer's TMS reference.")
    loading_place: str = Field("", max_length=200)
    loading_date: dt.date | None = None
    unloading_place: str = Field("", max_length=200)
    unloading_date: dt.date | None = None
    weight_kg: Decimal | None = Field(None, max_digits=10, decimal_places=1, ge=0)
    distance_km: Decimal | None = Field(None, max_digits=8, decimal_places=1, ge=0)
    status: TransportStatus = "planned"


class TransportIn(TransportFields):
    reference: str = Field(..., min_length=1, max_length=50)
    price_lines: list[PriceLineIn] = Field(default_factory=list, max_length=200)

    def to_input(self) -> services.TransportInput:
        data = self.dict(exclude={"price_lines"})
        return services.TransportInput(**data, lines=[line.to_input() for line in self.price_lines])


class TransportPatch(TransportFields):
    """Only the fields sent are changed; `price_lines`, when sent, replaces all price lines."""

    reference: str = Field("", min_length=1, max_length=50)
    price_lines: list[PriceLineIn] = Field(default_factory=list, max_length=200)

    def changes(self) -> dict[str, Any]:
        data = self.dict(exclude_unset=True, exclude={"price_lines"})
        if "price_lines" in self.model_fields_set:
            data["lines"] = [line.to_input() for line in self.price_lines]
        return data


class BulkIn(InSchema):
    transports: list[TransportIn] = Field(..., min_length=1, max_length=services.MAX_BULK)


class BulkOut(Schema):
    created: int
    ids: list[int]


class TransportFilters(InSchema):
    status: TransportStatus | None = None
    invoicing_status: InvoicingStatus | None = None
    customer_id: int | None = Field(None, ge=1, le=MAX_ID)
    reference: str = Field("", max_length=50, description="Exact transport reference.")
    search: str = Field("", max_length=100, description="Reference, customer name or place.")
    date_from: dt.date | None = Field(None, description="Service date (unloading, else loading) on or after.")
    date_to: dt.date | None = Field(None, description="Service date on or before.")

    @model_validator(mode="after")
    def _period(self) -> "TransportFilters":
        if self.date_from and self.date_to and self.date_to < self.date_from:
            raise ValueError(_("date_to is before date_from."))
        return self


def _with_lines(qs: QuerySet[Transport]) -> QuerySet[Transport]:
    return qs.select_related("customer").prefetch_related("price_lines__product")


@router.get("", response=list[TransportOut])
@paginate(LimitOffset)
def list_transports(request: HttpRequest, filters: Query[TransportFilters]) -> QuerySet[Transport]:
    membership = acting(request)
    qs = selectors.transports(
        membership.company,
        search=filters.search.strip(),
        status=filters.status or "",
        invoicing_status=filters.invoicing_status or "",
    )
    if filters.customer_id:
        qs = qs.filter(customer_id=filters.customer_id)
    if filters.reference:
        qs = qs.filter(reference=filters.reference)
    # The service date is the unloading date, else the loading date (as on the invoice).
    if filters.date_from:
        qs = qs.filter(
            Q(unloading_date__gte=filters.date_from) | Q(unloading_date=None, loading_date__gte=filters.date_from)
        )
    if filters.date_to:
        qs = qs.filter(
            Q(unloading_date__lte=filters.date_to) | Q(unloading_date=None, loading_date__lte=filters.date_to)
        )
    return _with_lines(qs)


@router.post("", response={201: TransportOut, 403: ErrorOut, 409: ErrorOut, 422: ErrorOut}, openapi_extra=IDEMPOTENT)
@idempotent
def create_transport(request: HttpRequest, payload: TransportIn) -> Status[Transport]:
    membership = acting(request, Role.INVOICER)
    transport = services.create_transport(membership.company, payload.to_input(), user=membership.user)
    return Status(201, _with_lines(Transport.objects.for_company(membership.company)).get(pk=transport.pk))


@router.post(
    "/bulk",
    response={201: BulkOut, 403: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    openapi_extra=IDEMPOTENT,
    summary="Create up to 1,000 transports, all or none",
)
@idempotent
def bulk_create_transports(request: HttpRequest, payload: BulkIn) -> Status[dict[str, Any]]:
    """Every row is checked first; if any is wrong, nothing is created and the 422 lists each bad row as
    `transports.<index>.<field>`. When all are good they are created in one transaction."""
    membership = acting(request, Role.INVOICER)
    try:
        result = services.bulk_create_transports(
            membership.company, [row.to_input() for row in payload.transports], user=membership.user
        )
    except services.TransportInvalid as exc:
        exc.fields = [{**e, "field": e["field"].replace("rows.", "transports.", 1)} for e in exc.fields]
        raise
    return Status(201, {"created": len(result.created), "ids": [t.pk for t in result.created]})


@router.get("/{transport_id}", response={200: TransportOut, 404: ErrorOut})
def get_transport(request: HttpRequest, transport_id: int) -> Transport:
    membership = acting(request)
    get_or_404(membership.company, Transport, transport_id)
    return _with_lines(Transport.objects.for_company(membership.company)).get(pk=transport_id)


@router.patch(
    "/{transport_id}", response={200: TransportOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
)
def update_transport(request: HttpRequest, transport_id: int, payload: TransportPatch) -> Transport:
    membership = acting(request)
    transport = get_or_404(membership.company, Transport, transport_id)
    acting(request, Role.INVOICER)
    services.update_transport(membership.company, transport, payload.changes(), user=membership.user)
    return _with_lines(Transport.objects.for_company(membership.company)).get(pk=transport_id)
