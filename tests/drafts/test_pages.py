from __future__ import annotations

from decimal import Decimal

from django.test import Client

from haulbill.invoicing import services
from haulbill.invoicing.models import Invoice, InvoiceStatus
from haulbill.invoicing.selection import Selection
from tests.factories import CompanyFactory, CustomerFactory, MembershipFactory
from tests.invoicing.factories import ready_transport


def client_for(company, role):
    client = Client()
    client.force_login(MembershipFactory(company=company, role=role).user)
    return client


def a_draft(company, transports=1):
    customer = CustomerFactory(company=company, language="en")
    for _ in range(transports):
        ready_transport(company, customer)
    return Invoice.objects.get(run=services.start_run(company, Selection(customer_ids=(customer.pk,))))


def test_it_lists_and_opens_drafts_with_their_pro_forma(company):
    draft = a_draft(company)
    client = client_for(company, "viewer")
    assert f"/drafts/{draft.pk}/" in client.get("/drafts/").content.decode()
    assert "PRO FORMA" in client.get(f"/drafts/{draft.pk}/").content.decode()
    response = client.get(f"/drafts/{draft.pk}/pro-forma.pdf")
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")


def test_it_lets_an_invoicer_edit_a_line_from_the_page(company):
    draft = a_draft(company)
    line = draft.lines.get()
    client = client_for(company, "invoicer")
    response = client.post(f"/drafts/lines/{line.pk}/", {
        "description": "Freight, night delivery", "quantity": "1", "unit_price": "175,50", "unit": "C62",
        "product": line.product_id,
    })  # fmt: skip
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.total_excl == Decimal("175.50")
    assert "Freight, night delivery" in client.get(f"/drafts/{draft.pk}/").content.decode()


def test_it_shows_a_clear_error_for_a_bad_number(company):
    draft = a_draft(company)
    client = client_for(company, "invoicer")
    response = client.post(
        f"/drafts/{draft.pk}/lines/new/", {"description": "Tolls", "quantity": "1", "unit_price": "abc"}, follow=True
    )
    assert "“abc” is not a number." in response.content.decode()


def test_it_cancels_and_ungroups_from_the_page(company):
    draft = a_draft(company, transports=2)
    client = client_for(company, "invoicer")
    assert client.get(f"/drafts/{draft.pk}/ungroup/").status_code == 200
    client.post(f"/drafts/{draft.pk}/ungroup/")
    assert Invoice.objects.filter(company=company, status=InvoiceStatus.DRAFT).count() == 2
    client.post(f"/drafts/{draft.pk}/cancel/")
    assert Invoice.objects.filter(company=company, status=InvoiceStatus.DRAFT).count() == 1


def test_it_keeps_drafts_read_only_for_a_viewer(company):
    draft = a_draft(company, transports=2)
    line = draft.lines.first()
    viewer = client_for(company, "viewer")
    for path in (f"/drafts/{draft.pk}/lines/new/", f"/drafts/lines/{line.pk}/", f"/drafts/lines/{line.pk}/remove/",
                 f"/drafts/{draft.pk}/transports/", f"/drafts/{draft.pk}/ungroup/", f"/drafts/{draft.pk}/cancel/"):  # fmt: skip
        assert viewer.post(path, {"description": "x", "quantity": "1", "unit_price": "1"}).status_code == 403
    assert "Cancel the draft" not in viewer.get(f"/drafts/{draft.pk}/").content.decode()
    draft.refresh_from_db()
    assert draft.lines.count() == 2 and draft.status == InvoiceStatus.DRAFT


def test_it_answers_404_for_a_finalised_invoice_on_draft_pages(company):
    customer = CustomerFactory(company=company)
    ready_transport(company, customer)
    run, _ = services.invoice_run(company, Selection(), finalise=True)
    invoice = Invoice.objects.get(run=run)
    client = client_for(company, "admin")
    assert client.get(f"/drafts/{invoice.pk}/").status_code == 404
    assert client.post(f"/drafts/lines/{invoice.lines.get().pk}/remove/").status_code == 404


def test_it_answers_404_to_another_company_on_every_draft_page(company):
    draft = a_draft(company)
    line = draft.lines.get()
    intruder = client_for(CompanyFactory(), "admin")
    paths = [f"/drafts/{draft.pk}/", f"/drafts/{draft.pk}/pro-forma.pdf", f"/drafts/{draft.pk}/lines/new/",
             f"/drafts/{draft.pk}/transports/", f"/drafts/{draft.pk}/ungroup/", f"/drafts/{draft.pk}/cancel/",
             f"/drafts/lines/{line.pk}/", f"/drafts/lines/{line.pk}/remove/"]  # fmt: skip
    for path in paths:
        assert intruder.get(path).status_code == 404, path
        assert intruder.post(path, {"description": "x", "quantity": "1", "unit_price": "1"}).status_code == 404, path
    assert str(draft.customer.name) not in intruder.get("/drafts/").content.decode()
    draft.refresh_from_db()
    assert draft.lines.count() == 1 and draft.status == InvoiceStatus.DRAFT
