"""No secret in any response: a connected company's Billit key never appears in any GET of the API."""

from __future__ import annotations

from haulbill.providers.models import ProviderConnection
from tests.api import openapi_walk
from tests.api.conftest import api_client_for, valid_customer
from tests.factories import MembershipFactory, TransportFactory

API_KEY = "bk_live_5f7c1e0a9b8d4c3e2f1a0b9c8d7e6f5a"


def _connect(company):
    connection = ProviderConnection(company=company, provider="billit", environment="sandbox", party_id="123")
    connection.set_api_key(API_KEY)
    connection.set_webhook_secret("whsec_very_secret_value_123456")
    connection.save()
    return connection


def test_it_never_returns_the_api_key_in_any_get_response(company):
    _connect(company)
    customer = valid_customer(company, seed=21)
    transport = TransportFactory(company=company, customer=customer)
    client = api_client_for(MembershipFactory(company=company, role="admin"))
    ids = {"customer_id": customer.pk, "transport_id": transport.pk, "job_id": 1, "run_id": 1, "invoice_id": 1}
    checked = 0
    for method, path, _operation in openapi_walk.operations():
        if method != "GET":
            continue
        response = client.get(path.format(**ids))
        body = response.content.decode(errors="replace")
        assert API_KEY not in body and API_KEY[-12:] not in body, path
        assert "whsec_very_secret_value" not in body, path
        checked += 1
    assert checked >= 5


def test_it_says_a_key_is_stored_without_showing_it(company, api):
    _connect(company)
    connection = api.get("/api/v1/settings").json()["connection"]
    assert connection["api_key_set"] is True
    assert "api_key" not in connection


def test_it_documents_the_api_key_as_write_only():
    schemas = openapi_walk.document()["components"]["schemas"]
    key_fields = [
        (name, s["properties"]["api_key"]) for name, s in schemas.items() if "api_key" in s.get("properties", {})
    ]
    assert key_fields
    assert all(field.get("writeOnly") for _name, field in key_fields)
    assert not any("api_key" in s.get("properties", {}) for name, s in schemas.items() if name.endswith("Out"))


def test_it_does_not_echo_a_refused_api_key_in_the_error(company, api):
    response = api.put("/api/v1/settings/billit-connection", {"api_key": API_KEY, "environment": "nowhere"})
    assert response.status_code == 422
    assert API_KEY not in response.content.decode()


def test_a_key_that_cannot_be_an_http_header_is_refused_without_being_echoed(api, company):
    key = "k\x80\x01Y\r\xa8J-secret"
    response = api.put("/api/v1/settings/billit-connection", {"api_key": key, "environment": "sandbox"})
    assert response.status_code == 422
    assert response.json()["fields"][0]["field"] == "api_key"
    assert "secret" not in response.content.decode()
