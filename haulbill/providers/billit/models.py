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


CalendarDate = Annotated[date, BeforeValidator(_calendar_date)]
Moment = Annotated[datetime, BeforeValidator(_moment)]


class BillitModel(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="allow", validate_assignment=True)

    def to_wire(self) -> dict[str, Any]:
        """Billit's field names; fields left None are not sent (Billit would overwrite with null)."""
        return self.model_dump(by_alias=True, exclude_none=True, mode="python")

    @classmethod
    def from_wire(cls, data: Any) -> Any:
        return cls.model_validate(data)


class PartyAddress(BillitModel):
    address_type: str | None = Field(None, alias="AddressType")  # InvoiceAddress | DeliveryAddress
    tav: str | None = Field(None, alias="Tav")
    name: str | None = Field(None, alias="Name")
    street: str | None = Field(None, alias="Street")
    street_number: str | None = Field(None, alias="StreetNumber")
    box: str | None = Field(None, alias="Box")
    zipcode: str | None = Field(None, alias="Zipcode")
    city: str | None = Field(None, alias="City")
    country_code: str | None = Field(None, alias="CountryCode")
    phone: str | None = Field(None, alias="Phone")


class PartyIdentifier(BillitModel):
    identifier_type: str | None = Field(None, alias="IdentifierType")  # CBE, GLN, SIRENE…
    identifier: str | None = Field(None, alias="Identifier")
    scheme_id: str | None = Field(None, alias="SchemeID")
    preferred: bool | None = Field(None, alias="Preferred")


class Party(BillitModel):
    party_id: int | None = Field(None, alias="PartyID")
    party_type: str | None = Field(None, alias="PartyType")  # Customer | Supplier
    nr: str | None = Field(None, alias="Nr")
    name: str | None = Field(None, alias="Name")
    commercial_name: str | None = Field(None, alias="CommercialName")
    display_name: str | None = Field(None, alias="DisplayName")
    vat_number: str | None = Field(None, alias="VATNumber")
    vat_liable: bool | None = Field(None, alias="VATLiable")
    email: str | None = Field(None, alias="Email")
    phone: str | None = Field(None, alias="Phone")
    mobile: str | None = Field(None, alias="Mobile")
    contact_first_name: str | None = Field(None, alias="ContactFirstName")
    contact_last_name: str | None = Field(None, alias="ContactLastName")
    street: str | None = Field(None, alias="Street")
    street_number: str | None = Field(None, alias="StreetNumber")
    box: str | None = Field(None, alias="Box")
    zipcode: str | None = Field(None, alias="Zipcode")
    city: str | None = Field(None, alias="City")
    country_code: str | None = Field(None, alias="CountryCode")
    language: str | None = Field(None, alias="Language")
    iban: str | None = Field(None, alias="IBAN")
    bic: str | None = Field(None, alias="BIC")
    peppol_identifier: str | None = Field(None, alias="PeppolIdentifier")
    identifiers: list[PartyIdentifier] | None = Field(None, alias="Identifiers")
    addresses: list[PartyAddress] | None = Field(None, alias="Addresses")
    default_expiry_offset: int | None = Field(None, alias="DefaultExpiryOffset")
    created: Moment | None = Field(None, alias="Created")
    last_modified: Moment | None = Field(None, alias="LastModified")


# The fields DOCS:patchable-properties allows on PATCH /v1/parties/{id} (plus Email).
PATCHABLE_PARTY_FIELDS = frozenset(
    {"nr", "name", "commercial_name", "contact_first_name", "contact_last_name", "country_code", "city", "street",
     "street_number", "zipcode", "box", "phone", "mobile", "vat_number", "iban", "language", "vat_liable", "email"}
)  # fmt: skip


class AccountCompany(Party):
    tab_name_alias: str | None = Field(None, alias="TabNameAlias")
    api_allowed: bool | None = Field(None, alias="APIAllowed")
    user_language: str | None = Field(None, alias="UserLanguage")


class UserCompanyRole(BillitModel):
    party_id: int = Field(alias="PartyID")
    user_role_types: list[str] = Field(default_factory=list, alias="UserRoleTypes")


class AccountInformation(BillitModel):
    email: str | None = Field(None, alias="Email")
    first_name: str | None = Field(None, alias="FirstName")
    last_name: str | None = Field(None, alias="LastName")
    companies: list[AccountCompany] = Field(default_factory=list, alias="Companies")
    user_company_roles: list[UserCompanyRole] = Field(default_factory=list, alias="UserCompanyRoles")

    def company(self, party_id: int) -> AccountCompany | None:
        return next((c for c in self.companies if c.party_id == party_id), None)


class Product(BillitModel):
    product_id: int | None = Field(None, alias="ProductID")
    reference: str | None = Field(None, alias="Reference")
    description: str | None = Field(None, alias="Description")
    amount_excl: Decimal | None = Field(None, alias="AmountExcl")
    amount_incl: Decimal | None = Field(None, alias="AmountIncl")
    vat: Decimal | None = Field(None, alias="VAT")
    unit: str | None = Field(None, alias="Unit")
    internal_information: str | None = Field(None, alias="InternalInformation")
    created: Moment | None = Field(None, alias="Created")
    last_modified: Moment | None = Field(None, alias="LastModified")

    @property
    def vat_on_customer(self) -> bool:
        """A product without VAT rate: the rate is decided per customer (e.g. international transport)."""
        return self.vat is None


class OrderLine(BillitModel):
    order_line_id: int | None = Field(None, alias="OrderLineID")
    quantity: Decimal | None = Field(None, alias="Quantity")
    unit_price_excl: Decimal | None = Field(None, alias="UnitPriceExcl")
    description: str | None = Field(None, alias="Description")
    description_extended: str | None = Field(None, alias="DescriptionExtended")
    vat_percentage: Decimal | None = Field(None, alias="VATPercentage")
    ventilation_code: str | None = Field(None, alias="VentilationCode")
    product_id: int | None = Field(None, alias="ProductID")
    reference: str | None = Field(None, alias="Reference")
    unit: str | None = Field(None, alias="Unit")
    reduction_percentage: Decimal | None = Field(None, alias="ReductionPercentage")
    custom_fields: dict[str, str] | None = Field(None, alias="CustomFields")
    total_excl: Decimal | None = Field(None, alias="TotalExcl")
    total_vat: Decimal | None = Field(None, alias="TotalVAT")
    total_incl: Decimal | None = Field(None, alias="TotalIncl")


class VatGroup(BillitModel):
    ventilation_code: str | None = Field(None, alias="VentilationCode")
    vat_percentage: Decimal | None = Field(None, alias="VATPercentage")
    total_excl: Decimal | None = Field(None, alias="TotalExcl")
    total_vat: Decimal | None = Field(None, alias="TotalVAT")
    total_incl: Decimal | None = Field(None, alias="TotalIncl")


class BillitFile(BillitModel):
    file_id: str | None = Field(None, alias="FileID")
    file_name: str | None = Field(None, alias="FileName")
    mime_type: str | None = Field(None, alias="MimeType")
    file_content: str | None = Field(None, alias="FileContent", repr=False)  # base64

    def content(self) -> bytes:
        return base64.b64decode(self.file_content or "")


class OrderMessage(BillitModel):
    order_id: int | None = Field(None, alias="OrderID")
    description: str | None = Field(None, alias="Description")
    creation_date: Moment | None = Field(None, alias="CreationDate")
    transport_type: str | None = Field(None, alias="TransportType")
    success: bool | None = Field(None, alias="Success")
    trials: int | None = Field(None, alias="Trials")
    destination: str | None = Field(None, alias="Destination")
    message_direction: str | None = Field(None, alias="MessageDirection")


class DeliveryDetails(BillitModel):
    document_delivery_date: Moment | None = Field(None, alias="DocumentDeliveryDate")
    document_delivery_info: str | None = Field(None, alias="DocumentDeliveryInfo")
    is_document_delivered: bool | None = Field(None, alias="IsDocumentDelivered")
    document_delivery_status: str | None = Field(None, alias="DocumentDeliveryStatus")
    document_refused_date: Moment | None = Field(None, alias="DocumentRefusedDate")
    document_refused_reason_tc: str | None = Field(None, alias="DocumentRefusedReasonTC")
    document_refused_info: str | None = Field(None, alias="DocumentRefusedInfo")


class Order(BillitModel):
    order_id: int | None = Field(None, alias="OrderID")
    company_id: int | None = Field(None, alias="CompanyID")
    order_type: str | None = Field(None, alias="OrderType")  # Invoice | CreditNote | Offer…
    order_direction: str | None = Field(None, alias="OrderDirection")  # Income | Cost
    order_number: str | None = Field(None, alias="OrderNumber")
    order_date: CalendarDate | None = Field(None, alias="OrderDate")
    expiry_date: CalendarDate | None = Field(None, alias="ExpiryDate")
    delivery_date: CalendarDate | None = Field(None, alias="DeliveryDate")
    period_from: CalendarDate | None = Field(None, alias="PeriodFrom")
    period_till: CalendarDate | None = Field(None, alias="PeriodTill")
    customer_id: int | None = Field(None, alias="CustomerID")
    customer: Party | None = Field(None, alias="Customer")
    counter_party_id: int | None = Field(None, alias="CounterPartyID")
    counter_party: Party | None = Field(None, alias="CounterParty")
    order_lines: list[OrderLine] = Field(default_factory=list, alias="OrderLines")
    reference: str | None = Field(None, alias="Reference")
    order_title: str | None = Field(None, alias="OrderTitle")
    comments: str | None = Field(None, alias="Comments")
    internal_info: str | None = Field(None, alias="InternalInfo")
    payment_reference: str | None = Field(None, alias="PaymentReference")
    about_invoice_number: str | None = Field(None, alias="AboutInvoiceNumber")
    currency: str | None = Field(None, alias="Currency")
    payment_method: str | None = Field(None, alias="PaymentMethod")
    ventilation_code: str | None = Field(None, alias="VentilationCode")
    custom_fields: dict[str, str] | None = Field(None, alias="CustomFields")
    tags: list[str] | None = Field(None, alias="Tags")
    vat_groups: list[VatGroup] | None = Field(None, alias="VatGroups")
    total_excl: Decimal | None = Field(None, alias="TotalExcl")
    total_vat: Decimal | None = Field(None, alias="TotalVAT")
    total_incl: Decimal | None = Field(None, alias="TotalIncl")
    to_pay: Decimal | None = Field(None, alias="ToPay")
    paid: bool | None = Field(None, alias="Paid")
    paid_date: CalendarDate | None = Field(None, alias="PaidDate")
    is_sent: bool | None = Field(None, alias="IsSent")
    invoiced: bool | None = Field(None, alias="Invoiced")
    order_status: str | None = Field(None, alias="OrderStatus")
    overdue: bool | None = Field(None, alias="Overdue")
    days_overdue: int | None = Field(None, alias="DaysOverdue")
    order_pdf: BillitFile | None = Field(None, alias="OrderPDF")
    messages: list[OrderMessage] | None = Field(None, alias="Messages")
    current_document_delivery_details: DeliveryDetails | None = Field(None, alias="CurrentDocumentDeliveryDetails")
    created: Moment | None = Field(None, alias="Created")
    last_modified: Moment | None = Field(None, alias="LastModified")


# The order fields that PATCH /v1/orders/{id} accepts (DOCS:patchable-properties).
PATCHABLE_ORDER_FIELDS = frozenset(
    {"paid", "paid_date", "is_sent", "approval_status", "account_code", "internal_info", "invoiced",
     "accountant_verification_needed"}
)  # fmt: skip


class Webhook(BillitModel):
    webhook_id: int | None = Field(None, alias="WebhookID")
    company_id: int | None = Field(None, alias="CompanyID")
    user_id: int | None = Field(None, alias="UserID")
    entity_type: str | None = Field(None, alias="EntityType")  # Order | Message
    entity_update_type: str | None = Field(None, alias="EntityUpdateType")  # I | U | D
    webhook_url: str | None = Field(None, alias="WebhookURL")
    secret: SecretStr | None = Field(None, alias="Secret")


class ParticipantInformation(BillitModel):
    registered: bool = Field(False, alias="Registered")
    identifier: str | None = Field(None, alias="Identifier")
    document_types: list[str] = Field(default_factory=list, alias="DocumentTypes")
    service_provider_id: str | None = Field(None, alias="ServiceProviderID")
    service_provider_name: str | None = Field(None, alias="ServiceProviderName")


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
