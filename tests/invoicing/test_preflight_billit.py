"""The two troubleshooting cases only Billit itself can show, against billit_sandbox over real HTTP."""

from __future__ import annotations

from importlib.util import find_spec

import pytest

from haulbill.invoicing import services
from haulbill.invoicing.models import Invoice, InvoiceStatus
from haulbill.invoicing.selection import Selection
from haulbill.transports.models import InvoicingStatus
from tests.factories import CustomerFactory, ProductFactory
from tests.invoicing.factories import ready_transport

pytestmark = pytest.mark.skipif(
    find_spec("haulbill.providers.billit.provider") is None or find_spec("billit_sandbox.pytest_plugin") is None,
    reason="needs the Billit provider adapter (haulbill/providers/billit/provider.py) and billit_sandbox's pytest plugin",
)


@pytest.fixture
def connected(company, billit_sandbox):
    from haulbill.providers import services as connection_services
    from haulbill.providers.registry import provider_for

    connection_services.connect_billit(
        company, api_key=billit_sandbox.api_key, environment="custom", base_url=billit_sandbox.base_url, party_id=""
    )
    remote = next(iter(provider_for(company).list_customers()))
    good = CustomerFactory(
        company=company, name="Linked Customer BV", invoicing_id=remote.remote_id, invoicing_provider="billit"
    )
    ready_transport(company, good, prod=ProductFactory(company=company, provider="billit"))
    return good


def problems(run):
    return [p["message"] for p in run.report["company_problems"] + run.report["problems"]]


def test_it_blocks_everything_when_billit_no_longer_accepts_the_stored_key(company, connected, today):
    from haulbill.providers.registry import active_connection

    connection = active_connection(company)
    connection.set_api_key("revoked-key-0000000000000000")  # the user deleted the key in Billit
    connection.save()
    run, summary = services.invoice_run(company, Selection(), finalise=True)
    assert problems(run) == ["Billit no longer accepts the stored API key: paste a new key in the invoicing settings."]
    assert summary["finalised"] == 0
    assert set(Invoice.objects.filter(company=company).values_list("status", flat=True)) == {InvoiceStatus.DRAFT}


def test_it_blocks_only_the_customer_whose_invoicing_id_billit_no_longer_knows(company, connected, today):
    gone = CustomerFactory(
        company=company, name="Deleted In Billit NV", invoicing_id="987654321", invoicing_provider="billit"
    )
    transport = ready_transport(company, gone, prod=ProductFactory(company=company, provider="billit"))
    run, summary = services.invoice_run(company, Selection(), finalise=True)
    assert problems(run) == [
        "Customer Deleted In Billit NV: its invoicing ID 987654321 is no longer known to Billit. Link it again."
    ]
    assert summary["finalised"] == 1
    assert Invoice.objects.get(customer=gone).status == InvoiceStatus.DRAFT
    assert Invoice.objects.get(customer=connected).status == InvoiceStatus.FINALISED
    transport.refresh_from_db()
    assert transport.invoicing_status == InvoicingStatus.NOT_INVOICED
