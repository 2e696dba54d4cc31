from haulbill.addressbook.models import Customer
from haulbill.core.models import AuditEntry
from tests.api.conftest import api_client_for, member, valid_customer
from tests.factories import CustomerFactory


def test_it_creates_a_customer_with_a_normalised_vat_number(api, company):
    response = api.post("/api/v1/customers", {"name": "Kroon BV", "vat_number": "be 0477.472.701", "country": "be"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["vat_number"] == "BE0477472701"
    assert body["enterprise_number"] == "0477472701"
    assert body["peppol_identifier"] == "0208:0477472701"
    assert Customer.objects.for_company(company).get(pk=body["id"]).name == "Kroon BV"


def test_it_names_the_field_when_the_vat_number_is_wrong(api, company):
    response = api.post("/api/v1/customers", {"name": "Kroon BV", "vat_number": "BE0477472702"})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert body["fields"][0]["field"] == "vat_number"
    assert "check digit" in body["fields"][0]["message"]
    assert not Customer.objects.for_company(company).exists()


def test_it_refuses_a_second_customer_with_the_same_reference(api, company):
    CustomerFactory(company=company, reference="C-1")
    response = api.post("/api/v1/customers", {"name": "Twin", "reference": "C-1"})
    assert response.status_code == 422
    assert response.json()["fields"] == [
        {"field": "reference", "message": "Another customer already has the reference C-1."}
    ]


def test_it_updates_only_the_fields_sent(api, company):
    customer = valid_customer(company, name="Old name", city="Gent")
    response = api.patch(f"/api/v1/customers/{customer.pk}", {"name": "New name"})
    assert response.status_code == 200
    customer.refresh_from_db()
    assert (customer.name, customer.city) == ("New name", "Gent")


def test_it_records_who_created_a_customer(api, company, admin_membership):
    api.post("/api/v1/customers", {"name": "Kroon BV"})
    entry = AuditEntry.objects.for_company(company).get(action="customer.created")
    assert (entry.action, entry.actor) == ("customer.created", admin_membership.user)


def test_it_filters_customers_by_link_state_and_paginates(api, company):
    for i in range(5):
        CustomerFactory(company=company, name=f"Linked {i}", invoicing_id=str(100 + i), invoicing_provider="billit")
    CustomerFactory(company=company, name="Unlinked")
    first = api.get("/api/v1/customers", {"linked": "yes", "limit": 2}).json()
    assert first["count"] == 5
    assert [c["name"] for c in first["items"]] == ["Linked 0", "Linked 1"]
    second = api.get(first["next"]).json()
    assert [c["name"] for c in second["items"]] == ["Linked 2", "Linked 3"]
    assert "linked=yes" in first["next"]


def test_it_does_not_let_a_viewer_create_a_customer(company):
    client = api_client_for(member(company, "viewer"))
    response = client.post("/api/v1/customers", {"name": "Kroon BV"})
    assert response.status_code == 403
    assert response.json()["code"] == "role_required"
    assert not Customer.objects.for_company(company).exists()


def test_it_lets_a_viewer_read_customers(company):
    CustomerFactory(company=company, name="Visible")
    client = api_client_for(member(company, "viewer"))
    assert client.get("/api/v1/customers").json()["items"][0]["name"] == "Visible"


def test_it_hides_another_companys_customer(api, other_company):
    theirs = CustomerFactory(company=other_company)
    assert api.get(f"/api/v1/customers/{theirs.pk}").status_code == 404
    assert api.patch(f"/api/v1/customers/{theirs.pk}", {"name": "Hijacked"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.name != "Hijacked"
