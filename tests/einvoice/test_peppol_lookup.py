"""Is the customer on Peppol? The SML (DNS) and the SMP (HTTP) are outside the system: faked here."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

import dns.exception
import dns.rdata
import dns.resolver
import httpx
import pytest

from haulbill.einvoice.peppol_lookup import (
    CREDIT_NOTE_DOCTYPE,
    INVOICE_DOCTYPE,
    PeppolLookup,
    Reachability,
    sml_host,
)

SMP = "https://smp.example.test"
PARTICIPANT = "0208:0403170701"
ORDER_DOCTYPE = "urn:fdc:peppol.eu:poacc:trns:order:3::Order##urn:fdc:peppol.eu:poacc:trns:order:3::2.1"


def naptr(regexp: str, service: str = "Meta:SMP", flags: str = "U", order: int = 100) -> Any:
    return dns.rdata.from_text("IN", "NAPTR", f'{order} 10 "{flags}" "{service}" "{regexp}" .')


class FakeResolver:
    """Answers NAPTR queries from a table; unknown hosts are NXDOMAIN, like the real SML."""

    def __init__(self, records: dict[str, list[Any]] | None = None, error: Exception | None = None) -> None:
        self.records = records or {}
        self.error = error
        self.queries: list[str] = []

    def resolve(self, qname: str, rdtype: str, *args: Any, **kwargs: Any) -> Iterable[Any]:
        assert rdtype == "NAPTR"
        self.queries.append(qname)
        if self.error is not None:
            raise self.error
        if qname not in self.records:
            raise dns.resolver.NXDOMAIN()
        return self.records[qname]


def service_group(participant: str, doctypes: list[str]) -> bytes:
    references = "".join(
        f'<ServiceMetadataReference href="{SMP}/{quote("iso6523-actorid-upis::" + participant, safe="")}'
        f'/services/{quote("busdox-docid-qns::" + doctype, safe="")}"/>'
        for doctype in doctypes
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<ServiceGroup xmlns="http://busdox.org/serviceMetadata/publishing/1.0/" '
        'xmlns:id="http://busdox.org/transport/identifiers/1.0/">'
        f'<id:ParticipantIdentifier scheme="iso6523-actorid-upis">{participant}</id:ParticipantIdentifier>'
        f"<ServiceMetadataReferenceCollection>{references}</ServiceMetadataReferenceCollection>"
        "</ServiceGroup>"
    ).encode()


class FakeSmp:
    def __init__(self, groups: dict[str, bytes], status: int = 200) -> None:
        self.groups = groups
        self.status = status
        self.paths: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.raw_path.decode()
        self.paths.append(path)
        if self.status != 200:
            return httpx.Response(self.status)
        body = self.groups.get(path)
        return httpx.Response(200, content=body) if body is not None else httpx.Response(404)


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def registered(participant: str = PARTICIPANT) -> FakeResolver:
    return FakeResolver({sml_host(participant): [naptr(f"!^.*$!{SMP}!")]})


def smp_path(participant: str = PARTICIPANT) -> str:
    return "/iso6523-actorid-upis%3A%3A" + participant.replace(":", "%3A")


def lookup(resolver: FakeResolver, smp: FakeSmp, clock: Clock | None = None) -> PeppolLookup:
    return PeppolLookup(resolver=resolver, transport=httpx.MockTransport(smp), clock=clock or Clock())


def test_it_hashes_participants_like_the_peppol_sml_test_vector() -> None:
    host = sml_host("0242:001066")
    assert (
        host
        == "tit36qle62y2yvwovq5nxg6rquymoabfh4ng7xvgtzmaehfre5pa.iso6523-actorid-upis.participant.sml.prod.tech.peppol.org"
    )
    assert sml_host("0242:001066", "test").endswith(".iso6523-actorid-upis.participant.sml.test.tech.peppol.org")


def test_it_lower_cases_the_identifier_before_hashing() -> None:
    assert sml_host("9925:BE0403170701") == sml_host("iso6523-actorid-upis::9925:be0403170701")


def test_a_customer_receiving_invoices_and_credit_notes_is_reachable() -> None:
    smp = FakeSmp({smp_path(): service_group(PARTICIPANT, [INVOICE_DOCTYPE, CREDIT_NOTE_DOCTYPE, ORDER_DOCTYPE])})
    status = lookup(registered(), smp).check(PARTICIPANT)
    assert status.outcome is Reachability.REACHABLE
    assert status.smp_url == SMP
    assert smp.paths == [smp_path()]  # the "::" and ":" go percent-encoded, as SMPs expect


def test_a_customer_receiving_only_invoices_is_partial_and_says_what_is_missing() -> None:
    smp = FakeSmp({smp_path(): service_group(PARTICIPANT, [INVOICE_DOCTYPE])})
    status = lookup(registered(), smp).check(PARTICIPANT)
    assert status.outcome is Reachability.PARTIAL
    assert status.document_types == {"invoice"}
    assert status.missing == {"credit_note"}


def test_a_customer_registered_for_other_documents_only_is_partial_with_no_billing_types() -> None:
    smp = FakeSmp({smp_path(): service_group(PARTICIPANT, [ORDER_DOCTYPE])})
    status = lookup(registered(), smp).check(PARTICIPANT)
    assert (status.outcome, status.document_types) == (Reachability.PARTIAL, frozenset())


def test_a_customer_unknown_to_the_sml_is_not_registered_and_no_smp_is_asked() -> None:
    smp = FakeSmp({})
    status = lookup(FakeResolver(), smp).check(PARTICIPANT)
    assert status.outcome is Reachability.NOT_REGISTERED
    assert smp.paths == []


def test_an_smp_that_does_not_know_the_customer_means_not_registered() -> None:
    status = lookup(registered(), FakeSmp({})).check(PARTICIPANT)
    assert status.outcome is Reachability.NOT_REGISTERED


def test_a_dns_failure_is_unknown_with_the_reason() -> None:
    status = lookup(FakeResolver(error=dns.exception.Timeout()), FakeSmp({})).check(PARTICIPANT)
    assert status.outcome is Reachability.UNKNOWN
    assert "SML lookup failed" in status.reason


def test_an_smp_error_is_unknown_with_the_http_status() -> None:
    status = lookup(registered(), FakeSmp({}, status=503)).check(PARTICIPANT)
    assert status.outcome is Reachability.UNKNOWN
    assert "503" in status.reason


def test_an_unreachable_smp_is_unknown() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    resolver = registered()
    status = PeppolLookup(resolver=resolver, transport=httpx.MockTransport(refuse)).check(PARTICIPANT)
    assert status.outcome is Reachability.UNKNOWN
    assert "unreachable" in status.reason


def test_it_ignores_naptr_records_that_are_not_the_smp_service() -> None:
    resolver = FakeResolver(
        {
            sml_host(PARTICIPANT): [
                naptr("!^.*$!https://wrong.example!", service="Meta:Other"),
                naptr("!^.*$!https://wrong.example!", flags="S"),
                naptr(f"!^.*$!{SMP}!", order=200),
            ]
        }
    )
    status = lookup(resolver, FakeSmp({smp_path(): service_group(PARTICIPANT, [INVOICE_DOCTYPE])})).check(PARTICIPANT)
    assert status.smp_url == SMP


def test_answers_are_cached_for_a_day_and_failures_for_an_hour() -> None:
    clock = Clock()
    resolver = registered()
    smp = FakeSmp({smp_path(): service_group(PARTICIPANT, [INVOICE_DOCTYPE, CREDIT_NOTE_DOCTYPE])})
    checker = lookup(resolver, smp, clock)
    checker.check(PARTICIPANT)
    clock.now += 23 * 3600
    checker.check("0208:0403170701")
    assert len(smp.paths) == 1
    clock.now += 2 * 3600
    checker.check(PARTICIPANT)
    assert len(smp.paths) == 2

    failing = FakeResolver(error=dns.exception.Timeout())
    checker = lookup(failing, smp, clock)
    checker.check(PARTICIPANT)
    clock.now += 30 * 60
    checker.check(PARTICIPANT)
    assert len(failing.queries) == 1
    clock.now += 31 * 60
    checker.check(PARTICIPANT)
    assert len(failing.queries) == 2


def test_it_rejects_a_participant_id_without_a_scheme() -> None:
    with pytest.raises(ValueError, match="0208:0123456749"):
        lookup(FakeResolver(), FakeSmp({})).check("BE0403170701")


def test_a_wildcard_registration_for_billing_3_counts() -> None:
    body = service_group(PARTICIPANT, []).replace(
        b"</ServiceMetadataReferenceCollection>",
        (
            f'<ServiceMetadataReference href="{SMP}/x/services/'
            f'{quote("peppol-doctype-wildcard::" + INVOICE_DOCTYPE, safe="")}"/>'
            f'<ServiceMetadataReference href="{SMP}/x/services/'
            f'{quote("peppol-doctype-wildcard::" + CREDIT_NOTE_DOCTYPE, safe="")}"/>'
            "</ServiceMetadataReferenceCollection>"
        ).encode(),
    )
    status = lookup(registered(), FakeSmp({smp_path(): body})).check(PARTICIPANT)
    assert status.outcome is Reachability.REACHABLE
