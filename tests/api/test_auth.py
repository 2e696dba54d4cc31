from django.test import Client
from django.utils import timezone

from haulbill.addressbook.models import Customer
from haulbill.api import tokens
from haulbill.api.models import ApiToken
from tests.api.conftest import ApiClient
from tests.factories import CustomerFactory


def test_it_refuses_a_request_without_credentials_in_the_error_shape(db):
    response = Client().get("/api/v1/customers")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_it_refuses_an_unknown_token(db):
    response = ApiClient("hb_not-a-real-token").get("/api/v1/customers")
    assert response.status_code == 401
    assert set(response.json()) == {"code", "message", "fields"}


def test_it_refuses_a_revoked_token(admin_membership):
    token, raw = tokens.create_token(admin_membership, "TMS")
    tokens.revoke_token(admin_membership, token.pk)
    assert ApiClient(raw).get("/api/v1/customers").status_code == 401


def test_it_stores_only_a_hash_of_the_token(admin_membership):
    token, raw = tokens.create_token(admin_membership, "TMS")
    assert raw.startswith("hb_") and len(raw) > 40
    stored = ApiToken.objects.get(pk=token.pk)
    assert raw not in (stored.digest, stored.prefix, repr(stored), str(stored))
    assert stored.digest == tokens.digest(raw)


def test_it_notes_when_a_token_was_last_used(admin_membership):
    token, raw = tokens.create_token(admin_membership, "TMS")
    assert token.last_used_at is None
    ApiClient(raw).get("/api/v1/customers")
    token.refresh_from_db()
    assert token.last_used_at is not None and token.last_used_at <= timezone.now()


def test_it_acts_in_the_company_the_token_is_bound_to(api, company, other_company):
    CustomerFactory(company=company, name="Mine")
    CustomerFactory(company=other_company, name="Theirs")
    names = [c["name"] for c in api.get("/api/v1/customers").json()["items"]]
    assert names == ["Mine"]


def test_it_does_not_fall_back_to_the_session_when_the_bearer_token_is_wrong(user_client):
    response = user_client.get("/api/v1/customers", HTTP_AUTHORIZATION="Bearer hb_wrong")
    assert response.status_code == 401


def test_it_lets_the_signed_in_web_ui_read_with_its_session(user_client, company):
    CustomerFactory(company=company, name="Mine")
    assert user_client.get("/api/v1/customers").json()["count"] == 1


def test_it_requires_the_csrf_token_for_a_session_write(admin_membership, company):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_membership.user)
    refused = client.post("/api/v1/customers", {"name": "Kroon BV"}, content_type="application/json")
    assert refused.status_code == 403
    assert refused.json()["code"] == "csrf_failed"
    assert not Customer.objects.for_company(company).exists()

    client.get("/settings/api-tokens/")  # any page sets the CSRF cookie
    csrf = client.cookies["csrftoken"].value
    accepted = client.post(
        "/api/v1/customers", {"name": "Kroon BV"}, content_type="application/json", HTTP_X_CSRFTOKEN=csrf
    )
    assert accepted.status_code == 201


def test_it_needs_no_csrf_token_with_a_bearer_token(admin_membership):
    _token, raw = tokens.create_token(admin_membership, "TMS")
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/api/v1/customers", {"name": "Kroon BV"}, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}"
    )
    assert response.status_code == 201


def test_it_stops_working_when_the_user_is_deactivated(admin_membership):
    _token, raw = tokens.create_token(admin_membership, "TMS")
    admin_membership.user.is_active = False
    admin_membership.user.save()
    assert ApiClient(raw).get("/api/v1/customers").status_code == 401
