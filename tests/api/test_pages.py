"""The API token page, the audit log page, the docs without a CDN, and the login throttle."""

from django.test import Client, override_settings

from haulbill.api.models import ApiToken
from haulbill.core import audit
from tests.api.conftest import ApiClient, member


def test_it_shows_a_new_token_once_and_stores_only_its_hash(user_client, admin_membership):
    response = user_client.post("/settings/api-tokens/", {"name": "TMS"})
    body = response.content.decode()
    token = ApiToken.objects.get(membership=admin_membership)
    raw = body.split('id="new-token"')[0].rsplit('value="', 1)[1].split('"')[0]
    assert raw.startswith("hb_")
    assert ApiClient(raw).get("/api/v1/customers").status_code == 200
    assert raw not in user_client.get("/settings/api-tokens/").content.decode()
    assert token.prefix in user_client.get("/settings/api-tokens/").content.decode()


def test_it_revokes_a_token_from_the_page(user_client, admin_membership):
    user_client.post("/settings/api-tokens/", {"name": "TMS"})
    token = ApiToken.objects.get(membership=admin_membership)
    user_client.post(f"/settings/api-tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_it_does_not_let_a_user_revoke_another_users_token(user_client, company):
    from haulbill.api import tokens

    other_token, _raw = tokens.create_token(member(company, "admin"), "theirs")
    user_client.post(f"/settings/api-tokens/{other_token.pk}/revoke/")
    other_token.refresh_from_db()
    assert other_token.revoked_at is None


def test_it_refuses_a_token_form_post_without_csrf(admin_membership):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_membership.user)
    assert client.post("/settings/api-tokens/", {"name": "TMS"}).status_code == 403
    assert not ApiToken.objects.exists()


def test_it_shows_the_audit_log_to_admins_only(company, user_client):
    audit.record(company, None, audit.PROVIDER_CONNECTED, None, provider="billit", api_key="bk_should_not_show")
    body = user_client.get("/settings/audit/").content.decode()
    assert "provider.connected" in body
    assert "bk_should_not_show" not in body
    viewer = Client()
    viewer.force_login(member(company, "viewer").user)
    assert viewer.get("/settings/audit/").status_code == 403


def test_it_serves_the_api_docs_without_a_cdn(db):
    body = Client().get("/api/v1/docs").content.decode()
    assert "swagger-ui-bundle.js" in body
    assert "cdn" not in body.lower() and "https://" not in body
    asset = Client().get("/api/v1/docs/assets/swagger-ui-bundle.js")
    assert asset.status_code == 200
    assert Client().get("/api/v1/docs/assets/..%2Fsettings.py").status_code == 404


def test_it_serves_the_openapi_document(db):
    document = Client().get("/api/v1/openapi.json").json()
    assert "/api/v1/transports/bulk" in document["paths"]


@override_settings(LOGIN_THROTTLE_ATTEMPTS=3)
def test_it_locks_out_sign_in_after_repeated_failures(admin_membership):
    client = Client()
    username = admin_membership.user.username
    for _ in range(3):
        client.post("/login/", {"username": username, "password": "wrong"})
    locked = client.post("/login/", {"username": username, "password": "correct horse battery"})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
