"""Is the customer on Peppol? Billit answers when it is the company's platform; otherwise the SML/SMP network does.

The Peppol network (DNS and SMP) is faked; Billit is the local sandbox over real HTTP.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import dns.exception
import pytest

from haulbill.einvoice.peppol_lookup import INVOICE_DOCTYPE
from haulbill.einvoice.reachability import peppol_reachability, set_network_lookup
from haulbill.invoicing.models import Provider, settings_for
from haulbill.providers import registry
from haulbill.providers.base import NotSupported, PeppolStatus
from haulbill.providers.models import ProviderConnection
from tests.einvoice.fakes import FakePeppolNetwork, fake_peppol_network
from tests.factories import CustomerFactory


@pytest.fixture
def network() -> Iterator[FakePeppolNetwork]:
    with fake_peppol_network() as fake:
        yield fake


def test_it_says_a_belgian_customer_receiving_invoices_and_credit_notes_is_reachable(
    company: Any, network: FakePeppolNetwork
) -> None:
    customer = CustomerFactory(company=company)
    network.register(f"0208:{customer.enterprise_number}")

    status = peppol_reachability(company, customer)

    assert status.state == "reachable"
    assert status.document_types == ["credit_note", "invoice"]
    assert customer.enterprise_number in status.detail


def test_it_says_a_customer_unknown_to_the_sml_is_not_registered(company: Any, network: FakePeppolNetwork) -> None:
    customer = CustomerFactory(company=company)

    assert peppol_reachability(company, customer).state == "not_registered"


def test_it_says_which_documents_a_partly_registered_customer_cannot_receive(
    company: Any, network: FakePeppolNetwork
) -> None:
    customer = CustomerFactory(company=company)
    network.register(f"0208:{customer.enterprise_number}", (INVOICE_DOCTYPE,))

    status = peppol_reachability(company, customer)

    assert status.state == "partial"
    assert "receives only invoices" in status.detail


def test_it_looks_a_dutch_customer_up_under_its_vat_scheme(company: Any, network: FakePeppolNetwork) -> None:
    customer = CustomerFactory(
        company=company, country="NL", vat_number="NL853746333B01", enterprise_number="", peppol_identifier=""
    )
    network.register("9944:NL853746333B01")

    assert peppol_reachability(company, customer).state == "reachable"


def test_it_could_not_check_when_the_sml_does_not_answer_and_says_why(company: Any, network: FakePeppolNetwork) -> None:
    network.resolver.error = dns.exception.Timeout()
    customer = CustomerFactory(company=company)

    status = peppol_reachability(company, customer)

    assert status.state == "unknown"
    assert "SML lookup failed" in status.detail


def test_it_could_not_check_a_customer_without_any_number(company: Any, network: FakePeppolNetwork) -> None:
    customer = CustomerFactory(company=company, country="US", vat_number="", enterprise_number="", peppol_identifier="")

    status = peppol_reachability(company, customer)

    assert status.state == "unknown"
    assert "enter one" in status.detail
    assert network.resolver.queries == []


def test_it_asks_the_network_once_for_a_customer_checked_twice(company: Any, network: FakePeppolNetwork) -> None:
    customer = CustomerFactory(company=company)
    network.register(f"0208:{customer.enterprise_number}")

    first, second = peppol_reachability(company, customer), peppol_reachability(company, customer)

    assert first == second
    assert len(network.resolver.queries) == 1


def test_it_refuses_a_customer_of_another_company(company: Any, other_company: Any) -> None:
    with pytest.raises(ValueError):
        peppol_reachability(company, CustomerFactory(company=other_company))


# Billit ------------------------------------------------------------------------------------------------------


def billit_customer(company: Any) -> Any:
    settings = settings_for(company)
    settings.provider = Provider.BILLIT
    settings.save()
    return CustomerFactory(company=company)


def test_with_billit_it_says_reachable_what_billits_peppol_registry_knows(
    billit_company: Any,
    billit_sandbox: Any,
    network: FakePeppolNetwork,
) -> None:
    customer = billit_customer(billit_company)
    billit_sandbox.register_peppol_participant(customer.vat_number)

    status = peppol_reachability(billit_company, customer)

    assert status.state == "reachable"
    assert network.resolver.queries == [], "the network was asked although Billit answered"


def test_with_billit_it_says_not_registered_what_billit_does_not_know(
    billit_company: Any,
    billit_sandbox: Any,
    network: FakePeppolNetwork,
) -> None:
    customer = billit_customer(billit_company)
    network.register(f"0208:{customer.enterprise_number}")  # the network would say otherwise: Billit wins

    assert peppol_reachability(billit_company, customer).state == "not_registered"


class PlatformWithoutPeppol:
    """A provider adapter whose platform cannot tell who is on Peppol."""

    key = "billit"

    def __init__(self, company: Any, connection: Any) -> None:
        pass

    def peppol_status(self, customer: Any) -> PeppolStatus:
        raise NotSupported("This platform does not look up Peppol participants.")


def test_it_asks_the_network_when_the_platform_cannot_tell(
    company: Any, network: FakePeppolNetwork, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(registry.ADAPTERS, Provider.BILLIT, f"{__name__}:PlatformWithoutPeppol")
    ProviderConnection.objects.create(company=company, provider=Provider.BILLIT)
    customer = billit_customer(company)
    network.register(f"0208:{customer.enterprise_number}")

    assert peppol_reachability(company, customer).state == "reachable"


def test_it_could_not_check_when_the_lookup_is_switched_off(company: Any, settings: Any) -> None:
    settings.PEPPOL_NETWORK = "off"
    set_network_lookup(None)  # forget any lookup built before

    status = peppol_reachability(company, CustomerFactory(company=company))

    assert status.state == "unknown"
    assert "switched off" in status.detail
