"""A user of company A gets 404 for every one of company B's objects, on every endpoint and method, and cannot
create into B. Generated from the OpenAPI document, so new endpoints are covered without editing this file
(except to say which object fills a new kind of path parameter)."""

from __future__ import annotations

import json

import pytest

from haulbill.addressbook.models import Customer
from haulbill.core.models import Job
from haulbill.invoicing.models import InvoicingSettings
from haulbill.transports.models import PriceLine, Transport
from tests.api import openapi_walk
from tests.api.conftest import api_client_for, valid_customer
from tests.factories import MembershipFactory, PriceLineFactory, ProductFactory, TransportFactory

OPERATIONS = openapi_walk.operations()
WITH_PARAMS = [(m, p, op) for m, p, op in OPERATIONS if openapi_walk.path_params(p)]
WRITES = [(m, p, op) for m, p, op in OPERATIONS if m in {"POST", "PUT", "PATCH"}]


def _b_objects(other_company):
    customer = valid_customer(
        other_company, seed=77, name="B customer", invoicing_id="4242", invoicing_provider="billit"
    )
    transport = TransportFactory(company=other_company, customer=customer, reference="B-T-1")
    PriceLineFactory(transport=transport, product=ProductFactory(company=other_company, item_code="B-ITEM"))
    job = Job.objects.create(company=other_company, kind="sync-catalog")
    objects = {"customer_id": customer.pk, "transport_id": transport.pk, "job_id": job.pk}
    # Invoicing objects, once the engine has them.
    try:
        from haulbill.invoicing.models import Invoice, InvoicingRun
    except ImportError:
        return objects, customer, transport
    run = InvoicingRun.objects.filter(company=other_company).first()
    invoice = Invoice.objects.filter(company=other_company).first()
    objects.update(run_id=getattr(run, "pk", 999_999), invoice_id=getattr(invoice, "pk", 999_999))
    return objects, customer, transport


def _snapshot(company):
    return {
        "customers": list(Customer.objects.for_company(company).order_by("pk").values()),
        "transports": list(Transport.objects.for_company(company).order_by("pk").values()),
        "lines": list(PriceLine.objects.for_company(company).order_by("pk").values()),
        "jobs": Job.objects.for_company(company).count(),
    }


def _send(client, method, url, body):
    data = json.dumps(body) if body is not None else None
    return client.generic(
        method, url, data or "", content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {client.raw_token}"
    )


def test_the_api_has_operations_with_path_parameters_to_check():
    assert len(WITH_PARAMS) >= 5


@pytest.mark.parametrize("method,path,operation", WITH_PARAMS, ids=[f"{m} {p}" for m, p, _ in WITH_PARAMS])
def test_it_answers_404_for_another_companys_object(method, path, operation, company, other_company):
    client = api_client_for(MembershipFactory(company=company, role="admin"))
    objects, _customer, _transport = _b_objects(other_company)
    missing = [name for name in openapi_walk.path_params(path) if name not in objects]
    assert not missing, f"Teach _b_objects which company-B object fills {missing} for {method} {path}"
    before = _snapshot(other_company)
    url = path.format(**objects)
    response = _send(client, method, url, openapi_walk.body_for(operation))
    assert response.status_code == 404, (method, url, response.content)
    assert response.json()["code"] == "not_found"
    assert _snapshot(other_company) == before


@pytest.mark.parametrize("method,path,operation", WRITES, ids=[f"{m} {p}" for m, p, _ in WRITES])
def test_it_does_not_write_into_another_company_through_a_body_reference(
    method, path, operation, company, other_company
):
    # Without the extension, settings writes stop before calling Billit (no network in this test).
    InvoicingSettings.objects.filter(company=company).update(extension_enabled=False)
    client = api_client_for(MembershipFactory(company=company, role="admin"))
    objects, b_customer, b_transport = _b_objects(other_company)
    own_objects = {"customer_id": valid_customer(company, seed=5).pk}
    overrides = {
        "customer_id": b_customer.pk,
        "customer_reference": "",
        "transport_id": b_transport.pk,
        "transport_ids": [b_transport.pk],
        "invoice_id": objects.get("invoice_id", 1),
        "item_code": "B-ITEM",
    }
    url = path.format(**{**objects, **own_objects, "transport_id": objects["transport_id"]})
    before_b = _snapshot(other_company)
    before_a_transports = Transport.objects.for_company(company).count()
    response = _send(client, method, url, openapi_walk.body_for(operation, overrides))
    assert response.status_code < 500, response.content
    assert _snapshot(other_company) == before_b
    # Nothing of A may point at B's customer either.
    assert not Transport.objects.for_company(company).filter(customer__company=other_company).exists()
    if "customer_id" in json.dumps(operation.get("requestBody", {})) or "transports" in path:
        assert Transport.objects.for_company(company).count() == before_a_transports


def test_it_refuses_a_transport_for_another_companys_customer(company, other_company, api):
    _objects, b_customer, _t = _b_objects(other_company)
    response = api.post("/api/v1/transports", {"reference": "T-1", "customer_id": b_customer.pk})
    assert response.status_code == 422
    assert response.json()["fields"][0]["field"] == "customer_id"
    assert not Transport.objects.filter(reference="T-1").exists()


def test_it_refuses_a_bulk_row_for_another_companys_customer_reference(company, other_company, api):
    _objects, b_customer, _t = _b_objects(other_company)
    valid_customer(company, seed=3, reference="MINE")
    rows = [
        {"reference": "T-1", "customer_reference": "MINE"},
        {"reference": "T-2", "customer_reference": b_customer.reference},
    ]
    response = api.post("/api/v1/transports/bulk", {"transports": rows})
    assert response.status_code == 422
    assert response.json()["fields"][0]["field"] == "transports.1.customer_reference"
    assert not Transport.objects.filter(reference__in=["T-1", "T-2"]).exists()


def test_it_refuses_a_price_line_with_another_companys_item_code(company, other_company, api):
    _b_objects(other_company)
    mine = valid_customer(company, seed=4)
    response = api.post(
        "/api/v1/transports", {"reference": "T-1", "customer_id": mine.pk, "price_lines": [{"item_code": "B-ITEM"}]}
    )
    assert response.status_code == 422
    assert response.json()["fields"][0]["field"] == "lines.0.item_code"
