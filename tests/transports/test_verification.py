from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client

from haulbill.core.errors import HaulbillError
from haulbill.invoicing import services
from haulbill.invoicing.models import Invoice, InvoiceLine
from haulbill.invoicing.selection import Selection
from haulbill.transports import verification
from haulbill.transports.models import InvoicingStatus, Transport, TransportStatus
from tests.factories import CompanyFactory, MembershipFactory, PriceLineFactory, ProductFactory, TransportFactory


def unverified(company, **kwargs):
    transport = TransportFactory(company=company, verified_at=None, **kwargs)
    PriceLineFactory(transport=transport, unit_price=Decimal("300"))
    return transport


def codes(transport):
    return {b.code for b in verification.badges(transport)}


def client_for(company, role):
    client = Client()
    client.force_login(MembershipFactory(company=company, role=role).user)
    return client


def test_it_shows_no_badge_for_a_complete_transport(company):
    assert codes(unverified(company, weight_kg=Decimal("12000"))) == set()


def test_it_badges_a_transport_without_price(company):
    assert "no_price" in codes(TransportFactory(company=company))


def test_it_badges_a_price_line_without_item_code(company):
    transport = unverified(company)
    PriceLineFactory(transport=transport, product=None, description="Waiting hours")
    assert "line_without_item_code" in codes(transport)


def test_it_badges_a_missing_delivery_date(company):
    assert "no_delivery_date" in codes(unverified(company, unloading_date=None))


def test_it_badges_a_zero_weight_and_a_zero_quantity(company):
    transport = unverified(company, weight_kg=Decimal("0"))
    PriceLineFactory(transport=transport, quantity=Decimal("0"))
    assert {"zero_weight", "zero_quantity"} <= codes(transport)


def test_it_marks_a_done_transport_verified(company):
    transport = verification.verify(company, unverified(company).pk)
    assert transport.verified_at is not None


def test_it_refuses_to_verify_a_planned_transport(company):
    transport = unverified(company, status=TransportStatus.PLANNED)
    with pytest.raises(HaulbillError) as exc:
        verification.verify(company, transport.pk)
    assert exc.value.code == "transport_not_done"


def test_it_invoices_only_verified_transports(company):
    waiting = unverified(company)
    checked = verification.verify(company, unverified(company, customer=waiting.customer).pk)
    run = services.start_run(company, Selection())
    drafted = set(InvoiceLine.objects.filter(invoice__run=run).values_list("transport_id", flat=True))
    assert drafted == {checked.pk}


def test_it_lets_a_transport_be_unverified_until_it_is_invoiced(company):
    transport = verification.verify(company, unverified(company).pk)
    assert verification.unverify(company, transport.pk).verified_at is None
    verification.verify(company, transport.pk)
    services.invoice_run(company, Selection(), finalise=True, issue_date=dt.date(2026, 11, 24))
    with pytest.raises(HaulbillError) as exc:
        verification.unverify(company, transport.pk)
    assert exc.value.code == "transport_invoiced"
    assert Transport.objects.get(pk=transport.pk).verified_at is not None


def test_it_takes_an_unverified_transport_off_its_draft(company):
    first = TransportFactory(company=company)
    PriceLineFactory(transport=first)
    second = TransportFactory(company=company, customer=first.customer)
    PriceLineFactory(transport=second)
    services.start_run(company, Selection())
    verification.unverify(company, second.pk)
    draft = Invoice.objects.get(company=company, status="draft")
    assert set(draft.lines.values_list("transport_id", flat=True)) == {first.pk}
    assert draft.total_excl == first.price_lines.get().amount


def test_it_verifies_in_bulk_and_skips_what_cannot_be_verified(company):
    done = [unverified(company) for _ in range(3)]
    planned = unverified(company, status=TransportStatus.PLANNED)
    result = verification.verify_many(company, [t.pk for t in done] + [planned.pk])
    assert (result.verified, result.skipped) == (3, 1)
    assert Transport.objects.filter(pk__in=[t.pk for t in done], verified_at__isnull=False).count() == 3


def test_it_verifies_in_bulk_in_a_fixed_number_of_queries(company, django_assert_max_num_queries):
    ids = [unverified(company).pk for _ in range(30)]
    with django_assert_max_num_queries(25):
        verification.verify_many(company, ids)


def test_it_verifies_from_the_command_with_a_summary(company):
    keep_out = unverified(company, unloading_date=dt.date(2026, 12, 1))
    inside = unverified(company, unloading_date=dt.date(2026, 11, 4))
    out = io.StringIO()
    call_command("verify_transports", company=company.pk, date_to="2026-11-30", stdout=out, stderr=io.StringIO())
    assert "1 transports verified" in out.getvalue()
    assert Transport.objects.get(pk=inside.pk).verified_at is not None
    assert Transport.objects.get(pk=keep_out.pk).verified_at is None


def test_it_shows_badges_and_the_verify_button_on_the_transport_page(company):
    transport = unverified(company, unloading_date=None)
    page = client_for(company, "invoicer").get(f"/transports/{transport.pk}/").content.decode()
    assert 'data-badge="no_delivery_date"' in page
    assert 'value="verify"' in page


def test_it_verifies_from_the_transport_page_for_an_invoicer(company):
    transport = unverified(company)
    response = client_for(company, "invoicer").post(f"/transports/{transport.pk}/verification/", {"action": "verify"})
    assert response.status_code == 302
    assert Transport.objects.get(pk=transport.pk).verified_at is not None


def test_it_refuses_verification_to_a_viewer(company):
    transport = unverified(company)
    client = client_for(company, "viewer")
    assert client.post(f"/transports/{transport.pk}/verification/", {"action": "verify"}).status_code == 403
    assert client.post("/transports/verify/", {"transport": [transport.pk]}).status_code == 403
    assert Transport.objects.get(pk=transport.pk).verified_at is None
    assert 'value="verify"' not in client.get(f"/transports/{transport.pk}/").content.decode()


def test_it_bulk_verifies_from_the_transports_list(company):
    transports = [unverified(company) for _ in range(2)]
    client = client_for(company, "invoicer")
    assert 'id="bulk-verify"' in client.get("/transports/").content.decode()
    response = client.post("/transports/verify/", {"transport": [t.pk for t in transports], "next": "/transports/"})
    assert response["Location"] == "/transports/"
    assert Transport.objects.filter(verified_at__isnull=False, pk__in=[t.pk for t in transports]).count() == 2


def test_it_does_not_redirect_the_bulk_action_off_site(company):
    response = client_for(company, "invoicer").post("/transports/verify/", {"next": "https://evil.example/"})
    assert response["Location"] == "/transports/verify/"


def test_it_answers_404_to_another_company_on_verification_pages(company):
    transport = unverified(company)
    line = transport.price_lines.get()
    intruder = client_for(CompanyFactory(), "admin")
    for path in (f"/transports/{transport.pk}/verification/", f"/transports/lines/{line.pk}/product/"):
        assert intruder.get(path).status_code == 404
        assert intruder.post(path, {"action": "verify", "product": line.product_id}).status_code == 404
    assert Transport.objects.get(pk=transport.pk).verified_at is None
    assert transport.invoicing_status == InvoicingStatus.NOT_INVOICED


def test_it_lists_only_its_own_transports_to_verify(company):
    unverified(company, reference="OWN-1")
    other = CompanyFactory()
    unverified(other, reference="THEIRS-1")
    page = client_for(company, "viewer").get("/transports/verify/").content.decode()
    assert "OWN-1" in page and "THEIRS-1" not in page


def test_it_keeps_the_product_dropdown_to_active_products(company):
    transport = unverified(company)
    ProductFactory(company=company, is_active=False, item_code="OLD-1")
    page = client_for(company, "invoicer").get(f"/transports/{transport.pk}/").content.decode()
    assert "OLD-1" not in page
