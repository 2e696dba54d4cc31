"""The Peppol network for tests: a fake SML (DNS) and a fake SMP (HTTP), both outside the system."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote

import httpx

from haulbill.einvoice.peppol_lookup import CREDIT_NOTE_DOCTYPE, INVOICE_DOCTYPE, PeppolLookup, sml_host
from haulbill.einvoice.reachability import set_network_lookup
from tests.einvoice.test_peppol_lookup import SMP, FakeResolver, FakeSmp, naptr, service_group


class FakePeppolNetwork:
    """Participants registered here are in the SML and receive the given document types at one SMP."""

    def __init__(self) -> None:
        self.resolver = FakeResolver()
        self.smp = FakeSmp({})

    def register(self, participant: str, doctypes: tuple[str, ...] = (INVOICE_DOCTYPE, CREDIT_NOTE_DOCTYPE)) -> None:
        self.resolver.records[sml_host(participant)] = [naptr(f"!^.*$!{SMP}!")]
        participant = participant.lower()
        self.smp.groups["/" + quote(f"iso6523-actorid-upis::{participant}", safe="")] = service_group(
            participant, list(doctypes)
        )

    def lookup(self) -> PeppolLookup:
        return PeppolLookup(resolver=self.resolver, transport=httpx.MockTransport(self.smp))


@contextmanager
def fake_peppol_network() -> Iterator[FakePeppolNetwork]:
    network = FakePeppolNetwork()
    set_network_lookup(network.lookup())
    try:
        yield network
    finally:
        set_network_lookup(None)
