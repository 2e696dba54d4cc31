"""Catalog synchronisation, automatic linking and the connection test through the API, against the Billit sandbox."""

from __future__ import annotations

from typing import Any

from haulbill.catalog.models import Product
from haulbill.invoicing.models import InvoicingSettings, Provider
from haulbill.providers import services as connection
from tests.api.conftest import api_client_for, member
from tests.factories import CustomerFactory


def connect(company: Any, sandbox: Any) -> None:
    connection.connect_billit(company, api_key=sandbox.api_key, environment="custom", base_url=sandbox.base_url)


def test_it_synchronises_the_catalog_in_a_job_and_lists_the_products(api, company, billit_sandbox, fast_billit):
    connect(company, billit_sandbox)
    response = api.post("/api/v1/products/sync", {})
    assert response.status_code == 202, response.content
    job = api.get(response.json()["url"]).json()
    assert (job["kind"], job["status"], sorted(job["result"]["added"])) == (
        "sync-catalog",
        "succeeded",
        ["GAS-IDX", "TR-INT", "TR-NAT", "WAIT-H"],
    )
    listed = api.get("/api/v1/products", {"item_code": "TR-NAT"}).json()
    [product] = listed["items"]
    assert (product["name"], product["unit_price"], product["provider"]) == ("National transport", "450.0000", "billit")
    assert Product.objects.for_company(company).count() == 4


def test_a_viewer_cannot_start_a_synchronisation(company, billit_sandbox):
    response = api_client_for(member(company, "viewer")).post("/api/v1/products/sync", {})
    assert (response.status_code, response.json()["code"]) == (403, "role_required")


def test_it_starts_automatic_linking_which_links_the_customer_with_the_same_vat_number(
    api, company, billit_sandbox, fast_billit
):
    connect(company, billit_sandbox)
    customer = CustomerFactory(company=company, name="Logistiek Vlaanderen", vat_number="BE0765432146", city="Gent")
    response = api.post("/api/v1/customers/auto-link", {})
    assert response.status_code == 202, response.content
    job = api.get(f"/api/v1/jobs/{response.json()['id']}").json()
    assert (job["status"], job["result"]["linked"]) == ("succeeded", 1)
    customer.refresh_from_db()
    assert (customer.invoicing_provider, customer.invoicing_id != "") == ("billit", True)


def test_it_refuses_automatic_linking_without_a_platform(api, company):
    InvoicingSettings.objects.filter(company=company).update(provider=Provider.NONE)
    response = api.post("/api/v1/customers/auto-link", {})
    assert (response.status_code, response.json()["code"]) == (400, "provider_not_connected")


def test_the_connection_test_names_the_billit_company_and_never_echoes_the_key(api, company, billit_sandbox):
    connect(company, billit_sandbox)
    response = api.post("/api/v1/settings/connection-test", {})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["ok"], body["provider"]) == (True, "billit")
    assert str(billit_sandbox.party_id) in {a["party_id"] for a in body["accounts"]}
    assert billit_sandbox.api_key not in response.content.decode()
    settings = api.get("/api/v1/settings").json()
    assert settings["connection"]["api_key_set"] is True
    assert billit_sandbox.api_key not in str(settings)


def test_the_connection_test_says_when_billit_refuses_the_stored_key(api, company, billit_sandbox, fast_billit):
    from haulbill.providers.registry import active_connection

    connect(company, billit_sandbox)
    stored = active_connection(company)
    stored.set_api_key("revoked-key-0000000000000000")
    stored.save()
    response = api.post("/api/v1/settings/connection-test", {})
    assert response.status_code == 422
    assert "revoked-key" not in response.content.decode()


def test_the_connection_test_needs_a_platform(api, company):
    InvoicingSettings.objects.filter(company=company).update(provider=Provider.NONE)
    response = api.post("/api/v1/settings/connection-test", {})
    assert (response.status_code, response.json()["code"]) == (422, "provider_not_connected"), response.content


def test_only_an_admin_may_test_the_connection(company, billit_sandbox):
    connect(company, billit_sandbox)
    response = api_client_for(member(company, "invoicer")).post("/api/v1/settings/connection-test", {})
    assert response.status_code == 403


def test_the_connection_test_says_when_billit_cannot_be_reached(api, company, billit_sandbox, fast_billit):
    connect(company, billit_sandbox)
    billit_sandbox.fail_next("503", count=10)
    response = api.post("/api/v1/settings/connection-test", {})
    assert (response.status_code, response.json()["code"]) == (503, "provider_unavailable"), response.content
