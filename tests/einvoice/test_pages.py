"""The e-invoice doors on the pages: the UBL download of an invoice and the Peppol status of a customer."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from lxml import etree

from haulbill.einvoice.from_invoice import ubl_for
from haulbill.invoicing import services
from haulbill.invoicing.models import Invoice
from haulbill.invoicing.selection import Selection
from tests.einvoice.fakes import FakePeppolNetwork, fake_peppol_network
from tests.einvoice.scenarios import CREDIT_DATE, customer, domestic_21, product, transport
from tests.factories import CustomerFactory, MembershipFactory


def client_for(company: Any, role: str) -> Client:
    client = Client()
    client.force_login(MembershipFactory(company=company, role=role).user)
    return client


@pytest.fixture
def viewer(company: Any) -> Client:
    return client_for(company, "viewer")


@pytest.fixture
def network() -> Iterator[FakePeppolNetwork]:
    with fake_peppol_network() as fake:
        yield fake


# UBL download ------------------------------------------------------------------------------------------------


def test_a_viewer_downloads_the_ubl_of_an_invoice_as_its_number_dot_xml(company: Any, viewer: Client) -> None:
    invoice = domestic_21(company)

    response = viewer.get(reverse("invoice-ubl", args=[invoice.pk]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    assert response["Content-Disposition"] == f'attachment; filename="{invoice.number}.xml"'
    assert response.content == ubl_for(invoice)


def test_the_invoice_page_links_to_the_ubl_next_to_the_pdf(company: Any, viewer: Client) -> None:
    invoice = domestic_21(company)

    page = viewer.get(reverse("invoice-detail", args=[invoice.pk])).content.decode()

    assert reverse("invoice-pdf", args=[invoice.pk]) in page
    assert f'href="{reverse("invoice-ubl", args=[invoice.pk])}"' in page and "UBL (Peppol)" in page


def test_a_credit_note_downloads_as_a_ubl_credit_note(company: Any, viewer: Client) -> None:
    note = services.credit(company, domestic_21(company).pk, issue_date=CREDIT_DATE)

    response = viewer.get(reverse("invoice-ubl", args=[note.pk]))

    assert etree.QName(etree.fromstring(response.content)).localname == "CreditNote"


def test_a_draft_has_no_ubl_and_the_page_says_why(company: Any, viewer: Client) -> None:
    to = customer(company)
    transport(company, to, [("Freight", "1", "C62", "100.00", product(company))])
    draft = Invoice.objects.for_company(company).get(run=services.start_run(company, Selection()))

    response = viewer.get(reverse("invoice-ubl", args=[draft.pk]))

    assert response.status_code == 409
    assert "finalise it" in response.content.decode()
    assert "UBL (Peppol)" not in viewer.get(reverse("invoice-detail", args=[draft.pk])).content.decode()


def test_another_companys_invoice_ubl_is_not_found(company: Any, other_company: Any) -> None:
    invoice = domestic_21(company)

    response = client_for(other_company, "admin").get(reverse("invoice-ubl", args=[invoice.pk]))

    assert response.status_code == 404
    assert invoice.buyer["name"] not in response.content.decode()


def test_the_ubl_download_needs_a_signed_in_member(company: Any) -> None:
    invoice = domestic_21(company)

    response = Client().get(reverse("invoice-ubl", args=[invoice.pk]))

    assert response.status_code == 302 and "/login/" in response["Location"]


# Peppol status of a customer ---------------------------------------------------------------------------------


def test_the_customer_page_loads_the_peppol_status_with_htmx(company: Any, viewer: Client) -> None:
    to = CustomerFactory(company=company)

    page = viewer.get(reverse("customer-detail", args=[to.pk])).content.decode()

    assert f'hx-get="{reverse("customer-peppol", args=[to.pk])}"' in page
    assert 'hx-trigger="load"' in page


def test_it_says_a_registered_customer_is_reachable_for_invoices_and_credit_notes(
    company: Any, viewer: Client, network: FakePeppolNetwork
) -> None:
    to = CustomerFactory(company=company)
    network.register(to.peppol_identifier)

    html = viewer.get(reverse("customer-peppol", args=[to.pk])).content.decode()

    assert "reachable on Peppol for invoices and credit notes" in html


def test_it_says_an_unregistered_customer_is_not_registered(
    company: Any, viewer: Client, network: FakePeppolNetwork
) -> None:
    to = CustomerFactory(company=company)

    html = viewer.get(reverse("customer-peppol", args=[to.pk])).content.decode()

    assert "not registered on Peppol" in html


def test_it_says_it_could_not_check_and_why(company: Any, viewer: Client, network: FakePeppolNetwork) -> None:
    to = CustomerFactory(company=company, country="US", vat_number="", enterprise_number="", peppol_identifier="")

    html = viewer.get(reverse("customer-peppol", args=[to.pk])).content.decode()

    assert "could not check Peppol" in html
    assert "no Peppol identifier, VAT or enterprise number" in html


def test_another_companys_customer_peppol_status_is_not_found(
    company: Any,
    other_company: Any,
    network: FakePeppolNetwork,
) -> None:
    to = CustomerFactory(company=company)

    response = client_for(other_company, "admin").get(reverse("customer-peppol", args=[to.pk]))

    assert response.status_code == 404
    assert network.resolver.queries == [], "company B made us look company A's customer up"
