import subprocess
import sys

import pytest
from cryptography.fernet import Fernet
from django.test import Client, override_settings

from haulbill.core import crypto
from tests.factories import CompanyFactory, MembershipFactory


def test_it_locks_sign_in_after_repeated_failures_even_with_the_right_password(db):
    membership = MembershipFactory()
    client = Client()
    for _ in range(5):
        response = client.post("/login/", {"username": membership.user.username, "password": "wrong"})
        assert response.status_code == 200
    locked = client.post("/login/", {"username": membership.user.username, "password": "correct horse battery"})
    assert locked.status_code == 429
    assert "Too many failed sign-in attempts" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_it_signs_in_with_the_right_password(db):
    membership = MembershipFactory()
    client = Client()
    response = client.post("/login/", {"username": membership.user.username, "password": "correct horse battery"})
    assert response.status_code == 302
    assert client.get("/dashboard/").status_code == 200


def test_it_refuses_a_form_post_without_csrf_token(db):
    membership = MembershipFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(membership.user)
    response = client.post("/language/", {"language": "fr"})
    assert response.status_code == 403


def test_it_sends_a_user_without_company_to_a_page_saying_whom_to_ask(db):
    from tests.factories import UserFactory

    client = Client()
    client.force_login(UserFactory())
    response = client.get("/transports/")
    assert response.status_code == 403
    assert "not a member of any company" in response.content.decode()


def test_it_decrypts_secrets_after_a_key_rotation():
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    with override_settings(ENCRYPTION_KEYS=[old]):
        token = crypto.encrypt("billit-api-key-123456")
    with override_settings(ENCRYPTION_KEYS=[new, old]):
        assert crypto.decrypt(token) == "billit-api-key-123456"
        rotated = crypto.rotate(token)
    with override_settings(ENCRYPTION_KEYS=[new]):
        assert crypto.decrypt(rotated) == "billit-api-key-123456"
        with pytest.raises(crypto.SecretUnreadable):
            crypto.decrypt(token)


def test_it_stores_the_provider_key_encrypted_and_masks_it(db):
    from haulbill.providers.models import ProviderConnection

    connection = ProviderConnection(company=CompanyFactory(), provider="billit")
    connection.set_api_key("f3c1a2b4-5d6e-7f80-9a1b-2c3d4e5f6a7b")
    connection.save()
    stored = ProviderConnection.objects.values_list("api_key_encrypted", flat=True).get()
    assert "f3c1a2b4" not in stored
    assert connection.masked_key.endswith("6a7b") and "f3c1" not in connection.masked_key
    assert "f3c1a2b4" not in repr(connection) + str(connection)
    assert ProviderConnection.objects.get().api_key == "f3c1a2b4-5d6e-7f80-9a1b-2c3d4e5f6a7b"


def test_it_refuses_to_start_in_production_without_secrets(tmp_path):
    env = {"HAULBILL_PRODUCTION": "1", "HAULBILL_VAR_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-c", "import haulbill.settings"], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode != 0
    assert "HAULBILL_SECRET_KEY must be set in production" in result.stderr


@pytest.mark.parametrize("target", ["https://evil.example/phish", "//evil.example/", "http://evil.example"])
def test_a_form_never_sends_the_user_to_another_site(user_client, target):
    response = user_client.post("/linking/decide/", {"proposal": "x", "decision": "accept", "next": target})
    assert response.status_code == 302
    assert response.url == "/linking/"


def test_a_form_goes_back_to_the_page_of_this_site_it_names(user_client):
    response = user_client.post("/linking/decide/", {"proposal": "x", "decision": "accept", "next": "/linking/?page=2"})
    assert response.url == "/linking/?page=2"
