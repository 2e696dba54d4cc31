import io

import pytest
from django.core.management import call_command

from haulbill.invoicing.models import Invoice, InvoiceStatus
from tests.factories import CustomerFactory, PriceLineFactory, ProductFactory
from tests.invoicing.factories import ready_transport


def run_command(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_prints_the_preflight_problems_per_customer_and_exits_with_an_error(company):
    bad = CustomerFactory(company=company, name="Bad BV")
    transport = ready_transport(company, bad, reference="T-CLI")
    ProductFactory(company=company)  # two products, no earlier toll line: no item code can be suggested
    PriceLineFactory(transport=transport, product=None, description="Toll")
    out = io.StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("preflight", "--company", str(company.pk), stdout=out)
    assert exc.value.code == 1
    text = out.getvalue()
    assert "Bad BV:" in text
    assert (
        "Transport T-CLI: the price line “Toll” has no item code, and none could be suggested: "
        "pick one on the transport page." in text
    )
    assert "1 transports of 1 customers checked: 1 problems, 1 customers blocked." in text


def test_it_prints_a_clean_preflight_for_a_customer_with_nothing_wrong(company):
    customer = CustomerFactory(company=company)
    ready_transport(company, customer)
    out, _ = run_command(
        "preflight", "--company", str(company.pk), "--customer", str(customer.pk), "--from", "2026-11-01"
    )
    assert "1 transports of 1 customers checked: 0 problems, 0 customers blocked." in out


def test_it_drafts_without_finalising_unless_asked(company):
    ready_transport(company)
    out, _ = run_command("invoice_run", "--company", str(company.pk))
    assert "1 draft invoices" in out
    assert Invoice.objects.get().status == InvoiceStatus.DRAFT


def test_it_finalises_the_unblocked_customers_with_a_progress_bar_and_a_summary(company, today):
    ready_transport(company, CustomerFactory(company=company))
    ready_transport(company, CustomerFactory(company=company))
    broken = ready_transport(company, CustomerFactory(company=company, name="Bad BV"))
    PriceLineFactory(transport=broken, product=None)
    out, err = run_command("invoice_run", "--company", str(company.pk), "--finalise")
    assert "2 invoices finalised (2026-00001 … 2026-00002), 1 held back, 0 failed." in out
    assert "Finalising" in err and "2/2" in err
