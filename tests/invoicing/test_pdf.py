import datetime as dt
import io

from pypdf import PdfReader

from haulbill.addressbook.models import VatRegime
from haulbill.catalog.models import VatLevel
from haulbill.invoicing import services
from haulbill.invoicing.models import Invoice, InvoicingSettings
from haulbill.invoicing.pdf import render_html
from haulbill.invoicing.selection import Selection
from tests.factories import CustomerFactory, ProductFactory
from tests.invoicing.factories import ready_transport


def pdf_text(invoice):
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(bytes(invoice.pdf))).pages)
    return " ".join(text.split())


def finalised(company, customer, **kwargs):
    ready_transport(company, customer, **kwargs)
    run, _ = services.invoice_run(company, Selection(), finalise=True, issue_date=dt.date(2026, 11, 24))
    return Invoice.objects.get(run=run)


def test_it_prints_the_legal_content_of_the_invoice(company):
    company.register = "RPR Antwerpen"
    company.save()
    InvoicingSettings.objects.filter(company=company).update(purchasing_conditions="Our general conditions apply.")
    customer = CustomerFactory(company=company, name="Brouwerij Kroon BV", language="en", payment_delay_days=30)
    invoice = finalised(company, customer, prices=("1234.50",))
    text = pdf_text(invoice)
    for expected in [
        "Invoice 2026-00001",
        f"{company.legal_name} Havenlaan 12",
        company.vat_number,
        company.enterprise_number,
        "RPR Antwerpen",
        "Brouwerij Kroon BV",
        customer.vat_number,
        "1234.50",
        "259.25",  # 21% VAT
        "1493.75",
        invoice.payment_reference,
        "BE71096123456769",
        "GKCCBEBB",
        "Our general conditions apply.",
        "Due date 24/12/2026",
    ]:
        assert expected in text, expected


def test_it_prints_the_reverse_charge_mention(company):
    customer = CustomerFactory(
        company=company, country="NL", vat_number="NL004495445B01", vat_regime=VatRegime.INTRA_EU, language="en"
    )
    invoice = finalised(
        company, customer, prod=ProductFactory(company=company, vat_level=VatLevel.CUSTOMER, vat_rate=None)
    )
    assert "Reverse charge - Autoliquidation - Verlegging van heffing" in pdf_text(invoice)


def test_it_renders_in_the_customer_language(company):
    customer = CustomerFactory(company=company, language="fr")
    invoice = finalised(company, customer)
    assert render_html(invoice).startswith('<!doctype html>\n<html lang="fr">')
