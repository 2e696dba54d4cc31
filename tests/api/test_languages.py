"""Every sentence the API returns goes through gettext: in the language asked for, or the user's own."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext

from haulbill.tenancy.models import profile_for


def in_language(language: str, msgid: str) -> str:
    with translation.override(language):
        return gettext(msgid)


def test_it_answers_an_error_in_the_language_of_accept_language(api):
    response = api.get("/api/v1/customers/987654", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 404
    assert response.json()["message"] == in_language(
        "fr", "Not found: this object does not exist or belongs to another company."
    )


def test_it_translates_the_messages_of_its_own_validators(api):
    response = api.post(
        "/api/v1/invoicing-runs/preflight",
        {"date_from": "2026-11-30", "date_to": "2026-11-01"},
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 422
    body = response.json()
    assert body["message"] == in_language("fr", "The request is not valid: see the fields.")
    assert body["fields"][0]["message"] == in_language("fr", "date_to is before date_from.")


def test_it_translates_the_usual_validation_sentences(api):
    response = api.post("/api/v1/customers", {}, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.json()["fields"] == [{"field": "name", "message": in_language("fr", "This field is required.")}]


def test_a_tokens_user_gets_their_profile_language_over_accept_language(api, admin_membership):
    profile = profile_for(admin_membership.user)
    profile.language = "nl"
    profile.save()
    response = api.get("/api/v1/transports/987654", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.json()["message"] == in_language(
        "nl", "Not found: this object does not exist or belongs to another company."
    )
