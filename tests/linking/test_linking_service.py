import pytest
from django.core.management import call_command

from haulbill.addressbook import services
from haulbill.addressbook.models import Customer, LinkProposal, ProposalStatus
from haulbill.core.models import JobStatus
from tests.factories import CustomerFactory
from tests.providers.fixtures import billit_write

# The sandbox's demo company holds these customers (seed): 200001 Logistiek Vlaanderen NV (BE0765432146, Gent),
# 200002 Brasserie Wallonne SA (BE0812312345, Namur), 200003 Transports Lyonnais SARL (Lyon), 200004 Rotterdam Cargo BV.


def unaddressed(company, **kw):
    """A customer known by name and address only."""
    return CustomerFactory(company=company, **{"vat_number": "", "enterprise_number": "", **kw})


def test_it_links_a_customer_with_the_same_vat_number_at_once(billit_company):
    customer = CustomerFactory(company=billit_company, name="Log. Vlaanderen", vat_number="BE0765432146")
    result = services.link_customers(billit_company)
    customer.refresh_from_db()
    assert customer.invoicing_id == "200001" and customer.invoicing_provider == "billit"
    assert result.linked == 1


def test_it_links_by_the_enterprise_number_of_billit_identifiers(billit_company, billit_sandbox):
    party_id = billit_write(billit_sandbox, "/v1/parties", {
        "PartyType": "Customer", "Name": "Bouw Peeters", "Zipcode": "3500", "City": "Hasselt",
        "Identifiers": [{"IdentifierType": "CBE", "Identifier": "0477472701", "SchemeID": "0208"}],
    })  # fmt: skip
    customer = unaddressed(
        billit_company, name="Peeters Bouwwerken", enterprise_number="0477.472.701", postcode="3600", city="Genk"
    )
    services.link_customers(billit_company)
    customer.refresh_from_db()
    assert customer.invoicing_id == str(party_id)


@pytest.mark.parametrize(
    ("ours", "postcode", "city", "remote_id"),
    [
        ("Transports Lyonais", "69002", "Lyon", "200003"),  # typo, no legal form
        ("ROTTERDAM CARGO B.V.", "3089 JH", "Rotterdam", "200004"),
        ("Logistiek Vlaanderen BVBA", "9000", "Gent", "200001"),
        ("Brasserie Walonne SRL", "5000", "Namur", "200002"),
    ],
)
def test_it_proposes_a_fuzzy_name_match_for_review(billit_company, ours, postcode, city, remote_id):
    customer = unaddressed(billit_company, name=ours, postcode=postcode, city=city)
    services.link_customers(billit_company)
    customer.refresh_from_db()
    assert customer.invoicing_id == ""
    [proposal] = LinkProposal.objects.for_company(billit_company)
    assert (proposal.customer_id, proposal.remote_id, proposal.method) == (customer.pk, remote_id, "name")
    assert 80 <= proposal.score <= 100 and proposal.remote_name


def test_it_matches_a_german_gmbh_with_umlauts(billit_company, billit_sandbox):
    party_id = billit_write(billit_sandbox, "/v1/parties", {
        "PartyType": "Customer", "Name": "Müller Spedition GmbH", "Zipcode": "10115", "City": "Berlin",
        "CountryCode": "DE",
    })  # fmt: skip
    unaddressed(billit_company, name="Muller Spedittion", postcode="10115", city="Berlin", country="DE")
    services.link_customers(billit_company)
    assert list(LinkProposal.objects.for_company(billit_company).values_list("remote_id", flat=True)) == [str(party_id)]


def test_it_sends_an_ambiguous_pair_to_review_without_linking(billit_company, billit_sandbox):
    for name in ("Kroon Logistics BV", "Kroon Logistics NV"):
        billit_write(
            billit_sandbox, "/v1/parties", {"PartyType": "Customer", "Name": name, "Zipcode": "9000", "City": "Gent"}
        )
    customer = unaddressed(billit_company, name="Kroon Logistics", postcode="9000", city="Gent")
    services.link_customers(billit_company)
    proposals = LinkProposal.objects.for_company(billit_company).filter(customer=customer)
    assert proposals.count() == 2 and all(p.ambiguous for p in proposals)
    assert services.accept_proposals_above(billit_company, 50) == 0  # never chosen blindly


def test_it_never_proposes_a_party_linked_to_another_customer(billit_company):
    CustomerFactory(company=billit_company, name="Already", invoicing_id="200001", invoicing_provider="billit")
    twin = CustomerFactory(
        company=billit_company, name="Logistiek Vlaanderen", vat_number="BE0765432146", postcode="9000", city="Gent"
    )
    services.link_customers(billit_company)
    twin.refresh_from_db()
    assert twin.invoicing_id == ""
    assert not LinkProposal.objects.for_company(billit_company).filter(remote_id="200001").exists()


def test_accepting_a_proposal_links_and_closes_its_alternatives(billit_company, billit_sandbox, admin_membership):
    for name in ("Kroon Logistics BV", "Kroon Logistics NV"):
        billit_write(
            billit_sandbox, "/v1/parties", {"PartyType": "Customer", "Name": name, "Zipcode": "9000", "City": "Gent"}
        )
    customer = unaddressed(billit_company, name="Kroon Logistics", postcode="9000", city="Gent")
    services.link_customers(billit_company)
    first, second = LinkProposal.objects.for_company(billit_company).order_by("remote_id")
    services.accept_proposal(billit_company, first.pk, by=admin_membership.user)
    customer.refresh_from_db()
    second.refresh_from_db()
    assert customer.invoicing_id == first.remote_id
    assert second.status == ProposalStatus.REJECTED


def test_a_rejected_pair_is_not_proposed_again(billit_company):
    unaddressed(billit_company, name="Transports Lyonais", postcode="69002", city="Lyon")
    services.link_customers(billit_company)
    proposal = LinkProposal.objects.for_company(billit_company).get()
    services.reject_proposal(billit_company, proposal.pk)
    result = services.link_customers(billit_company)
    assert result.proposed == 0
    assert LinkProposal.objects.for_company(billit_company).get().status == ProposalStatus.REJECTED


def test_it_accepts_all_proposals_above_a_threshold(billit_company):
    good = unaddressed(billit_company, name="Logistiek Vlaanderen", postcode="9000", city="Gent")
    weak = unaddressed(billit_company, name="Brasserie Walonne", postcode="5000", city="Namur")
    services.link_customers(billit_company)
    scores = dict(LinkProposal.objects.for_company(billit_company).values_list("customer_id", "score"))
    assert scores[good.pk] > scores[weak.pk]
    assert services.accept_proposals_above(billit_company, scores[good.pk]) == 1
    good.refresh_from_db()
    weak.refresh_from_db()
    assert good.invoicing_id == "200001" and weak.invoicing_id == ""


def test_a_second_run_links_nothing_twice(billit_company):
    CustomerFactory(company=billit_company, vat_number="BE0765432146")
    unaddressed(billit_company, name="Transports Lyonais", postcode="69002", city="Lyon")
    services.link_customers(billit_company)
    again = services.link_customers(billit_company)
    assert again.linked == 0
    assert LinkProposal.objects.for_company(billit_company).count() == 1
    assert Customer.objects.for_company(billit_company).filter(invoicing_id="200001").count() == 1


def test_it_never_links_another_company_customers(billit_company, other_company):
    theirs = CustomerFactory(company=other_company, vat_number="BE0765432146")
    services.link_customers(billit_company)
    theirs.refresh_from_db()
    assert theirs.invoicing_id == ""


def test_it_runs_as_a_job_and_as_a_command(billit_company, capsys):
    CustomerFactory(company=billit_company, vat_number="BE0765432146")
    job = services.start_job(billit_company, services.LINK_JOB)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.result["linked"] == 1
    CustomerFactory(company=billit_company, vat_number="BE0812312345")
    call_command("link_customers", "--company", str(billit_company.pk))
    assert "1 customers linked at once" in capsys.readouterr().out
