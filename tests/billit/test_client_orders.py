"""The client creates, reads, lists, patches and pays orders in Billit (the sandbox, over real HTTP)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from billit_sandbox.pytest_plugin import SandboxHandle
from haulbill.providers.billit.client import BillitClient, idempotency_key_for
from haulbill.providers.billit.errors import BillitNotFound, BillitValidationError
from haulbill.providers.billit.models import OrderLine, Party
from tests.billit.conftest import transport_invoice


def test_it_creates_an_invoice_and_reads_back_billits_totals(client: BillitClient, customer_id: int) -> None:
    created = client.create_invoice(transport_invoice(customer_id), idempotency_key=idempotency_key_for("inv", 1))

    order = client.get_order(created.order_id or 0)
    assert created.already_created is False
    assert order.order_type == "Invoice" and order.order_direction == "Income"
    assert order.total_excl == Decimal("982.50")
    assert order.total_vat == Decimal("206.33")  # 982.50 x 21 % = 206.325, half-up
    assert order.total_incl == Decimal("1188.83")
    assert order.to_pay == order.total_incl
    assert order.order_status == "ToSend"
    assert order.order_date == date(2026, 5, 6)
    assert [line.total_excl for line in order.order_lines] == [Decimal("900.00"), Decimal("82.50")]


def test_it_sends_decimal_amounts_without_float_rounding(client: BillitClient, customer_id: int) -> None:
    lines = [
        OrderLine(
            quantity=Decimal("3"), unit_price_excl=Decimal("0.1"), description="Pallet", vat_percentage=Decimal("21")
        )
    ]
    created = client.create_invoice(
        transport_invoice(customer_id, order_lines=lines), idempotency_key=idempotency_key_for("float", 1)
    )

    order = client.get_order(created.order_id or 0)
    assert order.total_excl == Decimal("0.30")
    assert isinstance(order.total_excl, Decimal)


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_it_refuses_float_amounts_before_anything_is_sent(client: BillitClient, customer_id: int) -> None:
    order = transport_invoice(customer_id)
    order.order_lines[0].__dict__["unit_price_excl"] = 450.1  # bypass validation, as a careless caller could

    with pytest.raises(TypeError, match="Decimal"):
        client.create_invoice(order, idempotency_key=idempotency_key_for("float", 2))


def test_it_reports_a_replayed_idempotency_key_as_already_created(
    client: BillitClient, customer_id: int, billit_sandbox: SandboxHandle
) -> None:
    key = idempotency_key_for("invoice", 100001, 42)
    first = client.create_invoice(transport_invoice(customer_id, order_number="2026-0042"), idempotency_key=key)
    second = client.create_invoice(transport_invoice(customer_id, order_number="2026-0042"), idempotency_key=key)

    assert second.already_created is True and second.order_id is None
    assert len(billit_sandbox.orders()) == 1
    found = client.find_order("2026-0042")
    assert found is not None and found.order_id == first.order_id


def test_it_creates_a_credit_note_about_an_invoice(client: BillitClient, customer_id: int) -> None:
    client.create_invoice(transport_invoice(customer_id, order_number="F-1"), idempotency_key="inv1")
    created = client.create_credit_note(
        transport_invoice(customer_id, about_invoice_number="F-1"), idempotency_key="cn1"
    )

    note = client.get_order(created.order_id or 0)
    assert note.order_type == "CreditNote"
    assert note.about_invoice_number == "F-1"
    assert note.total_incl == Decimal("1188.83")  # positive amounts, as Billit's docs ask


def test_it_names_the_field_billit_refused(client: BillitClient, customer_id: int) -> None:
    order = transport_invoice(customer_id, expiry_date=None)

    with pytest.raises(BillitValidationError) as caught:
        client.create_invoice(order, idempotency_key="noexpiry")
    assert caught.value.status == 400
    assert caught.value.errors[0][0] == "GenericError"
    assert "ExpiryDate" in str(caught.value)


def test_it_raises_a_typed_error_on_a_duplicate_order_number(client: BillitClient, customer_id: int) -> None:
    client.create_invoice(transport_invoice(customer_id, order_number="DUP-1"), idempotency_key="dup-a")

    with pytest.raises(BillitValidationError) as caught:
        client.create_invoice(transport_invoice(customer_id, order_number="DUP-1"), idempotency_key="dup-b")
    assert caught.value.code == "DuplicateOrderNumber"


def test_it_raises_not_found_for_an_unknown_order(client: BillitClient) -> None:
    with pytest.raises(BillitNotFound):
        client.get_order(999999)


def test_it_creates_an_invoice_with_an_embedded_new_customer(client: BillitClient) -> None:
    customer = Party(name="Spedition Köln GmbH", vat_number="DE811907980", party_type="Customer", country_code="DE")
    order = transport_invoice(None, customer=customer)

    created = client.create_invoice(order, idempotency_key="embedded")

    stored = client.get_order(created.order_id or 0)
    assert stored.counter_party is not None and stored.counter_party.name == "Spedition Köln GmbH"
    assert any(p.vat_number == "DE811907980" for p in client.list_parties())


def test_it_lists_orders_by_number_and_last_modified(client: BillitClient, customer_id: int) -> None:
    before = datetime.now().replace(microsecond=0) - timedelta(seconds=2)
    for number in ("A-1", "A-2", "A-3"):
        client.create_invoice(transport_invoice(customer_id, order_number=number), idempotency_key=f"k{number}")

    assert [o.order_number for o in client.list_orders(order_number="A-2")] == ["A-2"]
    assert len(client.list_orders(modified_since=before)) == 3
    assert client.list_orders(modified_since=datetime.now() + timedelta(hours=1)) == []


def test_it_marks_an_invoice_paid_and_sent_by_patching(client: BillitClient, customer_id: int) -> None:
    order_id = client.create_invoice(transport_invoice(customer_id), idempotency_key="p1").order_id or 0

    client.patch_order(order_id, is_sent=True)
    client.mark_paid(order_id, date(2026, 5, 20))

    order = client.get_order(order_id)
    assert order.is_sent is True and order.paid is True
    assert order.paid_date == date(2026, 5, 20)
    assert order.to_pay == Decimal("0") and order.order_status == "Paid"


def test_it_refuses_to_patch_a_field_billit_cannot_patch(client: BillitClient) -> None:
    with pytest.raises(ValueError, match="total_incl"):
        client.patch_order(1, total_incl=Decimal("1"))


def test_it_records_partial_and_full_payments(client: BillitClient, customer_id: int) -> None:
    order_id = client.create_invoice(transport_invoice(customer_id), idempotency_key="pay").order_id or 0

    client.add_payment(order_id, Decimal("188.83"), date(2026, 5, 10), "part", idempotency_key="pay-1")
    partly = client.get_order(order_id)
    client.add_payment(order_id, Decimal("1000.00"), date(2026, 5, 12), "rest", idempotency_key="pay-2")
    settled = client.get_order(order_id)

    assert partly.to_pay == Decimal("1000.00") and partly.paid is False
    assert settled.to_pay == Decimal("0") and settled.paid is True
    assert settled.paid_date == date(2026, 5, 12)


def test_it_does_not_record_a_replayed_payment_twice(client: BillitClient, customer_id: int) -> None:
    order_id = client.create_invoice(transport_invoice(customer_id), idempotency_key="pay").order_id or 0

    first = client.add_payment(order_id, Decimal("100"), date(2026, 5, 10), idempotency_key="same-payment")
    again = client.add_payment(order_id, Decimal("100"), date(2026, 5, 10), idempotency_key="same-payment")

    assert (first.already_done, again.already_done) == (False, True)
    assert client.get_order(order_id).to_pay == Decimal("1088.83")


def test_it_downloads_the_order_pdf(client: BillitClient, customer_id: int) -> None:
    order_id = client.create_invoice(transport_invoice(customer_id, order_number="PDF-7"), idempotency_key="pdf")
    pdf = client.download_order_pdf(order_id.order_id or 0)

    from io import BytesIO

    from pypdf import PdfReader

    text = PdfReader(BytesIO(pdf)).pages[0].extract_text()
    assert pdf.startswith(b"%PDF-")
    assert "PDF-7" in text and "1188.83" in text


def test_it_takes_the_next_number_without_and_with_consuming(client: BillitClient, customer_id: int) -> None:
    peeked = client.next_number("Income-Invoice")
    peeked_again = client.next_number("Income-Invoice")
    reserved = client.next_number("Income-Invoice", consume=True)
    after = client.next_number("Income-Invoice")
    created = client.create_invoice(transport_invoice(customer_id), idempotency_key="auto-number")

    assert peeked == peeked_again == reserved
    assert after != reserved
    assert client.get_order(created.order_id or 0).order_number == after


def test_it_keeps_invoice_and_credit_note_sequences_apart(client: BillitClient) -> None:
    client.next_number("Income-Invoice", consume=True)
    client.next_number("Income-Invoice", consume=True)

    assert client.next_number("Income-CreditNote") == "1"
