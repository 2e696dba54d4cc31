from decimal import Decimal

from haulbill.transports.models import InvoicingStatus, Transport
from tests.api.conftest import api_client_for, member, valid_customer
from tests.factories import PriceLineFactory, ProductFactory, TransportFactory


def test_it_creates_a_transport_with_lines_priced_from_the_product(api, company):
    customer = valid_customer(company, reference="KROON")
    ProductFactory(company=company, item_code="NAT", name="National transport", unit_price=Decimal("450.00"))
    response = api.post(
        "/api/v1/transports",
        {
            "reference": "T-1",
            "customer_reference": "KROON",
            "unloading_date": "2026-11-04",
            "price_lines": [
                {"item_code": "NAT"},
                {"description": "Waiting", "quantity": "1.5", "unit": "HUR", "unit_price": "45.00"},
            ],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["customer_id"] == customer.pk
    assert [line["description"] for line in body["price_lines"]] == ["National transport", "Waiting"]
    assert Decimal(body["total_excl_vat"]) == Decimal("517.50")


def test_a_line_without_item_code_comes_back_with_the_suggested_one_flagged(api, company):
    valid_customer(company, reference="KROON")
    ProductFactory(company=company, item_code="NAT", name="National transport")
    response = api.post(
        "/api/v1/transports",
        {
            "reference": "T-9",
            "customer_reference": "KROON",
            "price_lines": [
                {"item_code": "NAT"},
                {"description": "Extra stop in Aalst", "unit_price": "40.00"},
            ],
        },
    )
    assert response.status_code == 201, response.content
    chosen, filled = response.json()["price_lines"]
    assert (chosen["item_code"], chosen["item_code_suggested"]) == ("NAT", False)
    # The company's only active product is the one a line without item code can take.
    assert (filled["item_code"], filled["item_code_suggested"]) == ("NAT", True)


def test_it_refuses_a_duplicate_reference_naming_the_field(api, company):
    TransportFactory(company=company, reference="T-1")
    customer = valid_customer(company)
    response = api.post("/api/v1/transports", {"reference": "T-1", "customer_id": customer.pk})
    assert response.status_code == 422
    assert response.json()["fields"] == [
        {"field": "reference", "message": "A transport with reference T-1 already exists."}
    ]


def test_it_updates_a_transport_that_is_not_invoiced_and_replaces_its_lines(api, company):
    transport = TransportFactory(company=company, customer=valid_customer(company))
    PriceLineFactory(transport=transport)
    response = api.patch(
        f"/api/v1/transports/{transport.pk}",
        {"unloading_place": "Namur", "price_lines": [{"description": "Flat fee", "unit_price": "300"}]},
    )
    assert response.status_code == 200, response.content
    assert response.json()["unloading_place"] == "Namur"
    assert [line["description"] for line in response.json()["price_lines"]] == ["Flat fee"]


def test_it_refuses_to_change_an_invoiced_transport(api, company):
    transport = TransportFactory(company=company, invoicing_status=InvoicingStatus.INVOICED, unloading_place="Liège")
    response = api.patch(f"/api/v1/transports/{transport.pk}", {"unloading_place": "Namur"})
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "transport_invoiced"
    assert body["fields"][0]["field"] == "invoicing_status"
    transport.refresh_from_db()
    assert transport.unloading_place == "Liège"


def test_it_bulk_creates_all_rows_in_one_call(api, company):
    valid_customer(company, reference="KROON")
    rows = [{"reference": f"T-{i}", "customer_reference": "KROON"} for i in range(1000)]
    response = api.post("/api/v1/transports/bulk", {"transports": rows})
    assert response.status_code == 201, response.content[:500]
    assert response.json()["created"] == 1000
    assert Transport.objects.for_company(company).count() == 1000


def test_it_creates_none_of_a_bulk_batch_when_a_row_is_bad_and_names_each_bad_row(api, company):
    valid_customer(company, reference="KROON")
    rows = [
        {"reference": "T-1", "customer_reference": "KROON"},
        {"reference": "T-2", "customer_reference": "NOBODY"},
        {"reference": "T-1", "customer_reference": "KROON"},
    ]
    response = api.post("/api/v1/transports/bulk", {"transports": rows})
    assert response.status_code == 422
    fields = [f["field"] for f in response.json()["fields"]]
    assert fields == ["transports.1.customer_reference", "transports.2.reference"]
    assert "nothing was created" in response.json()["message"]
    assert not Transport.objects.for_company(company).exists()


def test_it_refuses_more_than_1000_rows(api, company):
    rows = [{"reference": f"T-{i}", "customer_reference": "X"} for i in range(1001)]
    response = api.post("/api/v1/transports/bulk", {"transports": rows})
    assert response.status_code == 422
    assert response.json()["fields"][0]["field"] == "transports"


def test_it_filters_transports_by_status_customer_period_and_reference(api, company):
    kroon = valid_customer(company, seed=1)
    other = valid_customer(company, seed=2)
    import datetime as dt

    TransportFactory(company=company, customer=kroon, reference="A", unloading_date=dt.date(2026, 11, 4))
    TransportFactory(company=company, customer=kroon, reference="B", unloading_date=dt.date(2026, 12, 4))
    TransportFactory(company=company, customer=other, reference="C", unloading_date=dt.date(2026, 11, 5))
    TransportFactory(
        company=company,
        customer=kroon,
        reference="D",
        unloading_date=dt.date(2026, 11, 6),
        invoicing_status=InvoicingStatus.INVOICED,
    )

    def refs(**params):
        return sorted(t["reference"] for t in api.get("/api/v1/transports", params).json()["items"])

    assert refs(customer_id=kroon.pk, date_from="2026-11-01", date_to="2026-11-30") == ["A", "D"]
    assert refs(invoicing_status="not_invoiced", customer_id=kroon.pk) == ["A", "B"]
    assert refs(reference="C") == ["C"]
    assert refs(status="cancelled") == []


def test_it_does_not_let_a_viewer_create_transports(company):
    client = api_client_for(member(company, "viewer"))
    customer = valid_customer(company)
    response = client.post("/api/v1/transports", {"reference": "T-1", "customer_id": customer.pk})
    assert response.status_code == 403
    assert not Transport.objects.for_company(company).exists()
