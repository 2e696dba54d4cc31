"""Hand a finalised document to the company's provider and record what came back.

Idempotent by state: only a document "to push" (or failed) is claimed, with a conditional update, so a repeated
task does not push twice. The provider copies our number; its totals are compared with ours and a difference is
flagged on the invoice instead of being silently accepted.
"""

from __future__ import annotations

import logging
from decimal import Decimal

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from haulbill.providers.base import ProviderError
from haulbill.tenancy.models import Company

from .models import Invoice, InvoiceStatus, PushState

log = logging.getLogger(__name__)


def push(company: Company, invoice_id: int) -> Invoice:
    from haulbill.providers.registry import provider_for

    claimed = (
        Invoice.objects.for_company(company)
        .filter(pk=invoice_id, status=InvoiceStatus.FINALISED, push_state__in=[PushState.TO_PUSH, PushState.FAILED])
        .update(push_state=PushState.PUSHING, push_attempts=F("push_attempts") + 1)
    )
    invoice = Invoice.objects.for_company(company).select_related("customer", "credited_invoice").get(pk=invoice_id)
    if not claimed:
        return invoice
    provider = provider_for(company)
    if provider is None:
        invoice.push_state = PushState.FAILED
        invoice.push_error = _("No invoicing platform is connected.")
        invoice.save(update_fields=["push_state", "push_error"])
        return invoice
    try:
        result = provider.push_invoice(invoice)
    except ProviderError as exc:
        log.warning("push of invoice %s failed: %s", invoice.pk, exc.code)
        invoice.push_state = PushState.FAILED
        invoice.push_error = exc.message
        invoice.save(update_fields=["push_state", "push_error"])
        return invoice
    fields = ["push_state", "push_error", "provider_order_id", "provider_number", "provider_totals", "totals_mismatch"]
    invoice.push_state = PushState.PUSHED
    invoice.push_error = ""
    invoice.provider_order_id = result.remote_id
    invoice.provider_number = result.number
    invoice.provider_totals = {
        "excl": _str(result.total_excl),
        "vat": _str(result.total_vat),
        "incl": _str(result.total_incl),
    }
    invoice.totals_mismatch = any(
        theirs is not None and theirs != ours
        for theirs, ours in [
            (result.total_excl, invoice.total_excl),
            (result.total_vat, invoice.total_vat),
            (result.total_incl, invoice.total_incl),
        ]
    )
    if result.pdf:
        invoice.pdf = result.pdf
        invoice.pdf_rendered_at = timezone.now()
        fields += ["pdf", "pdf_rendered_at"]
    invoice.save(update_fields=fields)
    return invoice


def _str(value: Decimal | None) -> str | None:
    return None if value is None else str(value)
