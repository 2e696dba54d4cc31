import pytest

from haulbill.core.demo import DEMO_PASSWORD, DEMO_USERNAME, seed_demo

pytestmark = pytest.mark.e2e


@pytest.mark.django_db(transaction=True)
def test_it_signs_in_and_opens_the_dashboard_with_the_setup_checklist(live_server, page, shots):
    seed_demo(transports=20)
    page.goto(live_server.url + "/")
    assert page.url.endswith("/login/?next=/") or page.url.endswith("/login/")
    shots.take(page, "login")
    page.get_by_label("Username").fill(DEMO_USERNAME)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/dashboard/")
    assert page.get_by_role("heading", name="Dashboard").is_visible()
    assert page.get_by_text("Set-up checklist").is_visible()
    shots.take(page, "dashboard")
    page.get_by_role("link", name="Transports", exact=True).click()
    page.wait_for_url("**/transports/")
    assert page.locator("table tbody tr").count() > 5
    shots.take(page, "transports")
