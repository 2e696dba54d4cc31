from django.test import Client

from tests.factories import CustomerFactory, PriceLineFactory, ProductFactory, TransportFactory


def test_it_redirects_the_home_page_to_the_login_page(db):
    response = Client().get("/")
    assert response.status_code == 302
    assert response.url == "/login/"


def test_it_serves_the_login_page(db):
    response = Client().get("/login/")
    assert response.status_code == 200
    assert b"Sign in to Haulbill" in response.content


def test_it_lists_the_company_transports_with_their_customer(user_client, company):
    TransportFactory(
        company=company, reference="T-ANTWERP-1", customer=CustomerFactory(company=company, name="Kroon BV")
    )
    response = user_client.get("/transports/")
    assert response.status_code == 200
    assert b"T-ANTWERP-1" in response.content
    assert b"Kroon BV" in response.content


def test_it_shows_a_transport_with_its_price_lines_and_flags_a_line_without_item_code(user_client, company):
    transport = TransportFactory(company=company)
    PriceLineFactory(transport=transport, description="Waiting time in Liège", product=None)
    PriceLineFactory(
        transport=transport, description="Base freight", product=ProductFactory(company=company, item_code="NAT")
    )
    body = user_client.get(f"/transports/{transport.pk}/").content.decode()
    assert "Waiting time in Liège" in body
    assert "NAT" in body
    assert "no item code" in body


def test_it_searches_customers_by_vat_number(user_client, company):
    CustomerFactory(company=company, name="Alpha Logistics", vat_number="BE0477472701")
    CustomerFactory(company=company, name="Beta Foods")
    body = user_client.get("/customers/?q=0477472701").content.decode()
    assert "Alpha Logistics" in body
    assert "Beta Foods" not in body


def test_it_paginates_long_lists(user_client, company):
    for i in range(55):
        CustomerFactory(company=company, name=f"Customer {i:03d}")
    first = user_client.get("/customers/").content.decode()
    second = user_client.get("/customers/?page=2").content.decode()
    assert "Customer 000" in first and "Customer 054" not in first
    assert "Customer 054" in second


def test_the_dashboard_counts_what_waits_and_says_so_when_nothing_does(user_client, company):
    import datetime as dt

    from lxml import html

    from haulbill.transports.models import TransportStatus

    TransportFactory(company=company, status=TransportStatus.DONE, verified_at=None)
    TransportFactory(company=company, status=TransportStatus.DONE, verified_at=dt.datetime(2026, 11, 2, tzinfo=dt.UTC))
    TransportFactory(company=company, status=TransportStatus.DONE, verified_at=dt.datetime(2026, 11, 2, tzinfo=dt.UTC))
    root = html.fromstring(user_client.get("/dashboard/").content)

    def count(key):
        return root.get_element_by_id(f"work-{key}").find_class("count")[0].text_content().strip()

    assert (count("to-verify"), count("to-invoice"), count("not-pushed")) == ("1", "2", "0")
    assert "every finalised invoice was sent" in root.get_element_by_id("work-not-pushed").text_content()
