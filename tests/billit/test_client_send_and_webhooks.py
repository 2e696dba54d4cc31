"""The client sends invoices by Peppol and e-mail, checks Peppol reachability, and manages signed webhooks."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest

from billit_sandbox.pytest_plugin import SandboxHandle
from haulbill.providers.billit.client import BillitClient
from haulbill.providers.billit.errors import BillitValidationError
from haulbill.providers.billit.models import Party
from tests.billit.conftest import transport_invoice


def test_it_sends_an_invoice_by_peppol(client: BillitClient, customer_id: int) -> None:
    order_id = client.create_invoice(transport_invoice(customer_id), idempotency_key="send").order_id or 0

    outcome = client.send_orders([order_id], "Peppol", idempotency_key="send-1")

    order = client.get_order(order_id)
    assert outcome.already_done is False
    assert order.is_sent is True and order.order_status == "ToPay"
    assert order.messages and order.messages[0].transport_type == "Peppol"
    assert order.messages[0].destination == "0208:0765432146"


def test_it_sends_the_strict_transport_header_by_default(
    client: BillitClient, customer_id: int, billit_sandbox: SandboxHandle
) -> None:
    order_id = client.create_invoice(transport_invoice(customer_id), idempotency_key="strict").order_id or 0

    client.send_orders([order_id], "Peppol", idempotency_key=None)

    send = [e for e in billit_sandbox.requests() if e["path"] == "/v1/orders/commands/send"][0]
    assert send["headers"]["stricttransporttype"] == "true"


def test_it_reports_a_customer_not_on_peppol_with_billits_code(client: BillitClient) -> None:
    party_id = client.list_parties(filter="Nr eq 'C002'")[0].party_id
    order_id = client.create_invoice(transport_invoice(party_id), idempotency_key="nopeppol").order_id or 0

    with pytest.raises(BillitValidationError) as caught:
        client.send_orders([order_id], "Peppol", idempotency_key="nopeppol-send")

    assert caught.value.code == "TheCustomerIsNotActiveOnPeppol"
    assert client.get_order(order_id).is_sent is False


def test_it_sends_once_the_customer_joins_peppol(client: BillitClient, billit_sandbox: SandboxHandle) -> None:
    party_id = client.list_parties(filter="Nr eq 'C002'")[0].party_id
    order_id = client.create_invoice(transport_invoice(party_id), idempotency_key="joins").order_id or 0
    assert client.participant_information("BE0812312345").registered is False

    billit_sandbox.register_peppol_participant("BE0812312345")

    assert client.participant_information("BE 0812.312.345").registered is True
    client.send_orders([order_id], "Peppol", idempotency_key="joins-send")
    assert client.get_order(order_id).is_sent is True


def test_it_sends_by_email_to_a_customer_with_an_address(client: BillitClient) -> None:
    party_id = client.list_parties(filter="Nr eq 'C003'")[0].party_id
    order_id = client.create_invoice(transport_invoice(party_id), idempotency_key="smtp").order_id or 0

    client.send_orders([order_id], "SMTP", idempotency_key="smtp-send")

    message = (client.get_order(order_id).messages or [])[0]
    assert message.transport_type == "SMTP" and message.destination == "factures@transports-lyonnais.example"


def test_it_reports_a_customer_without_email_for_smtp(client: BillitClient) -> None:
    party_id = client.create_party(Party(name="No Mail BVBA", vat_number="BE0777123418"))
    order_id = client.create_invoice(transport_invoice(party_id), idempotency_key="nomail").order_id or 0

    with pytest.raises(BillitValidationError) as caught:
        client.send_orders([order_id], "SMTP", idempotency_key=None)

    assert caught.value.code == "TheCustomer_0_DoesNotHaveAValidEmailAddress"


def test_it_reports_a_replayed_send_as_already_done(client: BillitClient, customer_id: int) -> None:
    order_id = client.create_invoice(transport_invoice(customer_id), idempotency_key="twice").order_id or 0

    first = client.send_orders([order_id], "Peppol", idempotency_key="send-twice")
    again = client.send_orders([order_id], "Peppol", idempotency_key="send-twice")

    assert (first.already_done, again.already_done) == (False, True)
    assert len(client.get_order(order_id).messages or []) == 1


class _Receiver(BaseHTTPRequestHandler):
    received: list[tuple[dict[str, str], bytes]] = []

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((dict(self.headers), body))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[tuple[str, list[tuple[dict[str, str], bytes]]]]:
    received: list[tuple[dict[str, str], bytes]] = []
    handler = type("Receiver", (_Receiver,), {"received": received})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hooks/billit", received
    server.shutdown()
    server.server_close()


def wait_for(received: list[Any], count: int) -> None:
    deadline = time.monotonic() + 5
    while len(received) < count and time.monotonic() < deadline:
        time.sleep(0.02)


def test_it_receives_signed_webhooks_for_new_and_updated_orders(
    client: BillitClient, customer_id: int, receiver: tuple[str, list[tuple[dict[str, str], bytes]]]
) -> None:
    url, received = receiver
    webhook = client.create_webhook("Order", url)
    secret = webhook.secret.get_secret_value() if webhook.secret else ""

    order_id = client.create_invoice(transport_invoice(customer_id), idempotency_key="hook").order_id
    client.patch_order(order_id or 0, is_sent=True)
    wait_for(received, 2)

    assert [json.loads(body)["WebhookUpdateTypeTC"] for _, body in received] == ["I", "U"]
    for headers, body in received:
        stamp, signature = (part.split("=", 1)[1] for part in headers["Billit-Signature"].split(","))
        expected = hmac.new(secret.encode(), f"{stamp}.{body.decode()}".encode(), hashlib.sha256).hexdigest()
        assert hmac.compare_digest(signature, expected)
        assert abs(int(stamp) - time.time()) < 30
    assert json.loads(received[0][1])["UpdatedEntityID"] == order_id


def test_it_fires_only_the_update_types_asked_for(
    client: BillitClient, customer_id: int, receiver: tuple[str, list[tuple[dict[str, str], bytes]]],
    billit_sandbox: SandboxHandle,
) -> None:  # fmt: skip
    url, received = receiver
    client.create_webhook("Order", url, update_type="U")

    order_id = client.create_invoice(transport_invoice(customer_id), idempotency_key="hook-u").order_id
    client.patch_order(order_id or 0, internal_info="checked")
    billit_sandbox.webhook_deliveries()  # waits until the sandbox has delivered everything

    assert [json.loads(body)["WebhookUpdateTypeTC"] for _, body in received] == ["U"]


def test_it_lists_and_deletes_webhooks_and_hides_their_secret(client: BillitClient) -> None:
    webhook = client.create_webhook("Message", "https://haulbill.example/hooks/billit")

    listed = client.list_webhooks()
    deleted = client.delete_webhook(webhook.webhook_id or 0)

    assert [w.webhook_id for w in listed] == [webhook.webhook_id]
    assert webhook.secret is not None and webhook.secret.get_secret_value() not in repr(webhook)
    assert deleted is True and client.list_webhooks() == []
