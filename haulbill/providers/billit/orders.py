"""Our invoices and credit notes as Billit orders: mapping, push exactly once, find by number, statuses, send, PDF.

Exactly once rests on two things Billit gives us. The Idempotency-Key of a push is derived from the document's
identity (company, kind, number), so every retry of the same document — after a timeout, a 5xx, a crash of the
worker, or by a second worker — carries the same key; Billit stores the key only when the order was created and
answers 409 to a replay. The OrderNumber is ours, so after a 409 (or a "number already used") the order is found
again with `$filter=OrderNumber eq '…' and OrderType eq '…'` instead of being created twice.

The port's adapter (provider.BillitProvider) delegates here; this module maps between our models and the client's
typed Billit models and turns Billit's errors into the port's.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.translation import gettext as _

from haulbill.providers.base import (
    ProviderAuthError,
    ProviderNotFound,
    ProviderRejected,
    ProviderUnavailable,
    PushResult,
    RemoteInvoiceStatus,
)
from haulbill.providers.billit.client import BillitClient, Timeouts, idempotency_key_for
from haulbill.providers.billit.errors import (
    BillitAuthError,
    BillitError,
    BillitNotFound,
    BillitUnavailable,
    BillitValidationError,
)
from haulbill.providers.billit.models import BillitFile, Order, OrderLine
from haulbill.providers.billit.retry import RetryPolicy

if TYPE_CHECKING:
    from haulbill.invoicing.models import Invoice

log = logging.getLogger(__name__)
ORDER_TYPES = {"invoice": "Invoice", "credit_note": "CreditNote"}
TRANSPORT_TYPES = {"peppol": "Peppol", "email": "SMTP"}
DUPLICATE_NUMBER_CODES = {"DuplicateOrderNumber"}
# Billit's VentilationCode for our EN 16931 VAT category (README §3.4): none for normal rates and plain 0 % (Z);
# reverse charge (AE) is 21, intra-community (K) 55, export exemption 70, other exemptions and out of scope 22.
VENTILATION_CODES = {"AE": "21", "K": "55", "G": "70", "O": "22"}
EXPORT_EXEMPTION_CODES = {"VATEX-EU-146-1E", "VATEX-EU-G"}
REFUSED_STATES = {"Refused", "Rejected"}
DELIVERED_STATES = {"Delivered", "Accepted"}


# ---------------------------------------------------------------------------------------------------------------
# The client: one per connection and process, shared by the push threads (BillitClient is thread-safe).
# ---------------------------------------------------------------------------------------------------------------
_CLIENTS: OrderedDict[tuple[Any, ...], BillitClient] = OrderedDict()
_CLIENTS_LOCK = threading.Lock()
_MAX_CLIENTS = 32


def retry_policy() -> RetryPolicy:
    """The client's retry budget, from settings (tests and drills shorten it)."""
    return RetryPolicy(
        max_attempts=int(getattr(settings, "BILLIT_RETRY_ATTEMPTS", 5)),
        base_delay=float(getattr(settings, "BILLIT_RETRY_BASE_DELAY", 0.5)),
        max_delay=float(getattr(settings, "BILLIT_RETRY_MAX_DELAY", 8.0)),
        max_total_wait=float(getattr(settings, "BILLIT_RETRY_MAX_TOTAL_WAIT", 30.0)),
        max_retry_after=float(getattr(settings, "BILLIT_RETRY_MAX_RETRY_AFTER", 30.0)),
    )


def client_for(provider: Any) -> BillitClient:
    """A client for the provider's connection, reused across calls so a run keeps its HTTP connections open.

    The cache key holds a digest of the API key (never the key), so a replaced key gets a new client.
    """
    connection = provider.connection
    api_key = connection.api_key
    if not api_key:
        raise ProviderAuthError(_("No Billit API key is stored: connect Billit first."), code="billit_no_key")
    timeout = float(getattr(settings, "BILLIT_TIMEOUT_SECONDS", 30))
    policy = retry_policy()
    concurrency = int(getattr(settings, "BILLIT_CONCURRENCY", 8))
    party = int(connection.party_id) if str(connection.party_id or "").isdigit() else None
    key = (
        connection.pk,
        connection.effective_base_url,
        party,
        hashlib.sha256(api_key.encode()).hexdigest()[:16],
        policy,
        timeout,
        concurrency,
    )
    with _CLIENTS_LOCK:
        client = _CLIENTS.get(key)
        if client is not None:
            _CLIENTS.move_to_end(key)
            return client
        client = BillitClient(
            api_key,
            party,
            base_url=connection.effective_base_url,
            timeouts=Timeouts(connect=min(5.0, timeout), read=timeout, write=timeout),
            retry=policy,
            max_connections=max(10, concurrency * 2),
            shared_throttle=True,  # a 429 pauses every call of this account in the process
        )
        _CLIENTS[key] = client
        while len(_CLIENTS) > _MAX_CLIENTS:
            _old_key, old = _CLIENTS.popitem(last=False)
            old.close()
        return client


@contextmanager
def translated() -> Iterator[None]:
    """Billit's typed errors as the port's; messages come from the client, which keeps the key out of them."""
    try:
        yield
    except BillitAuthError as exc:
        raise ProviderAuthError(
            _("Billit refused the API key, or the key may not act for this company. Paste the key again from "
              "Billit (Profile › Users & API) in Settings › Extensions › Invoicing."),
            remote_code=exc.code,
        ) from None  # fmt: skip
    except BillitNotFound as exc:
        raise ProviderNotFound(_("Billit does not know this record."), remote_code=exc.code) from None
    except BillitValidationError as exc:
        raise ProviderRejected(_billit_message(exc), remote_code=exc.code) from None
    except BillitUnavailable as exc:
        error = ProviderUnavailable(
            _("Billit cannot be reached right now (%(detail)s). Try again in a few minutes.") % {"detail": exc.message},
        )
        error.retry_after = exc.retry_after  # type: ignore[attr-defined]
        raise error from None
    except BillitError as exc:
        # Unreadable answers and other statuses: the call may be repeated safely (keys make writes idempotent).
        raise ProviderUnavailable(exc.message, remote_code=exc.code) from None


def _billit_message(exc: BillitError) -> str:
    """Billit's own sentence(s), e.g. "CustomerID 42 is not a party of this company." """
    described = "; ".join(text or code for code, text in exc.errors if text or code)
    return described or exc.message


# ---------------------------------------------------------------------------------------------------------------
# Mapping
# ---------------------------------------------------------------------------------------------------------------
def order_type(kind: str) -> str:
    return ORDER_TYPES[kind]


def ventilation_code(category: str, exemption_code: str) -> str | None:
    if category == "E":
        return "70" if exemption_code in EXPORT_EXEMPTION_CODES else "22"
    return VENTILATION_CODES.get(category)


def customer_id(invoice: Invoice) -> int:
    remote = (invoice.customer.invoicing_id or "").strip()
    if not remote.isdigit():
        raise ProviderRejected(
            _("Customer %(name)s has no Billit invoicing ID: link the customer to its Billit customer first "
              "(Address book › Linking).") % {"name": invoice.customer.name},
            code="customer_not_linked",
        )  # fmt: skip
    return int(remote)


def ubl_file(invoice: Invoice, lines: list[Any] | None = None) -> BillitFile | None:
    """Our Peppol UBL of the document as a Billit File (Order.Attachments, README §3), so Billit keeps the
    e-invoice Haulbill built beside its own copy. A document that cannot be built as UBL (say a customer without
    any Peppol address) is still pushed, without it: validation before sending is where that stops a document.
    """
    # Imported when pushing, like the invoice models above: this module loads without Django's models.
    from haulbill.einvoice.from_invoice import EInvoiceError, ubl_attachment

    try:
        name, xml = ubl_attachment(invoice, lines)
    except EInvoiceError as exc:
        log.info("%s %s pushed without its UBL: %s", invoice.kind, invoice.number, exc.code)
        return None
    return BillitFile(file_name=name, mime_type="application/xml", file_content=base64.b64encode(xml).decode())


def order_for(invoice: Invoice, lines: list[Any], attachments: list[BillitFile] | None = None) -> Order:
    """The Billit order for a finalised invoice or credit note (amounts positive on both: the type says which)."""
    mentions: list[str] = []
    order_lines: list[OrderLine] = []
    for line in lines:
        if line.vat_exemption_text and line.vat_exemption_text not in mentions:
            mentions.append(line.vat_exemption_text)
        order_lines.append(
            OrderLine(
                quantity=Decimal(line.quantity),
                unit_price_excl=Decimal(line.unit_price),
                description=line.description,
                vat_percentage=Decimal(line.vat_rate),
                ventilation_code=ventilation_code(line.vat_category, line.vat_exemption_code),
                unit=line.unit or None,
                reference=line.item_code or None,
            )
        )
    about = None
    if invoice.kind == "credit_note" and invoice.credited_invoice_id:
        about = invoice.credited_invoice.number if invoice.credited_invoice else None
    return Order(
        order_type=order_type(invoice.kind),
        order_direction="Income",
        order_number=invoice.number,
        order_date=invoice.issue_date,
        expiry_date=invoice.due_date or invoice.issue_date,
        delivery_date=invoice.delivery_date,
        customer_id=customer_id(invoice),
        order_lines=order_lines,
        reference=invoice.buyer_reference or None,
        payment_reference=invoice.payment_reference or None,
        about_invoice_number=about,
        currency=invoice.currency or "EUR",
        comments="\n".join(mentions) or None,
        attachments=attachments or None,
    )


def idempotency_key(invoice: Invoice) -> str:
    """Stable across retries, workers and crashes: the document's identity, nothing that changes per attempt."""
    return idempotency_key_for("billit-order", invoice.company_id, invoice.kind, invoice.number)


# ---------------------------------------------------------------------------------------------------------------
# The port's operations
# ---------------------------------------------------------------------------------------------------------------
def push_invoice(provider: Any, invoice: Invoice) -> PushResult:
    """Create the order once; when Billit already has it (replayed key, number taken by our earlier attempt),
    find it by number and answer it as `already_existed`."""
    if not invoice.number:
        raise ProviderRejected(_("Only a finalised (numbered) invoice can be pushed."), code="invoice_not_finalised")
    lines = list(invoice.lines.select_related("transport").order_by("position", "id"))
    ubl = ubl_file(invoice, lines)
    order = order_for(invoice, lines, [ubl] if ubl is not None else None)
    client = client_for(provider)
    with translated():
        created_id: int | None = None
        try:
            created = client.create_order(order, idempotency_key=idempotency_key(invoice))
            created_id = created.order_id
        except BillitValidationError as exc:
            if exc.code not in DUPLICATE_NUMBER_CODES:
                raise
        if created_id is None:
            remote = client.find_order(invoice.number, order_type(invoice.kind))
            if remote is None:
                raise ProviderUnavailable(
                    _("Billit says invoice %(number)s was already created but does not list it yet; it will be "
                      "looked up again.") % {"number": invoice.number},
                    code="billit_order_not_listed",
                )  # fmt: skip
            _check_same_document(invoice, order, remote)
        else:
            remote = client.get_order(created_id)
        return _result(client, remote, already_existed=created_id is None, with_pdf=True)


def _check_same_document(invoice: Invoice, sent: Order, remote: Order) -> None:
    """A number found in Billit must be our document, not one typed by hand in Billit with the same number."""
    remote_customer = remote.customer_id or remote.counter_party_id
    if remote_customer is not None and remote_customer != sent.customer_id:
        raise ProviderRejected(
            _("Billit already has a %(type)s numbered %(number)s for another customer: that number was used in "
              "Billit directly. Align the numbering in Settings › Invoicing and credit the duplicate.")
            % {"type": remote.order_type or order_type(invoice.kind), "number": invoice.number},
            code="billit_number_used_elsewhere",
        )  # fmt: skip


def find_invoice(provider: Any, number: str, kind: str) -> PushResult | None:
    client = client_for(provider)
    with translated():
        remote = client.find_order(number, order_type(kind))
        return None if remote is None else _result(client, remote, already_existed=True, with_pdf=False)


def download_pdf(provider: Any, order_id: str) -> bytes | None:
    client = client_for(provider)
    with translated():
        return _pdf(client, client.get_order(int(order_id)))


def _result(client: BillitClient, remote: Order, *, already_existed: bool, with_pdf: bool) -> PushResult:
    return PushResult(
        remote_id=str(remote.order_id),
        number=remote.order_number or "",
        total_excl=remote.total_excl,
        total_vat=remote.total_vat,
        total_incl=remote.total_incl,
        pdf=_pdf(client, remote) if with_pdf else None,
        already_existed=already_existed,
    )


def _pdf(client: BillitClient, remote: Order) -> bytes | None:
    """Billit's PDF (OrderPDF.FileID → /v1/files/{id}); a missing file is no reason to fail the push."""
    if remote.order_pdf is None or not remote.order_pdf.file_id:
        return None
    try:
        return client.get_file(remote.order_pdf.file_id).content()
    except BillitNotFound:
        return None


def fetch_statuses(provider: Any, since: datetime | None) -> Iterator[RemoteInvoiceStatus]:
    """Invoices and credit notes changed after `since` (Billit's own LastModified clock, as it wrote it)."""
    client = client_for(provider)
    with translated():
        for remote in client.iter_orders(order_direction="Income", modified_since=since, orderby="LastModified"):
            if remote.order_type in ORDER_TYPES.values():
                yield status_of(remote)


def status_of(remote: Order) -> RemoteInvoiceStatus:
    details = remote.current_document_delivery_details
    delivery_state = (details.document_delivery_status or "") if details else ""
    refused = remote.order_status in REFUSED_STATES or delivery_state in REFUSED_STATES
    refused = refused or bool(details and details.document_refused_date)
    reason = ""
    if refused and details:
        reason = details.document_refused_info or details.document_refused_reason_tc or ""
    delivered = bool(details and details.is_document_delivered) or delivery_state in DELIVERED_STATES
    return RemoteInvoiceStatus(
        remote_id=str(remote.order_id),
        number=remote.order_number or "",
        sent=bool(remote.is_sent) or delivered,
        delivered=delivered and not refused,
        refused=refused,
        refused_reason=reason,
        paid=bool(remote.paid) or remote.order_status == "Paid",
        paid_at=remote.paid_date,
        to_pay=remote.to_pay,
        last_modified=remote.last_modified,
    )


def send(provider: Any, invoice: Invoice, method: str) -> None:
    """Send a pushed order by Peppol (StrictTransportType: no silent fallback to e-mail) or e-mail (SMTP).

    The key names the document and the channel, so a repeated send after a lost answer is not sent twice.
    """
    transport = TRANSPORT_TYPES.get(method)
    if transport is None:
        raise ValueError(f"method must be one of {', '.join(TRANSPORT_TYPES)}")
    if not invoice.provider_order_id:
        raise ProviderRejected(
            _("Invoice %(number)s is not in Billit yet: push it first.") % {"number": invoice.number}
        )
    client = client_for(provider)
    key = idempotency_key_for("billit-send", invoice.company_id, invoice.kind, invoice.number, transport)
    with translated():
        client.send_orders([int(invoice.provider_order_id)], transport, strict=True, idempotency_key=key)  # type: ignore[arg-type]
