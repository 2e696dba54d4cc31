"""The port: what an invoicing provider does for Haulbill.

The engine, the linking and the synchronisation speak only this interface; each platform is a folder under
providers/ with its own adapter (providers/billit/provider.py, providers/builtin/provider.py). Remote data comes
back as the plain dataclasses below, in our vocabulary (snake_case, Decimal money), never in a wire format.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from haulbill.addressbook.models import Customer

ProgressCallback = Callable[[int, int | None], None]  # (done so far, total if known)


class ProviderError(Exception):
    """Base of provider failures; `code` is stable, `message` is safe to show (no secret in it)."""

    code = "provider_error"

    def __init__(self, message: str, *, code: str | None = None, remote_code: str = "") -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.remote_code = remote_code


class ProviderAuthError(ProviderError):
    """The stored or pasted credentials are refused."""

    code = "provider_auth"


class ProviderRejected(ProviderError):
    """A permanent refusal (e.g. Billit's 400): retrying the same request will not help."""

    code = "provider_rejected"


class ProviderNotFound(ProviderError):
    code = "provider_not_found"


class ProviderUnavailable(ProviderError):
    """A transient failure that outlived the retry budget: try again later."""

    code = "provider_unavailable"


class NotSupported(ProviderError):
    code = "provider_not_supported"


@dataclass(frozen=True)
class RemoteAccount:
    party_id: str
    name: str
    vat_number: str = ""


@dataclass(frozen=True)
class ConnectionInfo:
    user_email: str
    accounts: list[RemoteAccount]


@dataclass(frozen=True)
class RemoteProduct:
    remote_id: str
    item_code: str
    name: str
    unit: str
    unit_price: Decimal
    vat_rate: Decimal | None
    vat_level: str  # "product" or "customer"


@dataclass(frozen=True)
class RemoteCustomer:
    remote_id: str
    name: str
    vat_number: str = ""
    enterprise_number: str = ""
    street: str = ""
    postcode: str = ""
    city: str = ""
    country: str = ""
    email: str = ""
    language: str = ""


@dataclass(frozen=True)
class PushResult:
    remote_id: str
    number: str
    total_excl: Decimal | None = None
    total_vat: Decimal | None = None
    total_incl: Decimal | None = None
    pdf: bytes | None = None
    already_existed: bool = False


@dataclass(frozen=True)
class RemoteInvoiceStatus:
    remote_id: str
    number: str
    sent: bool = False
    delivered: bool = False
    refused: bool = False
    refused_reason: str = ""
    paid: bool = False
    paid_at: dt.date | None = None
    to_pay: Decimal | None = None
    last_modified: dt.datetime | None = None


@dataclass(frozen=True)
class PeppolStatus:
    state: str  # "reachable", "partial", "not_registered", "unknown"
    detail: str = ""
    document_types: list[str] = field(default_factory=list)


@runtime_checkable
class InvoicingProvider(Protocol):
    key: str

    def check_connection(self) -> ConnectionInfo: ...

    def list_products(self, progress: ProgressCallback | None = None) -> Iterator[RemoteProduct]: ...

    def list_customers(self, progress: ProgressCallback | None = None) -> Iterator[RemoteCustomer]: ...

    def get_customer(self, remote_id: str) -> RemoteCustomer | None: ...

    def create_customer(self, customer: Customer) -> str: ...

    def next_number(self, kind: str, *, consume: bool = False) -> str | None: ...

    def push_invoice(self, invoice: object) -> PushResult: ...

    def find_invoice(self, number: str, kind: str) -> PushResult | None: ...

    def fetch_statuses(self, since: dt.datetime | None) -> Iterator[RemoteInvoiceStatus]: ...

    def send(self, invoice: object, method: str) -> None: ...

    def peppol_status(self, customer: Customer) -> PeppolStatus: ...
