"""The client reads the account, parties and products, every page of them, in Billit's shapes."""

from __future__ import annotations

from decimal import Decimal

import pytest

from billit_sandbox.pytest_plugin import SandboxHandle
from haulbill.providers.billit.client import BillitClient
from haulbill.providers.billit.errors import BillitAuthError, BillitProtocolError
from haulbill.providers.billit.models import Party
from tests.billit.conftest import make_client


def test_it_lists_the_companies_the_key_may_act_for(client: BillitClient) -> None:
    account = client.account_information()

    assert account.email == "demo@haulbill.example"
    company = account.company(client.party_id or 0)
    assert company is not None and company.vat_number == "BE0412345614"


def test_it_reports_a_company_the_key_cannot_reach_as_an_auth_error(
    billit_sandbox: SandboxHandle, sleeps: list[float]
) -> None:
    wrong_company = make_client(billit_sandbox, sleeps, party_id=SandboxHandle.two_companies_party_ids[0])

    with pytest.raises(BillitAuthError):
        wrong_company.list_orders()


def test_it_reads_every_page_of_parties(client: BillitClient) -> None:
    for n in range(130):
        client.create_party(Party(name=f"Customer {n:03d}", nr=f"X{n:03d}", party_type="Customer"))

    parties = client.list_parties()

    assert len(parties) == 134
    assert len({p.party_id for p in parties}) == 134


def test_it_pages_with_an_explicit_page_size(client: BillitClient, billit_sandbox: SandboxHandle) -> None:
    parties = client.list_parties(page_size=3, orderby="Nr")

    assert [p.nr for p in parties] == ["C001", "C002", "C003", "C004"]
    gets = [e for e in billit_sandbox.requests() if e["path"] == "/v1/parties"]
    assert [e["query"].get("$skip") for e in gets] == [None, "3"]


def test_it_filters_parties_with_odata(client: BillitClient) -> None:
    french = client.list_parties(filter="CountryCode eq 'FR'")

    assert [p.name for p in french] == ["Transports Lyonnais SARL"]


def test_it_creates_gets_and_patches_a_party(client: BillitClient) -> None:
    party_id = client.create_party(Party(name="Fret Express SA", vat_number="BE0777123418", email="a@fret.example"))

    client.patch_party(party_id, email="compta@fret.example", city="Mons")

    party = client.get_party(party_id)
    assert party.email == "compta@fret.example" and party.city == "Mons"
    assert party.identifiers and party.identifiers[0].identifier == "0777123418"


def test_it_refuses_to_patch_a_party_field_billit_cannot_patch(client: BillitClient) -> None:
    with pytest.raises(ValueError, match="addresses"):
        client.patch_party(200001, addresses=[])


def test_it_reads_the_catalog_with_decimal_prices_and_vat_on_customer(client: BillitClient) -> None:
    products = {p.reference: p for p in client.list_products()}

    assert products["TR-NAT"].amount_excl == Decimal("450.00") and products["TR-NAT"].vat == Decimal("21")
    assert products["TR-NAT"].unit == "C62" and products["WAIT-H"].unit == "HUR"
    assert products["TR-INT"].vat_on_customer is True and products["TR-NAT"].vat_on_customer is False
    assert client.get_product(products["GAS-IDX"].product_id or 0).description == "Gas index surcharge"


def test_it_refuses_to_follow_a_next_page_link_to_another_host(
    client: BillitClient, billit_sandbox: SandboxHandle
) -> None:
    for n in range(117):
        client.create_party(Party(name=f"Filler {n}", party_type="Customer"))
    billit_sandbox.settings(next_page_base="http://collector.example:8080")

    with pytest.raises(BillitProtocolError, match="another host"):
        client.list_parties()
