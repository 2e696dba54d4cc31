"""The invoice PDF, rendered locally with WeasyPrint in the customer's language."""

from __future__ import annotations

import base64
import mimetypes
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation

from .models import Invoice, InvoiceLine
from .totals import VatGroup


def _logo_data_uri(company: Any) -> str:
    """The logo inlined, so rendering needs no file access by URL (and no network)."""
    logo = getattr(company, "logo", None)
    if not logo:
        return ""
    try:
        with logo.open("rb") as fh:
            data = fh.read()
    except (OSError, ValueError):
        return ""
    mime = mimetypes.guess_type(logo.name)[0] or "image/png"
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


def _name_with_form(party: dict[str, Any]) -> str:
    name, form = party.get("name", ""), party.get("legal_form", "")
    return name if not form or name.endswith(form) else f"{name} {form}"


def render_html(invoice: Invoice) -> str:
    lines = list(InvoiceLine.objects.for_company(invoice.company).filter(invoice=invoice).order_by("position", "id"))
    breakdown = [VatGroup.from_json(g) for g in invoice.vat_breakdown]
    mentions = sorted({g.exemption_text for g in breakdown if g.exemption_text})
    with translation.override(invoice.language or invoice.buyer.get("language") or "en"):
        return render_to_string(
            "invoicing/pdf/invoice.html",
            {
                "invoice": invoice,
                "seller": invoice.seller,
                "seller_name": _name_with_form(invoice.seller),
                "buyer": invoice.buyer,
                "lines": lines,
                "breakdown": breakdown,
                "mentions": mentions,
                "logo": _logo_data_uri(invoice.company),
                "credited": invoice.credited_invoice,
            },
        )


def render_pdf(invoice: Invoice) -> bytes:
    import weasyprint

    return bytes(weasyprint.HTML(string=render_html(invoice)).write_pdf())
