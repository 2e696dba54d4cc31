from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from haulbill.addressbook.models import Customer, LinkProposal, ProposalStatus
from tests.factories import CustomerFactory, MembershipFactory


def client_for(company, role="admin"):
    client = Client()
    client.force_login(MembershipFactory(company=company, role=role).user)
    return client


def test_it_looks_up_the_billit_customer_then_links_on_confirmation(billit_company):
    client = client_for(billit_company, "invoicer")
    customer = CustomerFactory(company=billit_company, name="LV Gent", vat_number="BE0765432146")
    detail = client.get(f"/customers/{customer.pk}/").content.decode()
    assert "Billit customer number" in detail
    preview = client.post(f"/customers/{customer.pk}/invoicing-id/", {"action": "lookup", "invoicing_id": "200001"})
    body = preview.content.decode()
    assert "Logistiek Vlaanderen NV" in body and "BE0765432146" in body and "VAT number differs" not in body
    customer.refresh_from_db()
    assert customer.invoicing_id == ""
    client.post(f"/customers/{customer.pk}/invoicing-id/", {"action": "confirm", "invoicing_id": "200001"})
    customer.refresh_from_db()
    assert customer.invoicing_id == "200001"


def test_the_customer_page_warns_about_a_different_vat_number(billit_company):
    customer = CustomerFactory(company=billit_company)
    body = (
        client_for(billit_company)
        .post(f"/customers/{customer.pk}/invoicing-id/", {"action": "lookup", "invoicing_id": "200002"})
        .content.decode()
    )
    assert "The VAT number differs" in body and "BE0812312345" in body


def test_the_customer_page_refuses_an_unknown_id(billit_company):
    customer = CustomerFactory(company=billit_company)
    response = client_for(billit_company).post(
        f"/customers/{customer.pk}/invoicing-id/", {"action": "confirm", "invoicing_id": "777777"}
    )
    assert response.status_code == 400 and "has no customer 777777" in response.content.decode()
    customer.refresh_from_db()
    assert customer.invoicing_id == ""


def test_a_viewer_cannot_link_a_customer(billit_company):
    customer = CustomerFactory(company=billit_company)
    viewer = client_for(billit_company, "viewer")
    assert "Billit customer number" not in viewer.get(f"/customers/{customer.pk}/").content.decode()
    response = viewer.post(f"/customers/{customer.pk}/invoicing-id/", {"action": "confirm", "invoicing_id": "200001"})
    assert response.status_code == 403


def test_another_company_gets_404_on_the_customer_link_page(billit_company, other_company):
    customer = CustomerFactory(company=billit_company)
    intruder = client_for(other_company)
    assert intruder.get(f"/customers/{customer.pk}/invoicing-id/").status_code == 404
    assert (
        intruder.post(
            f"/customers/{customer.pk}/invoicing-id/", {"action": "confirm", "invoicing_id": "200001"}
        ).status_code
        == 404
    )
    customer.refresh_from_db()
    assert customer.invoicing_id == ""


def test_the_review_page_runs_linking_and_accepts_a_proposal(billit_company):
    client = client_for(billit_company, "invoicer")
    customer = CustomerFactory(
        company=billit_company,
        name="Transports Lyonais",
        vat_number="",
        enterprise_number="",
        postcode="69002",
        city="Lyon",
    )
    response = client.post("/linking/run/", HTTP_HX_REQUEST="true")
    assert "proposals to review" in response.content.decode()
    page = client.get("/linking/").content.decode()
    assert "Transports Lyonnais SARL" in page
    proposal = LinkProposal.objects.for_company(billit_company).get()
    client.post("/linking/decide/", {"proposal": proposal.pk, "decision": "accept"})
    customer.refresh_from_db()
    assert customer.invoicing_id == "200003"


def test_another_company_cannot_decide_this_company_proposals(billit_company, other_company):
    customer = CustomerFactory(company=billit_company)
    proposal = LinkProposal.objects.create(
        company=billit_company, customer=customer, provider="billit", remote_id="200001", method="name", score=95
    )
    intruder = client_for(other_company)
    assert "200001" not in intruder.get("/linking/").content.decode()
    intruder.post("/linking/decide/", {"proposal": proposal.pk, "decision": "accept"})
    intruder.post("/linking/accept-above/", {"threshold": "0"})
    proposal.refresh_from_db()
    customer.refresh_from_db()
    assert proposal.status == ProposalStatus.PENDING and customer.invoicing_id == ""


def test_a_viewer_cannot_run_linking_or_decide(billit_company):
    viewer = client_for(billit_company, "viewer")
    assert viewer.get("/linking/").status_code == 200
    for url in (
        "/linking/run/",
        "/linking/push-customers/",
        "/linking/import-customers/",
        "/linking/decide/",
        "/linking/accept-above/",
    ):
        assert viewer.post(url).status_code == 403, url


def test_the_push_and_import_buttons_run_jobs(billit_company):
    client = client_for(billit_company)
    CustomerFactory(company=billit_company, name="New Customer BV")
    client.post("/linking/push-customers/")
    client.post("/linking/import-customers/")
    page = client.get("/linking/").content.decode()
    assert "existing customers linked by VAT number" in page
    assert Customer.objects.for_company(billit_company).exclude(invoicing_id="").count() == 5


def test_the_csv_import_previews_errors_then_writes_on_confirmation(billit_company):
    client = client_for(billit_company, "invoicer")
    CustomerFactory(company=billit_company, reference="C1")
    data = b"customer reference;name;VAT number;invoicing ID\nC1;A;;200001\nC404;B;;200002\n"
    client.post("/linking/import/", {"file": SimpleUploadedFile("links.csv", data, "text/csv")})
    preview = client.get("/linking/import/").content.decode()
    assert "No customer has the reference C404." in preview and ">3<" in preview
    assert Customer.objects.for_company(billit_company).get(reference="C1").invoicing_id == ""
    client.post("/linking/import/", {"action": "confirm"})
    assert Customer.objects.for_company(billit_company).get(reference="C1").invoicing_id == "200001"


def test_the_csv_preview_of_one_company_is_not_applied_to_another(billit_company, other_company):
    """The pending file is kept per company in the session."""
    user = MembershipFactory(company=billit_company, role="admin").user
    client = Client()
    client.force_login(user)
    CustomerFactory(company=billit_company, reference="C1")
    theirs = CustomerFactory(company=other_company, reference="C1")
    client.post(
        "/linking/import/", {"file": SimpleUploadedFile("l.csv", b"customer reference,invoicing ID\nC1,200001\n")}
    )
    MembershipFactory(company=other_company, user=user, role="admin")
    session = client.session
    session["haulbill_company_id"] = other_company.pk
    session.save()
    client.post("/linking/import/", {"action": "confirm"})
    theirs.refresh_from_db()
    assert theirs.invoicing_id == ""


def test_the_export_lists_only_this_company(billit_company, other_company):
    CustomerFactory(company=billit_company, reference="MINE", invoicing_id="200001")
    CustomerFactory(company=other_company, reference="THEIRS")
    body = client_for(billit_company, "viewer").get("/linking/links.csv").content.decode()
    assert "MINE" in body and "THEIRS" not in body
