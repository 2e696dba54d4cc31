import datetime as dt

import pytest
from django.test import Client

from haulbill.invoicing import services
from haulbill.invoicing.finalising import finalise_invoice
from haulbill.invoicing.models import Invoice, InvoiceKind, InvoicingRun
from haulbill.invoicing.selection import Selection
from haulbill.transports.models import InvoicingStatus
from tests.factories import CustomerFactory, MembershipFactory, PriceLineFactory
from tests.invoicing.factories import ready_transport


def results(response):
    """The list itself, without the filter form (whose customer menu names every customer)."""
    return response.content.decode().split('id="results"', 1)[1]


def client_for(company, role="admin"):
    client = Client()
    client.force_login(MembershipFactory(company=company, role=role).user)
    return client


@pytest.fixture
def invoiced(company, today):
    customer = CustomerFactory(company=company, name="Kroon BV")
    ready_transport(company, customer, prices=("100.00", "20.00"), quantity="2", reference="T-PAGE-1")
    run, _ = services.invoice_run(company, Selection(), finalise=True)
    return Invoice.objects.get(run=run)


def test_it_lists_invoices_and_searches_by_number(user_client, invoiced):
    body = user_client.get("/invoices/?q=2026-00001").content.decode()
    assert "2026-00001" in body and "Kroon BV" in body
    assert "2026-00001" not in user_client.get("/invoices/?q=2025-").content.decode()


def test_it_filters_the_list_by_status_customer_and_period(user_client, company, invoiced):
    other = CustomerFactory(company=company, name="Other Draft NV")
    ready_transport(company, other)
    services.start_run(company, Selection())
    assert "Other Draft NV" not in results(user_client.get("/invoices/?status=finalised"))
    assert "Other Draft NV" in results(user_client.get("/invoices/?status=draft"))
    only_kroon = results(user_client.get(f"/invoices/?customer={invoiced.customer_id}"))
    assert "Kroon BV" in only_kroon and "Other Draft NV" not in only_kroon
    assert "2026-00001" in user_client.get("/invoices/?from=2026-11-01&to=2026-11-30").content.decode()
    assert "2026-00001" not in user_client.get("/invoices/?from=2026-12-01").content.decode()


def test_it_paginates_the_invoice_list(user_client, company, today):
    for _ in range(55):
        ready_transport(company, CustomerFactory(company=company))
    run = services.start_run(company, Selection())
    for invoice in Invoice.objects.filter(run=run).order_by("pk"):
        finalise_invoice(company, invoice.pk)  # no push: the list needs numbers, not PDFs
    first = user_client.get("/invoices/").content.decode()
    assert "Page 1 of 2" in first
    assert "2026-00055" in first and "2026-00001" not in first
    assert "2026-00001" in user_client.get("/invoices/?page=2").content.decode()


def test_it_shows_an_invoice_with_lines_vat_breakdown_totals_and_pdf(user_client, invoiced):
    body = user_client.get(f"/invoices/{invoiced.pk}/").content.decode()
    for expected in [
        "2026-00001",
        "T-PAGE-1",
        "240.00",
        "50.40",
        "290.40",
        "S 21%",
        invoiced.payment_reference,
        f"/invoices/{invoiced.pk}/pdf/",
    ]:
        assert expected in body, expected
    pdf = user_client.get(f"/invoices/{invoiced.pk}/pdf/")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_it_walks_a_run_from_selection_to_finalised_invoices(user_client, company, today):
    good = CustomerFactory(company=company, name="Good BV")
    bad = CustomerFactory(company=company, name="Bad BV")
    ready_transport(company, good, prices=("500.00",))
    broken = ready_transport(company, bad, reference="T-BROKEN")
    PriceLineFactory(transport=broken, product=None, description="Toll")
    assert user_client.get("/invoices/run/").status_code == 200

    response = user_client.post("/invoices/run/", {"from": "2026-11-01", "to": "2026-11-30"})
    run = InvoicingRun.objects.get(company=company)
    assert response.url == f"/invoices/runs/{run.pk}/"
    report = user_client.get(response.url).content.decode()
    assert (
        "Transport T-BROKEN: the price line “Toll” has no item code, and none could be suggested: "
        "pick one on the transport page." in report
    )
    assert f'href="/transports/{broken.pk}/"' in report
    assert "Good BV" in report and "605.00" in report

    user_client.post(f"/invoices/runs/{run.pk}/confirm/", {})
    run.refresh_from_db()
    assert run.status == "done" and run.job.status == "succeeded"
    assert Invoice.objects.get(customer=good).number == "2026-00001"
    assert Invoice.objects.get(customer=bad).number == ""
    progress = user_client.get(f"/invoices/runs/{run.pk}/progress/").content.decode()
    assert "1 invoices finalised, 1 held back, 0 failed." in progress
    locked = user_client.get(
        f"/transports/{Invoice.objects.get(customer=good).lines.first().transport_id}/"
    ).content.decode()
    assert "this transport and its price lines are locked" in locked


def test_it_issues_a_full_credit_note_from_the_invoice_page(user_client, invoiced):
    response = user_client.post(f"/invoices/{invoiced.pk}/credit/", {"mode": "full"})
    note = Invoice.objects.get(kind=InvoiceKind.CREDIT_NOTE)
    assert response.url == f"/invoices/{note.pk}/"
    assert note.total_incl == invoiced.total_incl
    assert invoiced.lines.first().transport.invoicing_status == InvoicingStatus.NOT_INVOICED
    assert "CN2026-00001" in user_client.get(f"/invoices/{invoiced.pk}/").content.decode()


def test_it_issues_a_partial_credit_note_from_the_invoice_page(user_client, invoiced):
    line = invoiced.lines.order_by("position").first()
    user_client.post(f"/invoices/{invoiced.pk}/credit/", {"mode": "partial", f"quantity_{line.pk}": "1"})
    note = Invoice.objects.get(kind=InvoiceKind.CREDIT_NOTE)
    assert note.total_excl == line.unit_price
    assert line.transport.invoicing_status == InvoicingStatus.INVOICED


def test_it_explains_why_it_refuses_to_credit_too_much(user_client, invoiced):
    line = invoiced.lines.order_by("position").first()
    response = user_client.post(
        f"/invoices/{invoiced.pk}/credit/", {"mode": "partial", f"quantity_{line.pk}": "5"}, follow=True
    )
    assert "only 2 can still be credited, not 5." in response.content.decode()
    assert not Invoice.objects.filter(kind=InvoiceKind.CREDIT_NOTE).exists()


def test_it_lets_a_viewer_look_but_not_run_or_credit(company, invoiced):
    viewer = client_for(company, role="viewer")
    assert viewer.get(f"/invoices/{invoiced.pk}/").status_code == 200
    assert "Full credit note" not in viewer.get(f"/invoices/{invoiced.pk}/").content.decode()
    assert viewer.get("/invoices/run/").status_code == 403
    assert viewer.post("/invoices/run/", {}).status_code == 403
    assert viewer.post(f"/invoices/{invoiced.pk}/credit/", {"mode": "full"}).status_code == 403
    assert not Invoice.objects.filter(kind=InvoiceKind.CREDIT_NOTE).exists()


def test_it_hides_every_invoice_page_of_another_company(company, other_company, invoiced):
    run = invoiced.run
    stranger = client_for(other_company)
    for url in [
        f"/invoices/{invoiced.pk}/",
        f"/invoices/{invoiced.pk}/pdf/",
        f"/invoices/runs/{run.pk}/",
        f"/invoices/runs/{run.pk}/progress/",
    ]:
        assert stranger.get(url).status_code == 404, url
    assert stranger.post(f"/invoices/{invoiced.pk}/credit/", {"mode": "full"}).status_code == 404
    assert stranger.post(f"/invoices/runs/{run.pk}/confirm/", {}).status_code == 404
    assert "2026-00001" not in stranger.get("/invoices/").content.decode()
    assert not Invoice.objects.filter(kind=InvoiceKind.CREDIT_NOTE).exists()


def test_it_does_not_run_another_company_customers(company, other_company, today):
    foreign = CustomerFactory(company=other_company)
    ready_transport(other_company, foreign)
    client_for(company).post("/invoices/run/", {"customer": [str(foreign.pk)]})
    assert not Invoice.objects.filter(customer=foreign).exists()


def test_it_dates_a_confirmed_run_with_the_chosen_issue_date(user_client, company, today):
    ready_transport(company)
    run = services.start_run(company, Selection())
    user_client.post(f"/invoices/runs/{run.pk}/confirm/", {"issue_date": "2026-11-20"})
    assert Invoice.objects.get(run=run).issue_date == dt.date(2026, 11, 20)


def _row(html, number):
    """The list row of one invoice."""
    return html.split(f">{number}</a>", 1)[1].split("</tr>", 1)[0]


@pytest.fixture
def paid_and_overdue(company, today):
    """Two finalised invoices of the built-in provider: one paid, one unpaid and due yesterday."""
    for name in ("Kroon BV", "Vos NV"):
        ready_transport(company, CustomerFactory(company=company, name=name))
    run, _ = services.invoice_run(company, Selection(), finalise=True)
    paid, late = Invoice.objects.filter(run=run).order_by("customer__name")
    Invoice.objects.filter(pk=paid.pk).update(paid=True, paid_at=today)
    Invoice.objects.filter(pk=late.pk).update(due_date=today - dt.timedelta(days=1))
    return Invoice.objects.get(pk=paid.pk), Invoice.objects.get(pk=late.pk)


def test_the_list_shows_paid_and_overdue_badges(user_client, paid_and_overdue):
    paid, late = paid_and_overdue

    html = results(user_client.get("/invoices/"))

    assert "Paid" in _row(html, paid.number) and "Overdue" not in _row(html, paid.number)
    assert "Overdue" in _row(html, late.number) and "Paid" not in _row(html, late.number)
    assert "In platform" not in html  # Haulbill issues these itself: there is no platform to be in


def test_the_list_shows_sent_delivered_refused_and_push_failed_badges(user_client, company, today):
    for name in ("Aerts", "Bos", "Claes", "Dewit"):
        ready_transport(company, CustomerFactory(company=company, name=name))
    run = services.start_run(company, Selection())
    drafts = list(Invoice.objects.filter(run=run).order_by("customer__name"))
    sent, delivered, refused, failed = (finalise_invoice(company, d.pk) for d in drafts)
    Invoice.objects.filter(pk=sent.pk).update(sent=True)
    Invoice.objects.filter(pk=delivered.pk).update(sent=True, delivered=True)
    Invoice.objects.filter(pk=refused.pk).update(sent=True, refused=True, refused_reason="Unknown buyer")
    Invoice.objects.filter(pk=failed.pk).update(push_state="failed", push_error="Billit is down")

    html = results(user_client.get("/invoices/"))

    assert "Sent" in _row(html, sent.number)
    assert "Delivered" in _row(html, delivered.number)
    assert "Refused" in _row(html, refused.number) and 'title="Unknown buyer"' in _row(html, refused.number)
    assert "Push failed" in _row(html, failed.number) and 'title="Billit is down"' in _row(html, failed.number)


def test_it_filters_the_list_to_overdue_or_unpaid_invoices(user_client, paid_and_overdue):
    paid, late = paid_and_overdue

    overdue = results(user_client.get("/invoices/?payment=overdue"))
    unpaid = results(user_client.get("/invoices/?payment=unpaid"))

    assert late.number in overdue and paid.number not in overdue
    assert late.number in unpaid and paid.number not in unpaid


def test_the_overdue_filter_never_shows_another_companys_invoices(company, other_company, paid_and_overdue, today):
    _paid, late = paid_and_overdue
    stranger = client_for(other_company)

    assert late.number not in results(stranger.get("/invoices/?payment=overdue"))
