import logging

import pytest
from django.test import Client

from haulbill.invoicing.models import settings_for
from haulbill.providers.models import ProviderConnection
from haulbill.providers.registry import active_connection
from tests.factories import MembershipFactory, UserFactory

URL = "/settings/extensions/invoicing/"


def client_for(membership):
    client = Client()
    client.force_login(membership.user)
    return client


def connect_by_page(client, sandbox, key=None):
    return client.post(
        URL,
        {"action": "connect", "api_key": key or sandbox.api_key, "environment": "custom", "base_url": sandbox.base_url},
    )


def test_settings_leads_to_the_invoicing_extension(user_client):
    response = user_client.get("/settings/")
    assert response.status_code == 302 and response.url == URL


def test_it_says_whom_to_ask_when_the_extension_is_not_enabled(user_client, company):
    inv = settings_for(company)
    inv.extension_enabled = False
    inv.save()
    body = user_client.get(URL).content.decode()
    assert "Haulbill staff / your platform administrator" in body
    assert 'name="api_key"' not in body


def test_platform_staff_enable_the_extension_from_the_page(company):
    inv = settings_for(company)
    inv.extension_enabled = False
    inv.save()
    staff = MembershipFactory(company=company, role="admin", user=UserFactory(is_staff=True))
    client_for(staff).post(URL, {"action": "enable"})
    assert settings_for(company).extension_enabled


def test_a_company_admin_who_is_not_staff_cannot_enable_it(user_client, company):
    inv = settings_for(company)
    inv.extension_enabled = False
    inv.save()
    response = user_client.post(URL, {"action": "enable"})
    assert response.status_code == 403
    assert not settings_for(company).extension_enabled


def test_it_connects_billit_and_shows_the_key_masked_with_the_next_numbers(
    user_client, company, billit_sandbox, caplog
):
    caplog.set_level(logging.DEBUG)
    user_client.post(URL, {"action": "provider", "provider": "billit"})
    response = connect_by_page(user_client, billit_sandbox)
    assert response.status_code == 302
    body = user_client.get(URL).content.decode()
    assert "Demo Transport BV" in body
    assert "••••••••" + billit_sandbox.api_key[-4:] in body
    assert billit_sandbox.api_key not in body
    assert billit_sandbox.api_key not in caplog.text
    assert '<dd id="next-invoice-number">1</dd>' in body


def test_a_wrong_key_shows_a_clear_error_stores_nothing_and_is_not_echoed(user_client, company, billit_sandbox):
    user_client.post(URL, {"action": "provider", "provider": "billit"})
    response = connect_by_page(user_client, billit_sandbox, key="wrong-key-abcdef123")
    body = response.content.decode()
    assert response.status_code == 400
    assert "Billit refused this API key" in body
    assert "wrong-key-abcdef123" not in body
    assert not ProviderConnection.objects.for_company(company).exists()


@pytest.mark.parametrize("key", ["a3f1 9c2e-key", "clé-spéciale-1234", "key\u200bwith-zero-width"])
def test_a_mangled_key_is_refused_at_once_without_calling_billit(user_client, company, billit_sandbox, key):
    user_client.post(URL, {"action": "provider", "provider": "billit"})
    before = len(billit_sandbox.requests())
    response = connect_by_page(user_client, billit_sandbox, key=key)
    body = response.content.decode()
    assert response.status_code == 400
    assert "This is not a Billit API key" in body
    assert key not in body
    assert len(billit_sandbox.requests()) == before
    assert not ProviderConnection.objects.for_company(company).exists()


def test_it_lets_the_admin_pick_one_of_several_billit_companies(user_client, company, billit_sandbox):
    user_client.post(URL, {"action": "provider", "provider": "billit"})
    connect_by_page(user_client, billit_sandbox, key=billit_sandbox.two_companies_key)
    body = user_client.get(URL).content.decode()
    assert "Twin Haulage A BV" in body and "Twin Haulage B SRL" in body
    user_client.post(URL, {"action": "choose-company", "party_id": "100003"})
    assert active_connection(company).party_name == "Twin Haulage B SRL"


def test_it_replaces_and_removes_the_key(user_client, company, billit_sandbox):
    user_client.post(URL, {"action": "provider", "provider": "billit"})
    connect_by_page(user_client, billit_sandbox)
    billit_sandbox.add_api_key("second-demo-key-7777")
    user_client.post(URL, {"action": "replace-key", "api_key": "second-demo-key-7777"})
    assert active_connection(company).api_key == "second-demo-key-7777"
    user_client.post(URL, {"action": "disconnect"})
    assert active_connection(company) is None
    assert ProviderConnection.objects.for_company(company).count() == 1
    assert "7777" not in user_client.get(URL).content.decode().split("Previous connections")[0]


@pytest.mark.parametrize("role", ["viewer", "invoicer"])
def test_a_non_admin_sees_the_settings_but_cannot_change_them(company, billit_sandbox, role):
    client = client_for(MembershipFactory(company=company, role=role))
    assert client.get(URL).status_code == 200
    response = connect_by_page(client, billit_sandbox)
    assert response.status_code == 403
    assert client.post(URL, {"action": "provider", "provider": "billit"}).status_code == 403
    assert not ProviderConnection.objects.for_company(company).exists()


def test_a_user_of_another_company_cannot_touch_this_company_connection(billit_company, other_company):
    intruder = client_for(MembershipFactory(company=other_company, role="admin"))
    body = intruder.get(URL).content.decode()
    assert "Demo Transport BV" not in body
    intruder.post(URL, {"action": "disconnect"})
    assert active_connection(billit_company) is not None


def test_the_sync_button_runs_the_catalog_job_and_shows_its_progress(user_client, billit_company):
    response = user_client.post("/catalog/sync/", {"next": URL}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert "4 added" in body and "hx-get" not in body  # finished: no more polling
    page = user_client.get("/products/").content.decode()
    assert "National transport" in page and "Synchronize VAT rates and product catalog" in page


def test_a_viewer_cannot_start_a_synchronisation(company):
    viewer = client_for(MembershipFactory(company=company, role="viewer"))
    assert viewer.post("/catalog/sync/").status_code == 403


def test_another_company_gets_404_on_this_company_job(user_client, billit_company, other_company):
    user_client.post("/catalog/sync/")
    from haulbill.core.models import Job

    job = Job.objects.for_company(billit_company).get()
    assert user_client.get(f"/jobs/{job.pk}/").status_code == 200
    intruder = client_for(MembershipFactory(company=other_company, role="admin"))
    assert intruder.get(f"/jobs/{job.pk}/").status_code == 404
