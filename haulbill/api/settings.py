"""Invoicing settings: the provider, the Billit connection (the API key is write-only) and a connection test.

Reading is open to every member; changing anything, and testing the connection, is for administrators.
"""

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from pydantic.config import JsonDict

from haulbill.core.errors import HaulbillError
from haulbill.invoicing.models import settings_for
from haulbill.providers import services
from haulbill.providers.registry import active_connection, provider_for
from haulbill.tenancy.models import Role

from .auth import acting
from .errors import ErrorOut
from .schemas import InSchema

PREFIX = "/settings"
TAGS = ["settings"]
router = Router()

WRITE_ONLY: JsonDict = {"writeOnly": True}
# A key is printable ASCII (Billit's are UUIDs); anything else cannot even go in an HTTP header, so it is refused
# here with 422 instead of failing as "Billit unreachable" after retries. Whitespace around it is trimmed later.
API_KEY_PATTERN = r"^\s*[!-~]+\s*$"


class ConnectionOut(Schema):
    provider: str
    environment: str
    base_url: str
    party_id: str
    party_name: str
    api_key_set: bool = Field(description="Whether a key is stored. The key itself is never returned.")
    key_invalid_since: dt.datetime | None
    next_invoice_number: str
    next_credit_note_number: str
    connected_at: dt.datetime

    @staticmethod
    def resolve_api_key_set(obj: Any) -> bool:
        return bool(obj.api_key_encrypted)


class SettingsOut(Schema):
    extension_enabled: bool
    provider: str
    default_payment_delay_days: int
    connection: ConnectionOut | None


class ProviderIn(InSchema):
    provider: Literal["billit", "builtin"]


class BillitConnectionIn(InSchema):
    api_key: str = Field(..., min_length=1, max_length=500, pattern=API_KEY_PATTERN, json_schema_extra=WRITE_ONLY)
    environment: Literal["production", "sandbox", "custom"]
    base_url: str = Field("", max_length=200, description="Only for environment=custom.")
    party_id: str = Field("", max_length=20, description="The Billit company, when the key may act for several.")


class ApiKeyIn(InSchema):
    api_key: str = Field(..., min_length=1, max_length=500, pattern=API_KEY_PATTERN, json_schema_extra=WRITE_ONLY)


class PartyIn(InSchema):
    party_id: str = Field(..., min_length=1, max_length=20)


class AccountOut(Schema):
    party_id: str
    name: str
    vat_number: str


class ConnectionTestOut(Schema):
    ok: bool
    provider: str
    accounts: list[AccountOut]


def _settings(company: Any) -> dict[str, Any]:
    inv = settings_for(company)
    return {
        "extension_enabled": inv.extension_enabled,
        "provider": inv.provider,
        "default_payment_delay_days": inv.default_payment_delay_days,
        "connection": active_connection(company),
    }


@router.get("", response=SettingsOut)
def get_settings(request: HttpRequest) -> dict[str, Any]:
    return _settings(acting(request).company)


@router.put("/provider", response={200: SettingsOut, 403: ErrorOut, 422: ErrorOut})
def choose_provider(request: HttpRequest, payload: ProviderIn) -> dict[str, Any]:
    membership = acting(request, Role.ADMIN)
    services.choose_provider(membership.company, payload.provider, by=membership.user)
    return _settings(membership.company)


@router.put(
    "/billit-connection",
    response={200: SettingsOut, 403: ErrorOut, 422: ErrorOut, 502: ErrorOut},
    summary="Connect Billit with an API key",
)
def connect_billit(request: HttpRequest, payload: BillitConnectionIn) -> dict[str, Any]:
    """The key is checked with Billit before it is stored (encrypted); it is never returned."""
    membership = acting(request, Role.ADMIN)
    services.connect_billit(
        membership.company,
        api_key=payload.api_key,
        environment=payload.environment,
        base_url=payload.base_url,
        party_id=payload.party_id,
        by=membership.user,
    )
    return _settings(membership.company)


@router.put("/billit-connection/api-key", response={200: SettingsOut, 403: ErrorOut, 422: ErrorOut, 502: ErrorOut})
def replace_api_key(request: HttpRequest, payload: ApiKeyIn) -> dict[str, Any]:
    membership = acting(request, Role.ADMIN)
    services.replace_api_key(membership.company, payload.api_key, by=membership.user)
    return _settings(membership.company)


@router.put("/billit-connection/company", response={200: SettingsOut, 403: ErrorOut, 422: ErrorOut, 502: ErrorOut})
def choose_billit_company(request: HttpRequest, payload: PartyIn) -> dict[str, Any]:
    membership = acting(request, Role.ADMIN)
    services.choose_billit_company(membership.company, payload.party_id, by=membership.user)
    return _settings(membership.company)


@router.delete("/billit-connection", response={200: SettingsOut, 403: ErrorOut})
def disconnect(request: HttpRequest) -> dict[str, Any]:
    membership = acting(request, Role.ADMIN)
    services.disconnect(membership.company, by=membership.user)
    return _settings(membership.company)


@router.post(
    "/connection-test",
    response={200: ConnectionTestOut, 403: ErrorOut, 422: ErrorOut, 502: ErrorOut, 503: ErrorOut},
    openapi_extra={
        "responses": {
            "422": {"description": "No platform connected, or the platform refuses the stored credentials."},
            "502": {"description": "The platform answered with an error."},
            "503": {"description": "The platform could not be reached, even after retries; try again later."},
        }
    },
)
def test_connection(request: HttpRequest) -> dict[str, Any]:
    """Asks the provider who the stored credentials belong to; nothing is changed."""
    membership = acting(request, Role.ADMIN)
    provider = provider_for(membership.company)
    if provider is None:
        raise HaulbillError(
            "provider_not_connected",
            _("No invoicing platform is chosen or connected: choose one under Settings › Invoicing first."),
            field="provider",
            status=422,
        )
    info = provider.check_connection()
    return {"ok": True, "provider": provider.key, "accounts": info.accounts}
