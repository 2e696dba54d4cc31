import pytest

from haulbill.addressbook import services
from haulbill.addressbook.models import LinkProposal, ProposalStatus
from haulbill.core.errors import HaulbillError
from tests.factories import CustomerFactory


def test_it_shows_the_billit_party_before_linking(billit_company):
    customer = CustomerFactory(company=billit_company, vat_number="BE0765432146")
    preview = services.preview_link(billit_company, customer, " 200001 ")
    assert (preview.remote.name, preview.remote.vat_number) == ("Logistiek Vlaanderen NV", "BE0765432146")
    assert not preview.warnings
    customer.refresh_from_db()
    assert customer.invoicing_id == ""  # a preview writes nothing


def test_it_warns_when_the_vat_number_differs(billit_company):
    customer = CustomerFactory(company=billit_company)
    preview = services.preview_link(billit_company, customer, "200001")
    assert preview.vat_differs and "VAT number differs" in preview.warnings[0]


def test_it_accepts_billits_whole_address(billit_company):
    customer = CustomerFactory(company=billit_company)
    linked = services.link_customer(billit_company, customer, "https://my.sandbox.billit.be/app/Customer/200002")
    assert linked.invoicing_id == "200002"


def test_it_refuses_an_id_billit_does_not_know(billit_company):
    with pytest.raises(HaulbillError) as caught:
        services.preview_link(billit_company, CustomerFactory(company=billit_company), "999999")
    assert caught.value.code == "invoicing_id_unknown"


def test_it_refuses_an_id_of_another_billit_company(billit_company):
    # 200005 belongs to Twin Haulage A in the sandbox: our key's company does not see it.
    with pytest.raises(HaulbillError) as caught:
        services.preview_link(billit_company, CustomerFactory(company=billit_company), "200005")
    assert caught.value.code == "invoicing_id_unknown"


def test_it_refuses_an_id_already_linked_to_another_customer(billit_company):
    CustomerFactory(company=billit_company, name="First One", invoicing_id="200001")
    with pytest.raises(HaulbillError) as caught:
        services.link_customer(billit_company, CustomerFactory(company=billit_company), "200001")
    assert caught.value.code == "invoicing_id_taken" and "First One" in caught.value.message


def test_it_refuses_a_malformed_id(billit_company):
    with pytest.raises(HaulbillError) as caught:
        services.preview_link(billit_company, CustomerFactory(company=billit_company), "abc")
    assert caught.value.code == "invoicing_id_malformed"


def test_unlinking_remembers_the_pair_so_automatic_linking_does_not_restore_it(billit_company):
    customer = CustomerFactory(company=billit_company, vat_number="BE0765432146")
    services.link_customer(billit_company, customer, "200001")
    services.unlink_customer(billit_company, customer)
    services.link_customers(billit_company)
    customer.refresh_from_db()
    assert customer.invoicing_id == ""
    assert LinkProposal.objects.for_company(billit_company).get().status == ProposalStatus.REJECTED
