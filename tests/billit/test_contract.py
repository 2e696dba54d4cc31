"""Both sides stay on Billit's published contract: what the client sends and what the sandbox answers are checked
field by field against Billit's own Swagger definitions, not only against each other."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from billit_sandbox.pytest_plugin import SandboxHandle
from haulbill.providers.billit.client import BillitClient
from haulbill.providers.billit.models import Party
from tests.billit.conftest import transport_invoice
from tests.billit.contract import Contract

EVERY_OPERATION_THE_CLIENT_USES = {
    ("GET", "/v1/account/accountInformation"), ("POST", "/v1/account/sequences"),
    ("GET", "/v1/parties"), ("POST", "/v1/parties"), ("GET", "/v1/parties/{partyID}"),
    ("PATCH", "/v1/parties/{partyID}"), ("GET", "/v1/products"), ("GET", "/v1/products/{productID}"),
    ("GET", "/v1/orders"), ("POST", "/v1/orders"), ("GET", "/v1/orders/{orderID}"), ("PATCH", "/v1/orders/{orderID}"),
    ("POST", "/v1/orders/{orderID}/payments"), ("POST", "/v1/orders/commands/send"), ("GET", "/v1/files/{fileID}"),
    ("GET", "/v1/peppol/participantInformation/{VATorCBE}"), ("GET", "/v1/webhooks"), ("POST", "/v1/webhooks"),
    ("DELETE", "/v1/webhooks/{webhookID}"),
}  # fmt: skip


def exercise_every_call(client: BillitClient, sandbox: SandboxHandle, customer_id: int) -> None:
    client.account_information()
    client.list_parties(filter="CountryCode eq 'BE'")
    party_id = client.create_party(
        Party(name="Fret Express SA", vat_number="BE0777123418", party_type="Customer", email="ap@fret.example",
              country_code="BE", language="FR")
    )  # fmt: skip
    client.get_party(party_id)
    client.patch_party(party_id, email="compta@fret.example", city="Mons")
    products = client.list_products()
    client.get_product(products[0].product_id or 0)
    number = client.next_number("Income-Invoice", consume=True)
    invoice = client.create_invoice(
        transport_invoice(customer_id, order_number=number, payment_reference="+++090/9337/55493+++"),
        idempotency_key="contract-invoice",
    ).order_id
    client.create_invoice(transport_invoice(customer_id, order_number=number), idempotency_key="contract-invoice")
    client.create_credit_note(
        transport_invoice(customer_id, about_invoice_number=number), idempotency_key="contract-cn"
    )
    client.get_order(invoice or 0)
    client.list_orders(order_number=number)
    client.send_orders([invoice or 0], "Peppol", idempotency_key="contract-send")
    client.add_payment(invoice or 0, Decimal("100.00"), date(2026, 5, 10), "part", idempotency_key="contract-pay")
    client.patch_order(invoice or 0, paid=True, paid_date=date(2026, 5, 20))
    client.download_order_pdf(invoice or 0)
    client.participant_information("BE0765432146")
    webhook = client.create_webhook("Order", "https://haulbill.example/hooks/billit")
    client.list_webhooks()
    client.delete_webhook(webhook.webhook_id or 0)


def test_it_sends_and_receives_only_fields_billits_swagger_defines(
    client: BillitClient, customer_id: int, billit_sandbox: SandboxHandle, contract: Contract
) -> None:
    exercise_every_call(client, billit_sandbox, customer_id)

    journal = billit_sandbox.requests()
    problems = [problem for entry in journal for problem in contract.check_exchange(entry)]

    assert problems == []
    operations = {(e["method"], contract.operation(e["method"], e["path"])[0]) for e in journal}  # type: ignore[index]
    assert operations == EVERY_OPERATION_THE_CLIENT_USES
    assert any(entry["status"] == 409 for entry in journal)  # the replay answered Billit's errors body


def test_it_flags_a_field_name_billit_does_not_know(contract: Contract) -> None:
    body: dict[str, Any] = {"OrderType": "Invoice", "OrderLines": [{"Quantity": 1, "UnitPrice": 10}]}

    problems = contract.check(body, contract.definition("Order"))

    assert problems == ["$<Order>.OrderLines[0]<OrderLine>: field 'UnitPrice' does not exist in the definition"]


def test_it_flags_a_value_of_the_wrong_json_type(contract: Contract) -> None:
    problems = contract.check(
        {"OrderID": "12", "Paid": "yes", "TotalIncl": "1.00", "OrderDate": "06/05/2026"}, contract.definition("Order")
    )

    assert len(problems) == 4


def test_it_checks_the_send_command_against_billits_spelling(contract: Contract) -> None:
    sent = {"OrderIds": [1], "TransportType": "Peppol"}
    misspelt = {"OrderIDs": [1], "TransportType": "Peppol"}

    assert contract.check_exchange({"method": "POST", "path": "/v1/orders/commands/send", "status": 200,
                                    "request_body": sent, "response_body": None}) == []  # fmt: skip
    assert contract.check_exchange({"method": "POST", "path": "/v1/orders/commands/send", "status": 200,
                                    "request_body": misspelt, "response_body": None}) != []  # fmt: skip
