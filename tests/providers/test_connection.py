import logging

import pytest
from cryptography.fernet import Fernet
from django.test import override_settings

from haulbill.core.errors import HaulbillError
from haulbill.invoicing.models import Provider, settings_for
from haulbill.providers import services
from haulbill.providers.models import ProviderConnection
from haulbill.providers.registry import active_connection
from tests.providers.fixtures import connect


def test_it_refuses_a_wrong_key_and_stores_nothing(company, billit_sandbox):
    with pytest.raises(HaulbillError) as caught:
        connect(company, billit_sandbox, key="not-a-billit-key-1234")
    assert caught.value.code == "billit_key_refused"
    assert caught.value.field == "api_key"
    assert "not-a-billit-key-1234" not in caught.value.message
    assert not ProviderConnection.objects.for_company(company).exists()
    assert settings_for(company).provider == Provider.BUILTIN


def test_it_connects_a_single_company_key_and_reads_the_next_numbers_without_consuming_them(company, billit_sandbox):
    result = connect(company, billit_sandbox)
    connection = active_connection(company)
    assert connection is not None and not result.needs_company_choice
    assert connection.party_id == str(billit_sandbox.party_id)
    assert connection.party_name == "Demo Transport BV"
    assert connection.next_invoice_number == "1"
    assert connection.next_credit_note_number == "1"
    assert settings_for(company).provider == Provider.BILLIT
    connect(company, billit_sandbox)  # reading again gives the same number: nothing was consumed
    assert active_connection(company).next_invoice_number == "1"


def test_it_stores_the_key_encrypted_and_shows_it_masked(company, billit_sandbox):
    connect(company, billit_sandbox)
    connection = active_connection(company)
    assert billit_sandbox.api_key not in connection.api_key_encrypted
    assert connection.api_key == billit_sandbox.api_key
    assert connection.masked_key.endswith(billit_sandbox.api_key[-4:])
    assert billit_sandbox.api_key not in repr(connection) and billit_sandbox.api_key not in str(connection)


def test_it_asks_which_company_when_the_key_has_two(company, billit_sandbox):
    result = connect(company, billit_sandbox, key=billit_sandbox.two_companies_key)
    assert result.needs_company_choice
    assert sorted(a.name for a in result.accounts) == ["Twin Haulage A BV", "Twin Haulage B SRL"]
    assert active_connection(company).party_id == ""
    chosen = services.choose_billit_company(company, str(billit_sandbox.two_companies_party_ids[1]))
    assert chosen.party_name == "Twin Haulage B SRL"
    assert chosen.next_invoice_number == "1"


def test_it_refuses_a_company_the_key_cannot_act_for(company, billit_sandbox):
    connect(company, billit_sandbox, key=billit_sandbox.two_companies_key)
    with pytest.raises(HaulbillError) as caught:
        services.choose_billit_company(company, str(billit_sandbox.party_id))
    assert caught.value.field == "party_id"
    assert active_connection(company).party_id == ""


def test_it_refuses_to_connect_when_the_extension_is_not_enabled(company, billit_sandbox):
    inv = settings_for(company)
    inv.extension_enabled = False
    inv.save()
    with pytest.raises(HaulbillError) as caught:
        connect(company, billit_sandbox)
    assert "platform administrator" in caught.value.message
    assert not ProviderConnection.objects.for_company(company).exists()


def test_it_replaces_a_key_and_keeps_the_old_one_on_refusal(billit_company, billit_sandbox):
    before = active_connection(billit_company).api_key_encrypted
    with pytest.raises(HaulbillError):
        services.replace_api_key(billit_company, "wrong-key-5678")
    assert active_connection(billit_company).api_key_encrypted == before
    billit_sandbox.add_api_key("renewed-demo-key-9999")
    services.replace_api_key(billit_company, "renewed-demo-key-9999")
    assert active_connection(billit_company).api_key == "renewed-demo-key-9999"


def test_it_disconnects_by_keeping_the_row_and_forgetting_the_key(billit_company):
    connection = services.disconnect(billit_company)
    connection.refresh_from_db()
    assert not connection.is_active and connection.disconnected_at is not None
    assert connection.api_key_encrypted == ""
    assert ProviderConnection.objects.for_company(billit_company).count() == 1
    assert active_connection(billit_company) is None


def test_it_keeps_history_when_connecting_again(billit_company, billit_sandbox):
    connect(billit_company, billit_sandbox)
    rows = ProviderConnection.objects.for_company(billit_company)
    assert rows.count() == 2
    assert rows.filter(is_active=True).count() == 1


def test_it_lets_only_staff_enable_the_extension(company):
    from tests.factories import UserFactory

    with pytest.raises(HaulbillError):
        services.set_extension_enabled(company, False, by=UserFactory())
    services.set_extension_enabled(company, False, by=UserFactory(is_staff=True))
    assert not settings_for(company).extension_enabled


def test_it_rotates_secrets_under_the_newest_key(billit_company, billit_sandbox, settings):
    old_token = active_connection(billit_company).api_key_encrypted
    new_key = Fernet.generate_key().decode()
    with override_settings(ENCRYPTION_KEYS=[new_key, *settings.ENCRYPTION_KEYS]):
        assert services.rotate_secrets() == 1
        connection = active_connection(billit_company)
        assert connection.api_key_encrypted != old_token
        assert (
            Fernet(new_key.encode()).decrypt(connection.api_key_encrypted.encode()).decode() == billit_sandbox.api_key
        )
    with override_settings(ENCRYPTION_KEYS=[new_key]):  # the old key can now be removed
        assert active_connection(billit_company).api_key == billit_sandbox.api_key


def test_it_never_logs_the_key(company, billit_sandbox, caplog):
    caplog.set_level(logging.DEBUG)
    connect(company, billit_sandbox)
    with pytest.raises(HaulbillError):
        connect(company, billit_sandbox, key="secret-wrong-key-0000")
    assert billit_sandbox.api_key not in caplog.text
    assert "secret-wrong-key-0000" not in caplog.text
