"""A carrier who does not use a mouse signs in and reaches the transports with Tab, typing and Enter (issue #9).

Each element that takes the focus on the way must show it: a computed outline or box-shadow, not "none".
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import CompanyFactory, InvoicingSettingsFactory, MembershipFactory, TransportFactory

pytestmark = pytest.mark.e2e

PASSWORD = "correct horse battery"  # tests.factories.UserFactory's
FOCUS = """() => {
  const el = document.activeElement;
  const s = getComputedStyle(el);
  return {tag: el.tagName.toLowerCase(), name: el.getAttribute('name') || '', text: el.innerText.trim(),
          inMain: !!el.closest('main'), outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0,
          shadow: s.boxShadow !== 'none'};
}"""


def tab_to(page: Any, wanted: Any, limit: int = 15) -> dict[str, Any]:
    """Press Tab until the focused element is the one wanted; each stop must show that it has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUS)
        assert focus["outline"] or focus["shadow"], f"the focus on {focus} is not visible"
        if wanted(focus):
            return focus
    raise AssertionError(f"{limit} Tabs did not reach the element")


@pytest.mark.django_db(transaction=True)
def test_it_signs_in_and_opens_the_transports_with_the_keyboard_only(live_server, page, shots):
    company = CompanyFactory(legal_name="Keyboard Carrier NV")
    InvoicingSettingsFactory(company=company)
    user = MembershipFactory(company=company, role="admin").user
    TransportFactory(company=company, reference="T-KEYBOARD-1")

    page.goto(live_server.url + "/login/")
    if page.evaluate(FOCUS)["name"] != "username":  # the field has autofocus; without it, Tab must reach it
        tab_to(page, lambda f: f["name"] == "username")
    page.keyboard.type(user.username)
    tab_to(page, lambda f: f["name"] == "password", limit=1)
    page.keyboard.type(PASSWORD)
    shots.take(page, "login-typed")
    page.keyboard.press("Enter")
    page.wait_for_url("**/dashboard/")

    focus = tab_to(page, lambda f: f["text"] == "Skip to content", limit=1)
    assert focus["tag"] == "a"
    shots.take(page, "skip-link-focused")
    tab_to(page, lambda f: f["tag"] == "a" and f["text"] == "Transports")
    shots.take(page, "transports-link-focused")
    page.keyboard.press("Enter")
    page.wait_for_url("**/transports/")
    assert page.get_by_role("heading", level=1, name="Transports").is_visible()
    assert page.get_by_role("link", name="T-KEYBOARD-1").is_visible()

    # The skip link jumps over the navigation: the next Tab lands in the page's own content.
    tab_to(page, lambda f: f["text"] == "Skip to content", limit=1)
    page.keyboard.press("Enter")
    focus = tab_to(page, lambda f: True, limit=1)
    assert focus["inMain"], f"after the skip link, the focus went to {focus} instead of the main content"
    shots.take(page, "main-content-focused")
