from haulbill.invoicing import services
from haulbill.invoicing.models import Invoice
from haulbill.invoicing.selection import Selection
from haulbill.transports.models import InvoicingStatus
from tests.invoicing.factories import ready_transport


def test_it_runs_end_to_end(company, today):
    t = ready_transport(company, prices=("100.00", "50.50"))
    run, summary = services.invoice_run(company, Selection(), finalise=True)
    assert summary["finalised"] == 1, summary
    inv = Invoice.objects.get(run=run)
    assert inv.number == "2026-00001"
    assert inv.total_excl == 150.50
    assert inv.pdf[:4] == b"%PDF"
    t.refresh_from_db()
    assert t.invoicing_status == InvoicingStatus.INVOICED
