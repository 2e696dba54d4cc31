"""Every door (page, API, command) is audited once, by the service it goes through; no entry holds a secret."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from haulbill.core import audit
from haulbill.core.models import AuditEntry
from haulbill.invoicing import services as invoicing
from haulbill.invoicing.models import Invoice
from haulbill.invoicing.selection import Selection
from tests.api.conftest import api_client_for
from tests.factories import CustomerFactory, MembershipFactory
from tests.invoicing.conftest import today  # noqa: F401
from tests.invoicing.factories import ready_transport
from tests.providers.fixtures import billit_company  # noqa: F401

EXTENSION_URL = "/settings/extensions/invoicing/"


def entries(company: Any, action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.for_company(company).filter(action=action))


def test_linking_a_customer_through_the_page_is_audited_once(billit_company: Any) -> None:  # noqa: F811
    membership = MembershipFactory(company=billit_company, role="invoicer")
    client = Client()
    client.force_login(membership.user)
    customer = CustomerFactory(company=billit_company, name="LV Gent", vat_number="BE0765432146")
    response = client.post(f"/customers/{customer.pk}/invoicing-id/", {"action": "confirm", "invoicing_id": "200001"})
    assert response.status_code == 302
    [entry] = entries(billit_company, audit.CUSTOMER_LINKED)
    assert (entry.actor_id, entry.target_id, entry.details["invoicing_id"]) == (
        membership.user.pk,
        str(customer.pk),
        "200001",
    )


def test_linking_a_customer_through_the_api_is_audited_once(billit_company: Any) -> None:  # noqa: F811
    membership = MembershipFactory(company=billit_company, role="admin")
    customer = CustomerFactory(company=billit_company)
    response = api_client_for(membership).put(
        f"/api/v1/customers/{customer.pk}/invoicing-id", {"invoicing_id": "200002"}
    )
    assert response.status_code == 200, response.content
    assert len(entries(billit_company, audit.CUSTOMER_LINKED)) == 1


def test_issuing_a_credit_note_through_the_service_is_audited_once(company: Any, today: Any) -> None:  # noqa: F811
    ready_transport(company, prices=("100.00", "40.00"), quantity="2")
    run, _ = invoicing.invoice_run(company, Selection(), finalise=True)
    invoice = Invoice.objects.get(run=run)
    user = MembershipFactory(company=company, role="invoicer").user
    note = invoicing.create_credit_note(company, invoice.pk, user=user)
    [entry] = entries(company, audit.CREDIT_NOTE_ISSUED)
    assert (entry.actor_id, entry.target_id) == (user.pk, str(note.pk))
    assert entry.details == {"invoice_id": invoice.pk, "number": note.number}


@pytest.mark.parametrize("door", ["page", "api"])
def test_no_audit_entry_holds_the_api_key_after_connecting_billit(
    door: str, company: Any, admin_membership: Any, user_client: Client, billit_sandbox: Any
) -> None:
    if door == "page":
        user_client.post(EXTENSION_URL, {"action": "provider", "provider": "billit"})
        response = user_client.post(
            EXTENSION_URL,
            {
                "action": "connect",
                "api_key": billit_sandbox.api_key,
                "environment": "custom",
                "base_url": billit_sandbox.base_url,
            },
        )
        assert response.status_code == 302
    else:
        response = api_client_for(admin_membership).put(
            "/api/v1/settings/billit-connection",
            {"api_key": billit_sandbox.api_key, "environment": "custom", "base_url": billit_sandbox.base_url},
        )
        assert response.status_code == 200, response.content
    assert len(entries(company, audit.PROVIDER_CONNECTED)) == 1
    stored = AuditEntry.objects.for_company(company)
    assert stored.exists()
    for entry in stored:
        text = json.dumps(entry.details) + entry.action + entry.target_type + entry.target_id
        assert billit_sandbox.api_key not in text
        assert billit_sandbox.api_key[-4:] not in json.dumps(entry.details)
