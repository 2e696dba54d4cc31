"""Sending pushed invoices to the customer, when asked: by Peppol or e-mail, as the customer prefers.

Peppol goes out only to a customer registered on the network (checked per customer through the port's
peppol_status, once per batch) and with StrictTransportType, so the provider never silently falls back to e-mail.
With validation before sending switched on (PEPPOL_VALIDATE_BEFORE_SEND), a document whose UBL fails the
Peppol rules is not sent over Peppol. E-mail needs the customer's address. Each invoice shows its outcome: sent,
or failed with the reason and the fix.
A send is claimed like a push (send_state "to_send" → "sending" under the invoice's lease) and carries its own
idempotency key, so a repeated task does not send twice.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from haulbill.addressbook.models import Customer, SendMethod
from haulbill.einvoice.checks import validate_before_send
from haulbill.invoicing.models import Invoice, PushState
from haulbill.providers.base import InvoicingProvider, PeppolStatus, ProviderError, ProviderUnavailable
from haulbill.tenancy.models import Company

from . import conf
from .workers import db_retry, new_owner, run_pool

log = logging.getLogger(__name__)

TO_SEND, SENDING, SENT, FAILED, SKIPPED = "to_send", "sending", "sent", "failed", "skipped"
PEPPOL_DOCUMENT_TYPES = {"invoice": "BISv3Invoice", "credit_note": "BISv3CreditNote"}


def request(company: Company, invoice_ids: Iterable[int]) -> int:
    """Ask for these invoices to be sent (after their push, or now when already pushed)."""
    return (
        Invoice.objects.for_company(company)
        .filter(pk__in=list(invoice_ids))
        .exclude(send_state=SENT)
        .update(send_state=TO_SEND, send_error="")
    )


def _claim(company: Company, invoice_id: int, owner: str) -> bool:
    now = timezone.now()
    free = (
        Q(send_state=TO_SEND)
        | Q(send_state=SENDING, push_lease_until__lt=now)
        | Q(send_state=SENDING, push_lease_until__isnull=True)
    )
    return (
        db_retry(
            lambda: (
                Invoice.objects.for_company(company)
                .filter(pk=invoice_id, push_state=PushState.PUSHED)
                .filter(free)
                .update(
                    send_state=SENDING,
                    push_lease_until=now + dt.timedelta(seconds=conf.lease_seconds()),
                    push_lease_owner=owner,
                )
            )
        )
        == 1
    )


def _finish(company: Company, invoice_id: int, owner: str, **fields: Any) -> None:
    fields.setdefault("push_lease_until", None)
    db_retry(
        lambda: (
            Invoice.objects.for_company(company)
            .filter(pk=invoice_id, send_state=SENDING, push_lease_owner=owner)
            .update(**fields)
        )
    )


def send_if_asked(
    company: Company,
    invoice_id: int,
    *,
    provider: InvoicingProvider | None = None,
    owner: str = "",
    peppol_cache: dict[int, PeppolStatus] | None = None,
) -> str:
    """Send one pushed invoice if it is waiting to be sent; the outcome (sent, failed, skipped, or "" if not asked)."""
    from haulbill.providers.registry import provider_for

    owner = owner or new_owner()
    if not _claim(company, invoice_id, owner):
        return ""
    invoice = Invoice.objects.for_company(company).select_related("customer").get(pk=invoice_id)
    customer = invoice.customer
    method = customer.send_method
    if not method:
        _finish(company, invoice_id, owner, send_state=SKIPPED, send_method="",
                send_error=_("Not sent: customer %(name)s is set to push only (no sending).") % {"name": customer.name})  # fmt: skip
        return SKIPPED
    provider = provider or provider_for(company)
    problem = _precheck(customer, invoice.kind, method, provider, peppol_cache)
    if not problem and method == SendMethod.PEPPOL:
        problem = _fails_peppol_validation(invoice)
    if problem:
        _finish(company, invoice_id, owner, send_state=FAILED, send_method=method, send_error=problem)
        return FAILED
    assert provider is not None
    try:
        provider.send(invoice, method)
    except ProviderUnavailable as exc:
        # Transient: back in the queue for the sweeper (the idempotency key prevents a double send).
        _finish(company, invoice_id, owner, send_state=TO_SEND, send_method=method, send_error=exc.message)
        return TO_SEND
    except ProviderError as exc:
        _finish(company, invoice_id, owner, send_state=FAILED, send_method=method, send_error=exc.message)
        return FAILED
    now = timezone.now()
    _finish(company, invoice_id, owner, send_state=SENT, send_method=method, send_error="", sent=True, sent_at=now)
    return SENT


def _precheck(
    customer: Customer,
    kind: str,
    method: str,
    provider: InvoicingProvider | None,
    peppol_cache: dict[int, PeppolStatus] | None,
) -> str:
    """Why this invoice cannot be sent this way, in a sentence that says what to fix; "" when it can."""
    if provider is None:
        return _("No invoicing platform is connected: connect one in Settings › Extensions › Invoicing.")
    if method == SendMethod.EMAIL:
        if not customer.email:
            return _(
                "Not sent: customer %(name)s has no e-mail address. Add one in the address book, then send again."
            ) % {"name": customer.name}
        return ""
    if method != SendMethod.PEPPOL:
        return _("Unknown sending method %(method)s.") % {"method": method}
    cache = peppol_cache if peppol_cache is not None else {}
    status = cache.get(customer.pk)
    if status is None:
        status = cache[customer.pk] = provider.peppol_status(customer)
    if status.state == "not_registered":
        return _(
            "Not sent: customer %(name)s is not registered on Peppol. Send it by e-mail (change the customer's "
            "sending to e-mail) or ask the customer to register, then send again."
        ) % {"name": customer.name}
    if status.state == "unknown":
        return _("Not sent: the Peppol registration of %(name)s could not be checked (%(detail)s).") % {
            "name": customer.name,
            "detail": status.detail or _("no identifier"),
        }
    wanted = PEPPOL_DOCUMENT_TYPES.get(kind, "")
    if status.state == "partial" and status.document_types and wanted not in status.document_types:
        return _("Not sent: customer %(name)s receives Peppol documents but not %(type)s.") % {
            "name": customer.name,
            "type": wanted,
        }
    return ""


def _fails_peppol_validation(invoice: Invoice, shown: int = 3) -> str:
    """Why the invoice's UBL would not pass Peppol validation, with the rules it breaks; "" when it passes or when
    validation before sending is off (settings.PEPPOL_VALIDATE_BEFORE_SEND, see haulbill/einvoice/checks.py).

    Checked before the send command: an access point refuses an invalid document only after it has left, and
    the customer's platform may then reject it silently. E-mail sends the PDF, so it is not checked.
    """
    problems = validate_before_send(invoice)
    if not problems:
        return ""
    listed = "; ".join(problem.message for problem in problems[:shown])
    if len(problems) > shown:
        listed += " " + _("(and %(count)d more)") % {"count": len(problems) - shown}
    return _(
        "Not sent: the e-invoice of %(number)s does not pass Peppol validation: %(problems)s. Correct the invoice "
        "data named there (or send it by e-mail), then send again."
    ) % {"number": invoice.number, "problems": listed}


def send_many(company: Company, invoice_ids: Iterable[int], *, concurrency: int | None = None) -> dict[str, int]:
    """Send every invoice of the list that waits to be sent; one Peppol check per customer."""
    from haulbill.providers.registry import provider_for

    provider = provider_for(company)
    owner = new_owner()
    cache: dict[int, PeppolStatus] = {}
    outcomes: dict[str, int] = {}

    def one(invoice_id: int) -> str:
        return send_if_asked(company, invoice_id, provider=provider, owner=owner, peppol_cache=cache)

    def record(_invoice_id: int, outcome: str) -> None:
        if outcome:
            outcomes[outcome] = outcomes.get(outcome, 0) + 1

    run_pool(one, list(invoice_ids), concurrency or conf.concurrency(), record)
    return outcomes


def send_now(company: Company, invoice_ids: Iterable[int]) -> dict[str, int]:
    """Ask for sending and send at once (pushed invoices only; the others are sent after their push)."""
    ids = list(invoice_ids)
    request(company, ids)
    return send_many(company, ids)
