import pytest

from haulbill.addressbook import services
from haulbill.addressbook.models import Customer
from haulbill.core.errors import HaulbillError
from tests.factories import CustomerFactory


def parties(billit):
    return billit.list_parties()


def test_it_creates_missing_customers_in_billit_with_address_language_and_enterprise_number(billit_company, billit):
    customer = CustomerFactory(
        company=billit_company,
        name="Kroon Brouwers BV",
        street="Kerkstraat 12",
        postcode="9000",
        city="Gent",
        language="fr",
        reference="K-77",
    )
    result = services.push_customers(billit_company)
    customer.refresh_from_db()
    assert result.created == 1 and customer.invoicing_id
    party = billit.get_party(int(customer.invoicing_id))
    assert (party.name, party.vat_number, party.party_type) == ("Kroon Brouwers BV", customer.vat_number, "Customer")
    assert (party.street, party.street_number, party.zipcode, party.city) == ("Kerkstraat", "12", "9000", "Gent")
    assert party.language == "FR" and party.nr == "K-77"
    assert [(i.identifier_type, i.identifier) for i in party.identifiers] == [("CBE", customer.enterprise_number)]
    assert party.addresses[0].address_type == "InvoiceAddress"


def test_pushing_twice_creates_no_duplicate(billit_company, billit):
    CustomerFactory.create_batch(3, company=billit_company)
    before = len(parties(billit))
    services.push_customers(billit_company)
    again = services.push_customers(billit_company)
    assert again.created == 0
    assert len(parties(billit)) == before + 3


def test_it_links_an_existing_party_with_the_same_vat_number_instead_of_creating_one(billit_company, billit):
    customer = CustomerFactory(company=billit_company, name="LV", vat_number="BE0765432146")
    before = len(parties(billit))
    result = services.push_customers(billit_company)
    customer.refresh_from_db()
    assert (result.created, result.linked_existing, customer.invoicing_id) == (0, 1, "200001")
    assert len(parties(billit)) == before


def test_it_resumes_without_duplicate_after_an_answer_lost_midway(billit_company, billit, billit_sandbox):
    first, second = CustomerFactory.create_batch(2, company=billit_company)
    before = len(parties(billit))
    # Billit creates the second party, then the answer is lost; the retry with the same key answers 409.
    billit_sandbox.fail_next("drop", method="POST", path="/v1/parties", phase="after")
    services.push_customers(billit_company)
    services.push_customers(billit_company)
    assert len(parties(billit)) == before + 2
    assert set(Customer.objects.for_company(billit_company).values_list("invoicing_id", flat=True)) == {
        str(p.party_id) for p in parties(billit)[before:]
    }


def test_it_stops_on_a_refused_key_and_keeps_the_ids_already_stored(billit_company, billit_sandbox):
    from haulbill.providers.registry import active_connection

    CustomerFactory(company=billit_company)
    connection = active_connection(billit_company)
    connection.set_api_key("revoked-key-0000")
    connection.save()
    with pytest.raises(HaulbillError):
        services.push_customers(billit_company)


def test_it_imports_billit_customers_and_normalises_their_vat_numbers(billit_company):
    result = services.import_customers(billit_company)
    assert result.created == 4
    imported = {c.invoicing_id: c for c in Customer.objects.for_company(billit_company)}
    ghent = imported["200001"]
    assert (ghent.name, ghent.vat_number, ghent.enterprise_number) == (
        "Logistiek Vlaanderen NV",
        "BE0765432146",
        "0765432146",
    )
    assert ghent.peppol_identifier == "0208:0765432146" and ghent.language == "nl"
    assert imported["200003"].country == "FR" and imported["200003"].language == "fr"


def test_importing_twice_creates_no_duplicate(billit_company):
    services.import_customers(billit_company)
    again = services.import_customers(billit_company)
    assert (again.created, again.linked) == (0, 0)
    assert Customer.objects.for_company(billit_company).count() == 4


def test_import_links_a_customer_with_the_same_vat_number_instead_of_duplicating_it(billit_company):
    ours = CustomerFactory(company=billit_company, name="Logistiek Vl.", vat_number="BE 0765.432.146")
    result = services.import_customers(billit_company)
    ours.refresh_from_db()
    assert (result.created, result.linked) == (3, 1)
    assert ours.invoicing_id == "200001"
    assert Customer.objects.for_company(billit_company).count() == 4
