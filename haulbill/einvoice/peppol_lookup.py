"""Is the customer on Peppol? Asked of the network itself (SML, then SMP), without Billit.

The SML is DNS: the participant identifier, lower-cased, SHA-256, Base32 without padding,
lower-cased, is a host whose U-NAPTR record (service `Meta:SMP`) names the participant's SMP.
The SMP's service group lists the document types the participant receives; Haulbill needs
the BIS Billing 3.0 Invoice and CreditNote.
"""

from __future__ import annotations

import base64
import hashlib
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol
from urllib.parse import quote, unquote

import dns.exception
import dns.resolver
import httpx
from lxml import etree

PARTICIPANT_SCHEME = "iso6523-actorid-upis"
SML_ZONES = {
    "production": "participant.sml.prod.tech.peppol.org",
    "test": "participant.sml.test.tech.peppol.org",
}
_BILLING = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0::2.1"
INVOICE_DOCTYPE = f"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2::Invoice##{_BILLING}"
CREDIT_NOTE_DOCTYPE = f"urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2::CreditNote##{_BILLING}"
DOCUMENT_TYPES = {"invoice": INVOICE_DOCTYPE, "credit_note": CREDIT_NOTE_DOCTYPE}
# Schemes a document type identifier may be published under for our types to match.
_DOCTYPE_SCHEMES = ("busdox-docid-qns::", "peppol-doctype-wildcard::")


class Reachability(StrEnum):
    REACHABLE = "reachable"  # receives BIS 3.0 invoices and credit notes
    PARTIAL = "partial"  # registered, but receives only some of them
    NOT_REGISTERED = "not_registered"
    UNKNOWN = "unknown"  # could not check; `reason` says why


@dataclass(frozen=True, slots=True)
class PeppolStatus:
    participant: str
    outcome: Reachability
    document_types: frozenset[str] = field(default_factory=frozenset)  # "invoice", "credit_note"
    smp_url: str = ""
    reason: str = ""

    @property
    def missing(self) -> frozenset[str]:
        return frozenset(DOCUMENT_TYPES) - self.document_types


class DnsResolver(Protocol):
    """The part of `dns.resolver.Resolver` used here."""

    def resolve(self, qname: str, rdtype: str, *args: Any, **kwargs: Any) -> Iterable[Any]: ...


def normalise_participant(participant: str) -> str:
    """`0208:0123456749` (an `iso6523-actorid-upis::` prefix is accepted and dropped)."""
    value = participant.strip()
    if value.lower().startswith(PARTICIPANT_SCHEME + "::"):
        value = value[len(PARTICIPANT_SCHEME) + 2 :]
    if not re.fullmatch(r"[0-9]{4}:\S+", value):
        raise ValueError(
            f"{participant!r} is not a Peppol participant id: expected "
            "'<4-digit scheme>:<identifier>', e.g. '0208:0123456749'."
        )
    return value.lower()  # participant identifiers are case-insensitive


def sml_host(participant: str, network: str = "production") -> str:
    digest = hashlib.sha256(normalise_participant(participant).encode("utf-8")).digest()
    label = base64.b32encode(digest).decode("ascii").rstrip("=").lower()
    return f"{label}.{PARTICIPANT_SCHEME}.{SML_ZONES[network]}"


def _text(value: Any) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def _apply_naptr_regexp(regexp: str, host: str) -> str:
    """Apply a NAPTR substitution expression such as `!^.*$!https://smp.example!`."""
    delimiter = regexp[0]
    parts = regexp[1:].split(delimiter)
    if len(parts) < 2:
        raise ValueError(f"Malformed NAPTR regexp {regexp!r}.")
    pattern, replacement = parts[0], parts[1]
    replacement = re.sub(r"\\(\d)", r"\\g<\1>", replacement)
    return re.sub(pattern, replacement, host, count=1)


def _published_types(service_group: bytes) -> set[str]:
    """Document type identifiers of a ServiceGroup (Peppol SMP 1.x hrefs or OASIS SMP 2 IDs)."""
    root = etree.fromstring(service_group)
    found: set[str] = set()
    for element in root.iter():
        tag = etree.QName(element).localname if isinstance(element.tag, str) else ""
        if tag == "ServiceMetadataReference":
            href = element.get("href", "")
            decoded = unquote(unquote(href))  # some SMPs encode the path twice
            if "/services/" in decoded:
                found.add(decoded.split("/services/", 1)[1])
        elif tag == "ID" and element.getparent() is not None:
            parent = etree.QName(element.getparent()).localname
            if parent == "ServiceReference":
                found.add(f"{element.get('schemeID', 'busdox-docid-qns')}::{element.text or ''}")
    return found


def _received(published: set[str]) -> frozenset[str]:
    values = set()
    for identifier in published:
        for scheme in _DOCTYPE_SCHEMES:
            if identifier.lower().startswith(scheme):
                values.add(identifier[len(scheme) :])
    return frozenset(name for name, doctype in DOCUMENT_TYPES.items() if doctype in values)


class PeppolLookup:
    """SML/SMP reachability, cached: 24 h when registered, 6 h when not, 1 h when the check failed."""

    def __init__(
        self,
        *,
        network: str = "production",
        resolver: DnsResolver | None = None,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
        timeout: float = 5.0,
        ttl_registered: float = 24 * 3600,
        ttl_not_registered: float = 6 * 3600,
        ttl_unknown: float = 3600,
    ) -> None:
        if network not in SML_ZONES:
            raise ValueError(f"network must be one of {sorted(SML_ZONES)}, got {network!r}.")
        self.network = network
        self._resolver = resolver if resolver is not None else dns.resolver.Resolver()
        self._http = httpx.Client(transport=transport, timeout=timeout, follow_redirects=True)
        self._timeout = timeout
        self._clock = clock
        self._ttl = {
            Reachability.REACHABLE: ttl_registered,
            Reachability.PARTIAL: ttl_registered,
            Reachability.NOT_REGISTERED: ttl_not_registered,
            Reachability.UNKNOWN: ttl_unknown,
        }
        self._cache: dict[str, tuple[float, PeppolStatus]] = {}
        self._lock = threading.Lock()

    def close(self) -> None:
        self._http.close()

    def check(self, participant: str) -> PeppolStatus:
        key = normalise_participant(participant)
        now = self._clock()
        with self._lock:
            cached = self._cache.get(key)
        if cached is not None and cached[0] > now:
            return cached[1]
        status = self._check(key)
        with self._lock:
            self._cache[key] = (self._clock() + self._ttl[status.outcome], status)
        return status

    def smp_url(self, participant: str) -> str | None:
        """The SMP base URL the SML gives for `participant`, None when it is not registered."""
        host = sml_host(participant, self.network)
        try:
            answers = self._resolver.resolve(host, "NAPTR", lifetime=self._timeout)
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            return None
        records = sorted(
            (
                record
                for record in answers
                if _text(record.flags).upper() == "U" and _text(record.service) == "Meta:SMP"
            ),
            key=lambda record: (record.order, record.preference),
        )
        if not records:
            return None
        return _apply_naptr_regexp(_text(records[0].regexp), host)

    def _check(self, participant: str) -> PeppolStatus:
        try:
            smp = self.smp_url(participant)
        except dns.exception.DNSException as error:
            return PeppolStatus(participant, Reachability.UNKNOWN, reason=f"SML lookup failed: {error!r}")
        if smp is None:
            return PeppolStatus(participant, Reachability.NOT_REGISTERED)
        url = f"{smp.rstrip('/')}/{quote(f'{PARTICIPANT_SCHEME}::{participant}', safe='')}"
        try:
            response = self._http.get(url)
        except httpx.HTTPError as error:
            return PeppolStatus(
                participant,
                Reachability.UNKNOWN,
                smp_url=smp,
                reason=f"SMP {smp} unreachable: {type(error).__name__}",
            )
        if response.status_code == 404:
            return PeppolStatus(participant, Reachability.NOT_REGISTERED, smp_url=smp)
        if response.status_code != 200:
            return PeppolStatus(
                participant,
                Reachability.UNKNOWN,
                smp_url=smp,
                reason=f"SMP {smp} answered HTTP {response.status_code}",
            )
        try:
            received = _received(_published_types(response.content))
        except etree.XMLSyntaxError:
            return PeppolStatus(
                participant,
                Reachability.UNKNOWN,
                smp_url=smp,
                reason=f"SMP {smp} sent a service group that is not XML",
            )
        if received == frozenset(DOCUMENT_TYPES):
            outcome = Reachability.REACHABLE
            reason = ""
        elif received:
            outcome = Reachability.PARTIAL
            reason = "receives only " + ", ".join(sorted(received)).replace("_", " ") + "s"
        else:
            outcome = Reachability.PARTIAL
            reason = "registered on Peppol, but not for BIS Billing 3.0 invoices or credit notes"
        return PeppolStatus(participant, outcome, received, smp, reason)
