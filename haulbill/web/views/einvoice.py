"""E-invoice doors on the pages: the UBL download of an invoice, and the Peppol reachability of a customer."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from haulbill.addressbook.models import Customer
from haulbill.einvoice.from_invoice import EInvoiceError, ubl_attachment
from haulbill.einvoice.reachability import peppol_reachability
from haulbill.invoicing.models import Invoice
from haulbill.tenancy.models import Role
from haulbill.tenancy.scoping import get_for_company_or_404
from haulbill.web.access import member_required


@member_required(Role.VIEWER)
def invoice_ubl(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = get_for_company_or_404(request.company, Invoice, pk=pk)  # type: ignore[attr-defined]
    try:
        filename, xml = ubl_attachment(invoice)
    except EInvoiceError as exc:
        return render(request, "web/einvoice/unavailable.html", {"invoice": invoice, "error": exc}, status=exc.status)
    response = HttpResponse(xml, content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@member_required(Role.VIEWER)
def customer_peppol(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_for_company_or_404(request.company, Customer, pk=pk)  # type: ignore[attr-defined]
    status = peppol_reachability(request.company, customer)  # type: ignore[attr-defined]
    return render(request, "web/einvoice/peppol_status.html", {"customer": customer, "status": status})
