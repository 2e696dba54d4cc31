"""Billit's JSON models: PascalCase on the wire (exact Billit spelling as alias), snake_case and Decimal in Python.

Only the fields Haulbill uses are named; anything else Billit sends is kept in `model_extra` under its wire name,
so reading and writing back an object never loses data. Dates that Billit sends as `2026-05-06T00:00:00` become
`datetime.date` where the field is a calendar date (OrderDate, ExpiryDate…), `datetime` where it is a moment
(Created, LastModified).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, SecretStr


def _calendar_date(value: Any) -> Any:
    if isinstance(value, str) and len(value) >= 10 and "T" in value:
        return value[:10]
    if isinstance(value, datetime):
        return value.date()
    return value


def _moment(value: Any) -> Any:
    if isinstance(value, str) and value.endswith("Z"):
        return value[:-1]
    return value


def W(wire_name: str, default: Any = None, **options: Any) -> Any:  # noqa: N802 - reads like a declaration
    """A field with its Billit name: read from and written as `wire_name`, set in Python by its snake_case name."""
    if "default_factory" in options:
        return Field(validation_alias=wire_name, serialization_alias=wire_name, **options)
    return Field(default, validation_alias=wire_name, serialization_alias=wire_name, **options)


CalendarDate = Annotated[date, BeforeValidator(_calendar_date)]
Moment = Annotated[datetime, BeforeValidator(_moment)]


class BillitModel(BaseModel):
    model_config = ConfigDict(validate_by_name=True, validate_by_alias=True, extra="allow", validate_assignment=True)

    def to_wire(self) -> dict[str, Any]:
        """Billit's field names; fields left None are not sent (Billit would overwrite with null)."""
        return self.model_dump(by_alias=True, exclude_none=True, mode="python")

    @classmethod
    def from_wire(cls, data: Any) -> Any:
        return cls.model_validate(data)


class PartyAddress(BillitModel):
    address_type: str | None = W("AddressType")  # InvoiceAddress | DeliveryAddress
    tav: str | None = W("Tav")
    name: str | None = W("Name")
    street: str | None = W("Street")
    street_number: str | None = W("StreetNumber")
    box: str | None = W("Box")
    zipcode: str | None = W("Zipcode")
    city: str | None = W("City")
    country_code: str | None = W("CountryCode")
    phone: str | None = W("Phone")


class PartyIdentifier(BillitModel):
    identifier_type: str | None = W("IdentifierType")  # CBE, GLN, SIRENE…
    identifier: str | None = W("Identifier")
    scheme_id: str | None = W("SchemeID")
    preferred: bool | None = W("Preferred")


class Party(BillitModel):
    party_id: int | None = W("PartyID")
    party_type: str | None = W("PartyType")  # Customer | Supplier
    nr: str | None = W("Nr")
    name: str | None = W("Name")
    commercial_name: str | None = W("CommercialName")
    display_name: str | None = W("DisplayName")
    vat_number: str | None = W("VATNumber")
    vat_liable: bool | None = W("VATLiable")
    email: str | None = W("Email")
    phone: str | None = W("Phone")
    mobile: str | None = W("Mobile")
    contact_first_name: str | None = W("ContactFirstName")
    contact_last_name: str | None = W("ContactLastName")
    street: str | None = W("Street")
    street_number: str | None = W("StreetNumber")
    box: str | None = W("Box")
    zipcode: str | None = W("Zipcode")
    city: str | None = W("City")
    country_code: str | None = W("CountryCode")
    language: str | None = W("Language")
    iban: str | None = W("IBAN")
    bic: str | None = W("BIC")
    peppol_identifier: str | None = W("PeppolIdentifier")
    identifiers: list[PartyIdentifier] | None = W("Identifiers")
    addresses: list[PartyAddress] | None = W("Addresses")
    default_expiry_offset: int | None = W("DefaultExpiryOffset")
    created: Moment | None = W("Created")
    last_modified: Moment | None = W("LastModified")


# The fields DOCS:patchable-properties allows on PATCH /v1/parties/{id} (plus Email).
PATCHABLE_PARTY_FIELDS = frozenset(
    {"nr", "name", "commercial_name", "contact_first_name", "contact_last_name", "country_code", "city", "street",
     "street_number", "zipcode", "box", "phone", "mobile", "vat_number", "iban", "language", "vat_liable", "email"}
)  # fmt: skip


class AccountCompany(Party):
    tab_name_alias: str | None = W("TabNameAlias")
    api_allowed: bool | None = W("APIAllowed")
    user_language: str | None = W("UserLanguage")


class UserCompanyRole(BillitModel):
    party_id: int = W("PartyID", ...)
    user_role_types: list[str] = W("UserRoleTypes", default_factory=list)


class AccountInformation(BillitModel):
    email: str | None = W("Email")
    first_name: str | None = W("FirstName")
    last_name: str | None = W("LastName")
    companies: list[AccountCompany] = W("Companies", default_factory=list)
    user_company_roles: list[UserCompanyRole] = W("UserCompanyRoles", default_factory=list)

    def company(self, party_id: int) -> AccountCompany | None:
        return next((c for c in self.companies if c.party_id == party_id), None)


class Product(BillitModel):
    product_id: int | None = W("ProductID")
    reference: str | None = W("Reference")
    description: str | None = W("Description")
    amount_excl: Decimal | None = W("AmountExcl")
    amount_incl: Decimal | None = W("AmountIncl")
    vat: Decimal | None = W("VAT")
    unit: str | None = W("Unit")
    internal_information: str | None = W("InternalInformation")
    created: Moment | None = W("Created")
    last_modified: Moment | None = W("LastModified")

    @property
    def vat_on_customer(self) -> bool:
        """A product without VAT rate: the rate is decided per customer (e.g. international transport)."""
        return self.vat is None


class OrderLine(BillitModel):
    order_line_id: int | None = W("OrderLineID")
    quantity: Decimal | None = W("Quantity")
    unit_price_excl: Decimal | None = W("UnitPriceExcl")
    description: str | None = W("Description")
    description_extended: str | None = W("DescriptionExtended")
    vat_percentage: Decimal | None = W("VATPercentage")
    ventilation_code: str | None = W("VentilationCode")
    product_id: int | None = W("ProductID")
    reference: str | None = W("Reference")
    unit: str | None = W("Unit")
    reduction_percentage: Decimal | None = W("ReductionPercentage")
    custom_fields: dict[str, str] | None = W("CustomFields")
    total_excl: Decimal | None = W("TotalExcl")
    total_vat: Decimal | None = W("TotalVAT")
    total_incl: Decimal | None = W("TotalIncl")


class VatGroup(BillitModel):
    ventilation_code: str | None = W("VentilationCode")
    vat_percentage: Decimal | None = W("VATPercentage")
    total_excl: Decimal | None = W("TotalExcl")
    total_vat: Decimal | None = W("TotalVAT")
    total_incl: Decimal | None = W("TotalIncl")


class BillitFile(BillitModel):
    file_id: str | None = W("FileID")
    file_name: str | None = W("FileName")
    mime_type: str | None = W("MimeType")
    file_content: str | None = W("FileContent", repr=False)  # base64

    def content(self) -> bytes:
        return base64.b64decode(self.file_content or "")


class OrderMessage(BillitModel):
    order_id: int | None = W("OrderID")
    description: str | None = W("Description")
    creation_date: Moment | None = W("CreationDate")
    transport_type: str | None = W("TransportType")
    success: bool | None = W("Success")
    trials: int | None = W("Trials")
    destination: str | None = W("Destination")
    message_direction: str | None = W("MessageDirection")


class DeliveryDetails(BillitModel):
    document_delivery_date: Moment | None = W("DocumentDeliveryDate")
    document_delivery_info: str | None = W("DocumentDeliveryInfo")
    is_document_delivered: bool | None = W("IsDocumentDelivered")
    document_delivery_status: str | None = W("DocumentDeliveryStatus")
    document_refused_date: Moment | None = W("DocumentRefusedDate")
    document_refused_reason_tc: str | None = W("DocumentRefusedReasonTC")
    document_refused_info: str | None = W("DocumentRefusedInfo")


class Order(BillitModel):
    order_id: int | None = W("OrderID")
    company_id: int | None = W("CompanyID")
    order_type: str | None = W("OrderType")  # Invoice | CreditNote | Offer…
    order_direction: str | None = W("OrderDirection")  # Income | Cost
    order_number: str | None = W("OrderNumber")
    order_date: CalendarDate | None = W("OrderDate")
    expiry_date: CalendarDate | None = W("ExpiryDate")
    delivery_date: CalendarDate | None = W("DeliveryDate")
    period_from: CalendarDate | None = W("PeriodFrom")
    period_till: CalendarDate | None = W("PeriodTill")
    customer_id: int | None = W("CustomerID")
    customer: Party | None = W("Customer")
    counter_party_id: int | None = W("CounterPartyID")
    counter_party: Party | None = W("CounterParty")
    order_lines: list[OrderLine] = W("OrderLines", default_factory=list)
    reference: str | None = W("Reference")
    order_title: str | None = W("OrderTitle")
    comments: str | None = W("Comments")
    internal_info: str | None = W("InternalInfo")
    payment_reference: str | None = W("PaymentReference")
    about_invoice_number: str | None = W("AboutInvoiceNumber")
    currency: str | None = W("Currency")
    payment_method: str | None = W("PaymentMethod")
    ventilation_code: str | None = W("VentilationCode")
    custom_fields: dict[str, str] | None = W("CustomFields")
    tags: list[str] | None = W("Tags")
    vat_groups: list[VatGroup] | None = W("VatGroups")
    total_excl: Decimal | None = W("TotalExcl")
    total_vat: Decimal | None = W("TotalVAT")
    total_incl: Decimal | None = W("TotalIncl")
    to_pay: Decimal | None = W("ToPay")
    paid: bool | None = W("Paid")
    paid_date: CalendarDate | None = W("PaidDate")
    is_sent: bool | None = W("IsSent")
    invoiced: bool | None = W("Invoiced")
    order_status: str | None = W("OrderStatus")
    overdue: bool | None = W("Overdue")
    days_overdue: int | None = W("DaysOverdue")
    order_pdf: BillitFile | None = W("OrderPDF")
    attachments: list[BillitFile] | None = W("Attachments")  # on create: FileName, FileContent (base64), MimeType
    messages: list[OrderMessage] | None = W("Messages")
    current_document_delivery_details: DeliveryDetails | None = W("CurrentDocumentDeliveryDetails")
    created: Moment | None = W("Created")
    last_modified: Moment | None = W("LastModified")


# The order fields that PATCH /v1/orders/{id} accepts (DOCS:patchable-properties).
PATCHABLE_ORDER_FIELDS = frozenset(
    {"paid", "paid_date", "is_sent", "approval_status", "account_code", "internal_info", "invoiced",
     "accountant_verification_needed"}
)  # fmt: skip


class Webhook(BillitModel):
    webhook_id: int | None = W("WebhookID")
    company_id: int | None = W("CompanyID")
    user_id: int | None = W("UserID")
    entity_type: str | None = W("EntityType")  # Order | Message
    entity_update_type: str | None = W("EntityUpdateType")  # I | U | D
    webhook_url: str | None = W("WebhookURL")
    secret: SecretStr | None = W("Secret")


class ParticipantInformation(BillitModel):
    registered: bool = W("Registered", False)
    identifier: str | None = W("Identifier")
    document_types: list[str] = W("DocumentTypes", default_factory=list)
    service_provider_id: str | None = W("ServiceProviderID")
    service_provider_name: str | None = W("ServiceProviderName")


@dataclass(frozen=True)
class OrderCreated:
    """The outcome of creating an order with an idempotency key.

    `already_created=True` means Billit answered 409 "Idempotent token already exists": an earlier attempt with the
    same key succeeded (often one whose answer we lost). Billit does not say which order that was, so `order_id`
    is None; look it up by OrderNumber (`BillitClient.find_order`) when the number was ours.
    """

    order_id: int | None
    already_created: bool
    idempotency_key: str | None


@dataclass(frozen=True)
class WriteOutcome:
    """The outcome of a keyed write that answers no id (send, payment): done now, or already done earlier."""

    already_done: bool
    idempotency_key: str | None
