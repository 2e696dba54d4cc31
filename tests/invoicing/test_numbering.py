import datetime as dt

import pytest

from haulbill.core.errors import HaulbillError
from haulbill.invoicing import services
from haulbill.invoicing.finalising import finalise_invoice
from haulbill.invoicing.models import Invoice, InvoiceKind, InvoicingSettings
from haulbill.invoicing.selection import Selection
from tests.factories import CustomerFactory
from tests.invoicing.factories import ready_transport


def drafts(company, count):
    for _ in range(count):
        ready_transport(company, CustomerFactory(company=company))
    run = services.start_run(company, Selection())
    return list(Invoice.objects.filter(run=run).order_by("pk").values_list("pk", flat=True))


def finalise_all(company, ids, day):
    return [finalise_invoice(company, pk, issue_date=day).number for pk in ids]


def configure(company, **fields):
    InvoicingSettings.objects.filter(company=company).update(**fields)


def test_it_numbers_invoices_one_after_the_other_from_one(company):
    assert finalise_all(company, drafts(company, 3), dt.date(2026, 11, 24)) == [
        "2026-00001",
        "2026-00002",
        "2026-00003",
    ]


def test_it_starts_at_the_configured_first_number(company):
    configure(company, first_invoice_number=56483, number_format="F-{seq}")
    assert finalise_all(company, drafts(company, 2), dt.date(2026, 11, 24)) == ["F-56483", "F-56484"]


def test_it_restarts_at_one_each_year_when_the_format_holds_the_year(company):
    configure(company, first_invoice_number=40, number_format="F{year}/{seq:04}")
    ids = drafts(company, 3)
    numbers = finalise_all(company, ids[:2], dt.date(2026, 12, 30)) + finalise_all(
        company, ids[2:], dt.date(2027, 1, 2)
    )
    assert numbers == ["F2026/0040", "F2026/0041", "F2027/0001"]


def test_it_keeps_counting_across_years_without_the_year_in_the_format(company):
    configure(company, number_format="INV{seq:06}")
    ids = drafts(company, 2)
    numbers = finalise_all(company, ids[:1], dt.date(2026, 12, 30)) + finalise_all(
        company, ids[1:], dt.date(2027, 1, 2)
    )
    assert numbers == ["INV000001", "INV000002"]


def test_it_refuses_a_date_earlier_than_the_last_finalised_invoice(company):
    ids = drafts(company, 2)
    finalise_invoice(company, ids[0], issue_date=dt.date(2026, 11, 20))
    with pytest.raises(HaulbillError) as exc:
        finalise_invoice(company, ids[1], issue_date=dt.date(2026, 11, 19))
    assert exc.value.code == "issue_date_before_previous"
    assert "earlier than the last finalised document's date" in exc.value.message
    assert Invoice.objects.get(pk=ids[1]).number == ""
    assert finalise_invoice(company, ids[1], issue_date=dt.date(2026, 11, 20)).number == "2026-00002"


def test_it_dates_finalisation_today_by_default(company, today):
    invoice = finalise_invoice(company, drafts(company, 1)[0])
    assert invoice.issue_date == today


def test_it_locks_the_numbering_settings_once_an_invoice_is_finalised(company):
    settings = InvoicingSettings.objects.get(company=company)
    assert settings.numbering_locked_at is None
    finalise_all(company, drafts(company, 1), dt.date(2026, 11, 24))
    settings.refresh_from_db()
    assert settings.numbering_locked_at is not None
    settings.first_invoice_number = 900
    with pytest.raises(Exception, match="numbering"):
        settings.save()


def test_it_gives_credit_notes_their_own_series(company):
    from haulbill.invoicing.credit_notes import create_credit_note

    configure(company, credit_note_number_format="CN-{seq:03}", first_credit_note_number=7)
    ids = drafts(company, 2)
    finalise_all(company, ids, dt.date(2026, 11, 24))
    note = create_credit_note(company, ids[0], issue_date=dt.date(2026, 11, 24))
    assert (note.kind, note.number) == (InvoiceKind.CREDIT_NOTE, "CN-007")


def test_it_continues_the_platform_sequence_read_at_connection(company, remote_platform, today):
    from haulbill.providers.models import ProviderConnection
    from tests.factories import ProductFactory

    ProviderConnection.objects.filter(company=company).update(next_invoice_number="2026/000123")
    remote_platform.next_invoice = "2026/000123"
    customer = CustomerFactory(company=company, invoicing_id="9")
    remote_platform.customers["9"] = customer.name
    ready_transport(company, customer, prod=ProductFactory(company=company, provider="billit"))
    _run, summary = services.invoice_run(company, Selection(), finalise=True)
    assert summary["numbers"] == ["2026-00123"]
    assert remote_platform.pushed == ["2026-00123"]
