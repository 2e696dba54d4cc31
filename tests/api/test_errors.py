import pytest
from django.test import Client

from haulbill.catalog import selectors
from tests.factories import ProductFactory


def _shape(response):
    body = response.json()
    assert set(body) == {"code", "message", "fields"}, body
    return body


def test_it_answers_an_unknown_api_url_with_the_error_shape(api):
    response = api.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert _shape(response)["code"] == "not_found"


def test_it_answers_an_unknown_api_url_without_credentials_with_the_error_shape(db):
    response = Client().delete("/api/v1/nothing/here")
    assert response.status_code == 404
    assert _shape(response)["code"] == "not_found"


def test_it_answers_a_wrong_method_with_405_in_the_error_shape(api):
    response = api.delete("/api/v1/customers")
    assert response.status_code == 405
    assert _shape(response)["code"] == "method_not_allowed"
    assert "GET" in response["Allow"] and "POST" in response["Allow"]


def test_it_names_each_invalid_field(api):
    response = api.post("/api/v1/customers", {"name": "", "country": "Belgium", "language": "de"})
    assert response.status_code == 422
    body = _shape(response)
    assert body["code"] == "validation_error"
    assert {f["field"] for f in body["fields"]} == {"name", "country", "language"}


def test_it_refuses_an_unknown_field_rather_than_ignoring_it(api):
    response = api.post("/api/v1/customers", {"name": "Kroon", "vat_numbr": "BE0477472701"})
    assert response.status_code == 422
    assert _shape(response)["fields"][0]["field"] == "vat_numbr"


def test_it_answers_a_body_that_is_not_json_with_400(api):
    response = api.generic(
        "POST",
        "/api/v1/customers",
        b"{not json",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {api.raw_token}",
    )
    assert response.status_code == 400
    assert _shape(response)["code"] == "bad_request"


def test_it_answers_a_crash_with_500_and_no_traceback_or_secret(api, company, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("database password is hunter2")

    monkeypatch.setattr(selectors, "products", explode)
    response = api.get("/api/v1/products")
    assert response.status_code == 500
    body = _shape(response)
    assert body["code"] == "server_error"
    assert "hunter2" not in response.content.decode()
    assert "Traceback" not in response.content.decode()


def test_it_caps_the_page_size(api, company):
    ProductFactory(company=company)
    response = api.get("/api/v1/products", {"limit": 10_000})
    assert response.status_code == 422
    assert _shape(response)["fields"][0]["field"] == "limit"


@pytest.mark.parametrize("path", ["/api/v1/customers/99999999999999999999999", "/api/v1/customers/0"])
def test_it_treats_an_impossible_id_as_not_found_or_invalid(api, path):
    response = api.get(path)
    assert response.status_code in {404, 422}
    _shape(response)
