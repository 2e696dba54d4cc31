"""Billit behind the port: our domain (Customer, RemoteProduct…) in, Billit's client and wire models underneath.

Every Billit call goes through `BillitClient`; this module only maps between the two vocabularies and turns
Billit's typed errors into the port's (`ProviderAuthError`, `ProviderNotFound`…), whose messages never hold the key.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.translation import gettext as _

from haulbill.addressbook import numbers
from haulbill.catalog.models import UNIT_CODES, VatLevel
from haulbill.providers.base import (
    ConnectionInfo,
    PeppolStatus,
    ProgressCallback,
    ProviderAuthError,
    ProviderError,
    ProviderNotFound,
    ProviderRejected,
    ProviderUnavailable,
    PushResult,
    RemoteAccount,
    RemoteCustomer,
    RemoteInvoiceStatus,
    RemoteProduct,
)
from haulbill.providers.billit import orders
from haulbill.providers.billit.client import BillitClient, Timeouts, idempotency_key_for
from haulbill.providers.billit.errors import (
    BillitAuthError,
    BillitError,
    BillitIdempotencyReplay,
    BillitNotFound,
    BillitUnavailable,
    BillitValidationError,
)
from haulbill.providers.billit.models import Party, PartyAddress, PartyIdentifier, Product
from haulbill.providers.billit.wire import odata_literal

if TYPE_CHECKING:
    from haulbill.addressbook.models import Customer
    from haulbill.providers.models import ProviderConnection
    from haulbill.tenancy.models import Company

SEQUENCE_TYPES = {"invoice": "Income-Invoice", "credit_note": "Income-CreditNote"}
# Billit speaks NL/FR/EN/DE; Haulbill's customers speak en/fr/nl (German customers get English).
TO_BILLIT_LANGUAGE = {"nl": "NL", "fr": "FR", "en": "EN", "de": "DE"}
FROM_BILLIT_LANGUAGE = {"NL": "nl", "FR": "fr", "EN": "en", "DE": "en"}
# Units people type in Billit's product form, mapped to the UN/ECE codes Peppol accepts.
UNIT_WORDS = {
    "": "C62", "st": "H87", "stuk": "H87", "stuks": "H87", "piece": "H87", "pieces": "H87", "pce": "H87",
    "pc": "H87", "pcs": "H87", "unit": "C62", "units": "C62", "trip": "C62", "rit": "C62", "voyage": "C62",
    "h": "HUR", "u": "HUR", "uur": "HUR", "hour": "HUR", "hours": "HUR", "heure": "HUR", "heures": "HUR",
    "min": "MIN", "minute": "MIN", "minutes": "MIN", "minuut": "MIN", "day": "DAY", "days": "DAY",
    "dag": "DAY", "dagen": "DAY", "jour": "DAY", "jours": "DAY", "km": "KMT", "kilometre": "KMT",
    "kilometer": "KMT", "t": "TNE", "ton": "TNE", "tonne": "TNE", "tonnes": "TNE", "kg": "KGM",
    "m3": "MTQ", "l": "LTR", "liter": "LTR", "litre": "LTR", "forfait": "LS", "lump sum": "LS",
}  # fmt: skip
CBE_TYPES = {"CBE", "KBO", "BCE"}


def unit_code(value: str | None) -> str:
    text = (value or "").strip()
    if text.upper() in UNIT_CODES:
        return text.upper()
    return UNIT_WORDS.get(text.lower(), "C62")


class BillitProvider:
    """The port's adapter for Billit. Built from a company and its connection (saved or, while connecting, not)."""

    key = "billit"

    def __init__(self, company: Company, connection: ProviderConnection) -> None:
        self.company = company
        self.connection = connection

    def __repr__(self) -> str:
        return f"<BillitProvider company={self.company.pk} party={self.connection.party_id or '-'}>"

    # plumbing ---------------------------------------------------------------------------------------------------
    @contextmanager
    def _client(self, *, with_party: bool = True) -> Iterator[BillitClient]:
        party = self.connection.party_id if with_party else ""
        timeout = float(getattr(settings, "BILLIT_TIMEOUT_SECONDS", 30))
        try:
            client = BillitClient(
                self.connection.api_key,
                int(party) if party else None,
                base_url=self.connection.effective_base_url,
                timeouts=Timeouts(read=timeout, write=timeout),
                shared_throttle=True,  # waits for the account's pause after a 429, like the push threads
            )
        except ValueError as exc:
            raise ProviderAuthError(
                _("No Billit API key is stored: connect Billit first."), code="billit_no_key"
            ) from exc
        try:
            with _translated():
                yield client
        finally:
            client.close()

    # connection -------------------------------------------------------------------------------------------------
    def check_connection(self) -> ConnectionInfo:
        """The user behind the key and every company it may act for (accountInformation needs no PartyID)."""
        with self._client(with_party=False) as client:
            info = client.account_information()
        accounts = [
            RemoteAccount(
                party_id=str(c.party_id),
                name=c.name or c.display_name or c.tab_name_alias or str(c.party_id),
                vat_number=c.vat_number or "",
            )
            for c in info.companies
            if c.party_id is not None
        ]
        return ConnectionInfo(user_email=info.email or "", accounts=accounts)

    def next_number(self, kind: str, *, consume: bool = False) -> str | None:
        sequence = SEQUENCE_TYPES.get(kind)
        if sequence is None:
            raise ValueError(f"kind must be one of {', '.join(SEQUENCE_TYPES)}")
        with self._client() as client:
            return client.next_number(sequence, consume=consume)  # type: ignore[arg-type]

    # catalog ----------------------------------------------------------------------------------------------------
    def list_products(self, progress: ProgressCallback | None = None) -> Iterator[RemoteProduct]:
        with self._client() as client:
            for done, product in enumerate(client.iter_products(), start=1):
                yield _remote_product(product)
                if progress:
                    progress(done, None)

    # customers --------------------------------------------------------------------------------------------------
    def list_customers(self, progress: ProgressCallback | None = None) -> Iterator[RemoteCustomer]:
        with self._client() as client:
            for done, party in enumerate(client.iter_parties(), start=1):
                if (party.party_type or "Customer") == "Customer":
                    yield _remote_customer(party)
                if progress:
                    progress(done, None)

    def get_customer(self, remote_id: str) -> RemoteCustomer | None:
        if not str(remote_id).isdigit():
            return None
        try:
            with self._client() as client:
                party = client.get_party(int(remote_id))
        except ProviderNotFound:
            return None
        if (party.party_type or "Customer") != "Customer":
            return None
        return _remote_customer(party)

    def create_customer(self, customer: Customer) -> str:
        """Create the customer as a Billit party and return its PartyID.

        The idempotency key is the customer's, so a retry after a lost answer cannot create a second party; if
        Billit says the key was already used, the party made then is found again by VAT number or customer Nr.
        """
        party = _party_for(customer)
        key = idempotency_key_for("party", self.company.pk, customer.pk, customer.vat_number, customer.reference)
        with self._client() as client:
            try:
                return str(client.create_party(party, idempotency_key=key))
            except BillitIdempotencyReplay:
                found = self._find_party(client, customer)
                if found is None:
                    raise ProviderError(
                        _(
                            "Billit says customer %(name)s was already created, but it cannot be found again: "
                            "link it by hand with its invoicing ID."
                        )
                        % {"name": customer.name},
                        code="billit_party_lost",
                    ) from None
                return found

    def _find_party(self, client: BillitClient, customer: Customer) -> str | None:
        for field, value in (("VATNumber", customer.vat_number), ("Nr", customer.reference), ("Email", customer.email)):
            if value:
                for party in client.iter_parties(filter=f"{field} eq {odata_literal(value)}"):
                    if party.party_id is not None:
                        return str(party.party_id)
        return None

    def peppol_status(self, customer: Customer) -> PeppolStatus:
        identifier = customer.peppol_identifier or customer.vat_number or customer.enterprise_number
        if not identifier:
            return PeppolStatus("unknown", _("The customer has no VAT or enterprise number to look up."))
        try:
            with self._client(with_party=False) as client:
                info = client.participant_information(identifier)
        except ProviderError as exc:
            return PeppolStatus("unknown", exc.message)
        if not info.registered:
            return PeppolStatus("not_registered", _("%(id)s is not registered on Peppol.") % {"id": identifier})
        types = list(info.document_types)
        wanted = {"BISv3Invoice", "BISv3CreditNote"}
        state = "reachable" if wanted <= set(types) else "partial"
        return PeppolStatus(state, info.service_provider_name or "", types)

    # invoices: the next issue ----------------------------------------------------------------------------------
    def push_invoice(self, invoice: object) -> PushResult:
        return orders.push_invoice(self, invoice)  # type: ignore[arg-type]

    def find_invoice(self, number: str, kind: str) -> PushResult | None:
        return orders.find_invoice(self, number, kind)

    def fetch_statuses(self, since: dt.datetime | None) -> Iterator[RemoteInvoiceStatus]:
        return orders.fetch_statuses(self, since)

    def send(self, invoice: object, method: str) -> None:
        return orders.send(self, invoice, method)  # type: ignore[arg-type]


@contextmanager
def _translated() -> Iterator[None]:
    """Billit's errors as the port's; the client already keeps the key out of every message."""
    try:
        yield
    except BillitAuthError as exc:
        raise ProviderAuthError(
            _(
                "Billit refused the API key, or the key may not act for this company. Paste the key again from "
                "Billit (Profile › Users & API) in Settings › Extensions › Invoicing."
            ),
            remote_code=exc.code,
        ) from None
    except BillitNotFound as exc:
        raise ProviderNotFound(_("Billit does not know this record."), remote_code=exc.code) from None
    except BillitValidationError as exc:
        raise ProviderRejected(exc.message, remote_code=exc.code) from None
    except BillitUnavailable as exc:
        raise ProviderUnavailable(
            _("Billit cannot be reached right now (%(detail)s). Try again in a few minutes.") % {"detail": exc.message},
        ) from None
    except BillitError as exc:
        raise ProviderError(exc.message, remote_code=exc.code) from None


def _remote_product(product: Product) -> RemoteProduct:
    vat = product.vat
    return RemoteProduct(
        remote_id=str(product.product_id),
        item_code=(product.reference or "").strip() or str(product.product_id),
        name=(product.description or "").strip() or (product.reference or "").strip(),
        unit=unit_code(product.unit),
        unit_price=product.amount_excl if product.amount_excl is not None else Decimal("0"),
        vat_rate=Decimal(vat) if vat is not None else None,
        # A product without a VAT rate takes the customer's VAT regime (Billit's "VAT on the customer").
        vat_level=VatLevel.CUSTOMER if product.vat_on_customer else VatLevel.PRODUCT,
    )


def _remote_customer(party: Party) -> RemoteCustomer:
    address: PartyAddress | None = next(
        (a for a in party.addresses or [] if (a.address_type or "") == "InvoiceAddress"), None
    )
    street = " ".join(p for p in [party.street or "", party.street_number or ""] if p).strip()
    postcode, city, country = party.zipcode or "", party.city or "", party.country_code or ""
    if address is not None and not (street or postcode or city):
        street = " ".join(p for p in [address.street or "", address.street_number or ""] if p).strip()
        postcode, city, country = address.zipcode or "", address.city or "", address.country_code or country
    vat = (party.vat_number or "").strip()
    if not country and vat[:2].isalpha():
        country = vat[:2].upper()
    enterprise = ""
    for identifier in party.identifiers or []:
        if (identifier.identifier_type or "").upper() in CBE_TYPES and identifier.identifier:
            enterprise = re.sub(r"\D", "", identifier.identifier)
            break
    if not enterprise:
        enterprise = numbers.enterprise_number_from_vat(re.sub(r"[\s.\-]", "", vat).upper())
    return RemoteCustomer(
        remote_id=str(party.party_id),
        name=(party.name or party.display_name or party.commercial_name or "").strip(),
        vat_number=vat,
        enterprise_number=enterprise,
        street=street,
        postcode=postcode.strip(),
        city=city.strip(),
        country=country.upper(),
        email=(party.email or "").strip(),
        language=FROM_BILLIT_LANGUAGE.get((party.language or "").upper(), ""),
    )


def _party_for(customer: Customer) -> Party:
    street, number = _split_street(customer.street)
    identifiers: list[PartyIdentifier] = []
    if customer.country.upper() == "BE":
        enterprise = customer.enterprise_number or numbers.enterprise_number_from_vat(customer.vat_number)
        if enterprise:
            identifiers.append(
                PartyIdentifier(identifier_type="CBE", identifier=enterprise, scheme_id="0208", preferred=True)
            )
    fields: dict[str, Any] = {
        "party_type": "Customer",
        "name": customer.name,
        "vat_number": customer.vat_number or None,
        "vat_liable": bool(customer.vat_number),
        "nr": customer.reference or None,
        "email": customer.email or None,
        "street": street or None,
        "street_number": number or None,
        "zipcode": customer.postcode or None,
        "city": customer.city or None,
        "country_code": customer.country.upper() or None,
        "language": TO_BILLIT_LANGUAGE.get(customer.language, "EN"),
        "identifiers": identifiers or None,
        "addresses": [
            PartyAddress(
                address_type="InvoiceAddress",
                name=customer.name,
                street=street or None,
                street_number=number or None,
                zipcode=customer.postcode or None,
                city=customer.city or None,
                country_code=customer.country.upper() or None,
            )
        ],
    }
    return Party(**fields)


def _split_street(value: str) -> tuple[str, str]:
    """ "Kerkstraat 12A" -> ("Kerkstraat", "12A"); "12 rue du Port" -> ("rue du Port", "12")."""
    text = (value or "").strip()
    match = re.fullmatch(r"(.*?\D)\s*,?\s*(\d+\s*[A-Za-z]?(?:\s*(?:bus|box|bte)\s*\S+)?)", text)
    if match:
        return match.group(1).strip(" ,"), match.group(2).strip()
    match = re.fullmatch(r"(\d+[A-Za-z]?)\s*,?\s+(.*)", text)
    if match:
        return match.group(2).strip(), match.group(1)
    return text, ""
