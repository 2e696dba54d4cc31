"""The pages in French and Dutch: the user switches language in the menu, and the main pages follow.

The expected texts come from the catalogs themselves (gettext under translation.override), so the test checks
that the pages are translated without repeating any translation here.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from haulbill.core.demo import DEMO_PASSWORD, DEMO_USERNAME, seed_demo

pytestmark = pytest.mark.e2e

# (step name, path, CSS selector of an element showing the msgid, a msgid translated differently in fr and nl)
PAGES = [
    ("dashboard", "/dashboard/", ".checklist-title", "Set-up checklist"),
    ("transports", "/transports/", "form[role=search] label", "Search"),  # "Transports" is French too
    ("invoices", "/invoices/", "h1", "Invoices"),
    ("extension-settings", "/settings/extensions/invoicing/", "h1", "Invoicing"),
]


def translated(language: str, msgid: str) -> str:
    with translation.override(language):
        return translation.gettext(msgid)


def switch_language(page: Any, language: str) -> None:
    page.locator("header details.dropdown summary").click()
    page.locator(f'button[name="language"][value="{language}"]').click()
    page.wait_for_load_state()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["fr", "nl"])
def test_it_renders_the_main_pages_in_the_language_the_user_chose(live_server, page, shots, language):
    seed_demo(transports=12, customers=4)
    page.goto(live_server.url + "/login/")
    page.get_by_label("Username").fill(DEMO_USERNAME)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/dashboard/")
    switch_language(page, language)
    page.wait_for_url("**/dashboard/")
    for step, path, selector, msgid in PAGES:
        page.goto(live_server.url + path)
        assert page.locator("html").get_attribute("lang") == language
        expected = translated(language, msgid)
        assert expected != msgid, f"{msgid!r} has no {language} translation in the catalog"
        assert expected in page.locator(selector).first.inner_text()
        shots.take(page, f"{language}-{step}")
