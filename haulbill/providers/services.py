"""Connecting a company to its invoicing provider: enable the extension, choose the provider, connect Billit with
an API key, pick the Billit company, replace or remove the key, and re-encrypt stored secrets.

The API key is checked with Billit before anything is stored; it is only ever held encrypted and is never put in
a message, a log line or a page. Disconnecting keeps the connection row (history) and forgets the key.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from haulbill.core import audit, crypto
from haulbill.core.errors import HaulbillError
from haulbill.invoicing.models import InvoicingSettings, Provider, settings_for
from haulbill.providers.base import ProviderAuthError, ProviderError, RemoteAccount
from haulbill.providers.models import Environment, ProviderConnection
from haulbill.providers.registry import active_connection
from haulbill.tenancy.models import Company

log = logging.getLogger("haulbill.providers")

# Every encrypted column, for `rotate_secrets`: (model, [field, ...]).
ENCRYPTED_FIELDS: list[tuple[type[Any], list[str]]] = [
    (ProviderConnection, ["api_key_encrypted", "webhook_secret_encrypted", "message_webhook_secret_encrypted"]),
]


@dataclass
class ConnectResult:
    connection: ProviderConnection
    accounts: list[RemoteAccount] = field(default_factory=list)
    numbers_read: bool = False

    @property
    def needs_company_choice(self) -> bool:
        return not self.connection.party_id


def _billit_provider(company: Company, connection: ProviderConnection) -> Any:
    from haulbill.providers.billit.provider import BillitProvider

    return BillitProvider(company, connection)


def _actor(user: Any) -> str:
    return getattr(user, "username", "") or "system"


# the extension -----------------------------------------------------------------------------------------------------
def set_extension_enabled(company: Company, enabled: bool, *, by: Any) -> InvoicingSettings:
    """Platform staff switch the invoicing extension on or off for a company."""
    if not getattr(by, "is_staff", False):
        raise HaulbillError(
            "staff_only",
            _("Only Haulbill staff (your platform administrator) can enable the invoicing extension."),
            status=403,
        )
    inv = settings_for(company)
    inv.extension_enabled = enabled
    inv.save(update_fields=["extension_enabled"])
    log.info(
        "invoicing extension %s for company %s by %s", "enabled" if enabled else "disabled", company.pk, _actor(by)
    )
    audit.record(company, by, audit.EXTENSION_ENABLED if enabled else audit.EXTENSION_DISABLED)
    return inv


def _require_extension(company: Company) -> InvoicingSettings:
    inv = settings_for(company)
    if not inv.extension_enabled:
        raise HaulbillError(
            "extension_disabled",
            _(
                "The invoicing extension is not enabled for your company. Ask Haulbill staff / your platform "
                "administrator to enable it."
            ),
            status=403,
        )
    return inv


def choose_provider(company: Company, provider: str, *, by: Any = None) -> InvoicingSettings:
    inv = _require_extension(company)
    if provider not in (Provider.BILLIT, Provider.BUILTIN):
        raise HaulbillError("provider_unknown", _("Choose Billit or the built-in provider."), field="provider")
    inv.provider = provider
    inv.save(update_fields=["provider"])
    log.info("company %s chose provider %s (by %s)", company.pk, provider, _actor(by))
    audit.record(company, by, audit.PROVIDER_CHOSEN, None, provider=provider)
    return inv


# connecting Billit -------------------------------------------------------------------------------------------------
def _check_target(environment: str, base_url: str) -> tuple[str, str]:
    if environment not in Environment.values:
        raise HaulbillError(
            "billit_environment", _("Choose production, Billit's sandbox or a custom base URL."), field="environment"
        )
    base_url = (base_url or "").strip().rstrip("/")
    if environment == Environment.CUSTOM:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise HaulbillError(
                "billit_base_url",
                _("Give the custom base URL in full, e.g. http://127.0.0.1:8765 for the local sandbox."),
                field="base_url",
            )
    else:
        base_url = ""
    return environment, base_url


def _check_key(company: Company, connection: ProviderConnection) -> list[RemoteAccount]:
    """Ask Billit who the key belongs to; a refused key raises a clear error (and nothing has been stored)."""
    try:
        info = _billit_provider(company, connection).check_connection()
    except ProviderAuthError:
        raise HaulbillError(
            "billit_key_refused",
            _(
                "Billit refused this API key. Copy it again from Billit (Profile › Users & API) and check the "
                "environment: a sandbox key does not work in production."
            ),
            field="api_key",
        ) from None
    except ProviderError as exc:
        raise HaulbillError("billit_unreachable", exc.message, field="environment", status=502) from None
    if not info.accounts:
        raise HaulbillError(
            "billit_no_company",
            _("This API key may not act for any Billit company. Check the user's rights in Billit."),
            field="api_key",
        )
    return info.accounts


def _read_numbers(company: Company, connection: ProviderConnection) -> bool:
    """Billit's next invoice and credit note numbers, read without consuming them."""
    provider = _billit_provider(company, connection)
    try:
        connection.next_invoice_number = provider.next_number("invoice") or ""
        connection.next_credit_note_number = provider.next_number("credit_note") or ""
    except ProviderError as exc:
        log.warning("company %s: Billit's next numbers could not be read (%s)", company.pk, exc.code)
        return False
    return True


def _retire(connection: ProviderConnection) -> None:
    connection.is_active = False
    connection.disconnected_at = timezone.now()
    connection.api_key_encrypted = ""  # a retired key is of no use to us and a risk to keep
    connection.webhook_secret_encrypted = ""
    connection.message_webhook_secret_encrypted = ""
    connection.save(update_fields=["is_active", "disconnected_at", "api_key_encrypted", "webhook_secret_encrypted",
                                   "message_webhook_secret_encrypted"])  # fmt: skip


def _refuse_malformed_key(api_key: str) -> None:
    """A Billit key is printable ASCII without spaces (a UUID); anything else cannot travel in an HTTP header.

    Refused before any request, so a mangled paste says so at once instead of "Billit unreachable" after retries.
    """
    if not re.fullmatch(r"[!-~]+", api_key):
        raise HaulbillError(
            "billit_key_malformed",
            _(
                "This is not a Billit API key: it holds spaces or characters a key never has. "
                "Copy it again from Billit (Profile › Users & API)."
            ),
            field="api_key",
        )


def connect_billit(
    company: Company, *, api_key: str, environment: str, base_url: str = "", party_id: str = "", by: Any = None
) -> ConnectResult:
    """Check the key with Billit, then store the connection (replacing an active one) and read the next numbers.

    When the key may act for several Billit companies and none was chosen, the connection is stored without a
    company and `needs_company_choice` is true: `choose_billit_company` completes it.
    """
    inv = _require_extension(company)
    api_key = (api_key or "").strip()
    if not api_key:
        raise HaulbillError(
            "billit_key_missing", _("Paste the API key from Billit (Profile › Users & API)."), field="api_key"
        )
    _refuse_malformed_key(api_key)
    environment, base_url = _check_target(environment, base_url)
    connection = ProviderConnection(
        company=company, provider=Provider.BILLIT, environment=environment, base_url=base_url, connected_by=by
    )
    connection.set_api_key(api_key)
    accounts = _check_key(company, connection)
    party_id = str(party_id or "").strip()
    if party_id and party_id not in {a.party_id for a in accounts}:
        raise HaulbillError(
            "billit_company_unknown",
            _("This API key may not act for Billit company %(id)s.") % {"id": party_id},
            field="party_id",
        )
    if not party_id and len(accounts) == 1:
        party_id = accounts[0].party_id
    _set_party(connection, accounts, party_id)
    numbers_read = bool(party_id) and _read_numbers(company, connection)
    with transaction.atomic():
        previous = active_connection(company)
        if previous is not None:
            _retire(previous)
        connection.save()
        inv.provider = Provider.BILLIT
        inv.save(update_fields=["provider"])
    log.info(
        "company %s connected Billit (%s, key %s) by %s", company.pk, environment, connection.masked_key, _actor(by)
    )
    audit.record(
        company,
        by,
        audit.PROVIDER_CONNECTED,
        connection,
        provider=Provider.BILLIT,
        environment=environment,
        party_id=connection.party_id,
    )
    return ConnectResult(connection, accounts, numbers_read)


def _set_party(connection: ProviderConnection, accounts: list[RemoteAccount], party_id: str) -> None:
    chosen = next((a for a in accounts if a.party_id == party_id), None)
    connection.party_id = chosen.party_id if chosen else ""
    connection.party_name = chosen.name if chosen else ""


def billit_accounts(company: Company) -> list[RemoteAccount]:
    """The Billit companies the stored key may act for (asked again: the list is not kept)."""
    connection = _billit_connection(company)
    return _check_key(company, connection)


def _billit_connection(company: Company) -> ProviderConnection:
    connection = active_connection(company)
    if connection is None or connection.provider != Provider.BILLIT:
        raise HaulbillError("billit_not_connected", _("Billit is not connected: paste an API key first."))
    return connection


def choose_billit_company(company: Company, party_id: str, *, by: Any = None) -> ProviderConnection:
    connection = _billit_connection(company)
    accounts = _check_key(company, connection)
    party_id = str(party_id or "").strip()
    if party_id not in {a.party_id for a in accounts}:
        raise HaulbillError(
            "billit_company_unknown",
            _("Choose one of the Billit companies this API key may act for."),
            field="party_id",
        )
    _set_party(connection, accounts, party_id)
    _read_numbers(company, connection)
    connection.save()
    log.info("company %s chose Billit company %s (by %s)", company.pk, party_id, _actor(by))
    audit.record(company, by, audit.PROVIDER_CONNECTED, connection, provider=connection.provider, party_id=party_id)
    return connection


def replace_api_key(company: Company, api_key: str, *, by: Any = None) -> ProviderConnection:
    """A new key for the same Billit company (e.g. after renewing it in Billit); a refused key changes nothing."""
    _require_extension(company)
    connection = _billit_connection(company)
    api_key = (api_key or "").strip()
    if not api_key:
        raise HaulbillError("billit_key_missing", _("Paste the new API key from Billit."), field="api_key")
    _refuse_malformed_key(api_key)
    trial = ProviderConnection(
        company=company,
        provider=connection.provider,
        environment=connection.environment,
        base_url=connection.base_url,
        party_id=connection.party_id,
    )
    trial.set_api_key(api_key)
    accounts = _check_key(company, trial)
    if connection.party_id and connection.party_id not in {a.party_id for a in accounts}:
        raise HaulbillError(
            "billit_company_unknown",
            _(
                "This API key may not act for the connected Billit company %(name)s (%(id)s). Disconnect first to "
                "connect another company."
            )
            % {"name": connection.party_name, "id": connection.party_id},
            field="api_key",
        )
    connection.api_key_encrypted = trial.api_key_encrypted
    connection.api_key_last4 = trial.api_key_last4
    connection.key_invalid_since = None
    if not connection.party_id and len(accounts) == 1:
        _set_party(connection, accounts, accounts[0].party_id)
    if connection.party_id:
        _read_numbers(company, connection)
    connection.save()
    log.info("company %s replaced its Billit API key (now %s) by %s", company.pk, connection.masked_key, _actor(by))
    audit.record(company, by, audit.PROVIDER_KEY_CHANGED, connection, provider=connection.provider)
    return connection


def refresh_numbers(company: Company) -> ProviderConnection:
    connection = _billit_connection(company)
    if not _read_numbers(company, connection):
        raise HaulbillError("billit_unreachable", _("Billit's next numbers could not be read; try again later."))
    connection.save(update_fields=["next_invoice_number", "next_credit_note_number"])
    return connection


def disconnect(company: Company, *, by: Any = None) -> ProviderConnection | None:
    """Stop using the provider: the connection stays as history (inactive, dated), its key is forgotten."""
    with transaction.atomic():
        connection = active_connection(company)
        if connection is None:
            return None
        _retire(connection)
    log.info("company %s disconnected %s by %s", company.pk, connection.provider, _actor(by))
    audit.record(company, by, audit.PROVIDER_DISCONNECTED, connection, provider=connection.provider)
    return connection


# secrets -----------------------------------------------------------------------------------------------------------
def rotate_secrets(progress: Callable[[int, int | None], None] | None = None) -> int:
    """Re-encrypt every stored secret under the newest key of HAULBILL_ENCRYPTION_KEYS (all companies: an
    operator's task). Returns how many values were re-encrypted; one transaction, so a failure changes nothing."""
    rotated = 0
    with transaction.atomic():
        for model, fields in ENCRYPTED_FIELDS:
            rows = model.objects.select_for_update().all()
            total = rows.count()
            for done, row in enumerate(rows, start=1):
                changed = []
                for name in fields:
                    token = getattr(row, name)
                    if token:
                        try:
                            setattr(row, name, crypto.rotate(token))
                        except Exception as exc:  # InvalidToken: a key was removed before rotating
                            raise crypto.SecretUnreadable(
                                f"{model.__name__} {row.pk}: {name} cannot be decrypted with the configured keys."
                            ) from exc
                        changed.append(name)
                if changed:
                    row.save(update_fields=changed)
                    rotated += len(changed)
                if progress:
                    progress(done, total)
    return rotated
