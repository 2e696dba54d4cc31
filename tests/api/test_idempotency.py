from datetime import timedelta

from django.utils import timezone

from haulbill.addressbook.models import Customer
from haulbill.api.models import IdempotencyRecord
from tests.api import openapi_walk


def test_it_replays_the_first_answer_for_the_same_key_and_body(api, company):
    first = api.post("/api/v1/customers", {"name": "Kroon BV"}, HTTP_IDEMPOTENCY_KEY="k-1")
    again = api.post("/api/v1/customers", {"name": "Kroon BV"}, HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Customer.objects.for_company(company).count() == 1


def test_it_refuses_the_same_key_with_another_body(api, company):
    api.post("/api/v1/customers", {"name": "Kroon BV"}, HTTP_IDEMPOTENCY_KEY="k-1")
    response = api.post("/api/v1/customers", {"name": "Other BV"}, HTTP_IDEMPOTENCY_KEY="k-1")
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_key_reused"
    assert Customer.objects.for_company(company).count() == 1


def test_it_answers_409_while_the_first_request_with_the_key_is_running(api, company, admin_membership):
    token_membership = admin_membership.user.memberships.get(company=company)
    IdempotencyRecord.objects.create(membership=token_membership, key="k-1", request_hash="in-flight")
    IdempotencyRecord.objects.filter(key="k-1").update(request_hash=_hash_of(api, {"name": "Kroon BV"}))
    response = api.post("/api/v1/customers", {"name": "Kroon BV"}, HTTP_IDEMPOTENCY_KEY="k-1")
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_request_in_progress"
    assert not Customer.objects.for_company(company).exists()


def _hash_of(api, body):
    # The hash a real first request would have stored: found by sending it once under another key.
    api.post("/api/v1/customers", body, HTTP_IDEMPOTENCY_KEY="probe")
    record = IdempotencyRecord.objects.get(key="probe")
    Customer.objects.all().delete()
    return record.request_hash


def test_it_frees_the_key_after_an_error_so_the_fixed_request_can_use_it(api, company):
    refused = api.post(
        "/api/v1/customers", {"name": "Kroon BV", "vat_number": "BE0477472702"}, HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert refused.status_code == 422
    fixed = api.post(
        "/api/v1/customers", {"name": "Kroon BV", "vat_number": "BE0477472701"}, HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert fixed.status_code == 201


def test_it_forgets_a_key_after_24_hours(api, company):
    api.post("/api/v1/customers", {"name": "Kroon BV"}, HTTP_IDEMPOTENCY_KEY="k-1")
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(hours=25))
    again = api.post("/api/v1/customers", {"name": "Kroon BV"}, HTTP_IDEMPOTENCY_KEY="k-1")
    assert again.status_code == 201 and not again.has_header("Idempotent-Replayed")
    assert Customer.objects.for_company(company).count() == 2


def test_it_keeps_keys_apart_per_token_owner(api, company):
    from tests.api.conftest import api_client_for, member

    other = api_client_for(member(company, "invoicer"))
    api.post("/api/v1/customers", {"name": "Kroon BV"}, HTTP_IDEMPOTENCY_KEY="shared")
    response = other.post("/api/v1/customers", {"name": "Other BV"}, HTTP_IDEMPOTENCY_KEY="shared")
    assert response.status_code == 201


def test_every_creating_post_documents_the_idempotency_key():
    creating = [
        (method, path, op)
        for method, path, op in openapi_walk.operations()
        if method == "POST" and ({"201", "202"} & {str(code) for code in op["responses"]})
    ]
    assert len(creating) >= 5
    for _method, path, op in creating:
        names = {p["name"] for p in op.get("parameters", [])}
        assert "Idempotency-Key" in names, path
