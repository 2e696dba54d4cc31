"""Draft (pro forma) pages: list, one draft with its edit forms, the pro forma PDF, and the draft actions.

Views parse input and render; every rule is in haulbill.invoicing.drafts. Action URLs answer GET with a small
confirmation or form page, so each can be opened (and checked) on its own.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from haulbill.catalog.models import UNIT_CHOICES
from haulbill.catalog.suggestions import assignable_products
from haulbill.core.errors import HaulbillError
from haulbill.invoicing import drafts
from haulbill.invoicing.models import Invoice, InvoiceKind, InvoiceLine, InvoiceStatus
from haulbill.tenancy.models import Role
from haulbill.tenancy.scoping import get_for_company_or_404
from haulbill.web.access import member_required
from haulbill.web.paging import paginate


def _draft(request: HttpRequest, pk: int) -> Invoice:
    return get_for_company_or_404(
        request.company,  # type: ignore[attr-defined]
        Invoice,
        pk=pk,
        status=InvoiceStatus.DRAFT,
        kind=InvoiceKind.INVOICE,
    )


def _draft_line(request: HttpRequest, pk: int) -> InvoiceLine:
    return get_for_company_or_404(
        request.company,  # type: ignore[attr-defined]
        InvoiceLine,
        pk=pk,
        invoice__status=InvoiceStatus.DRAFT,
        invoice__kind=InvoiceKind.INVOICE,
    )


def _decimal(raw: str | None, field: str) -> Decimal:
    try:
        value = Decimal((raw or "").strip().replace(",", "."))
    except InvalidOperation as exc:
        raise HaulbillError(
            "number_invalid", _("“%(value)s” is not a number.") % {"value": raw or ""}, field=field
        ) from exc
    if not value.is_finite():
        raise HaulbillError("number_invalid", _("“%(value)s” is not a number.") % {"value": raw or ""}, field=field)
    return value


def _product_id(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() else None


def _can_edit(request: HttpRequest) -> bool:
    return bool(request.membership.has_role(Role.INVOICER))  # type: ignore[attr-defined]


@member_required()
def draft_list(request: HttpRequest) -> HttpResponse:
    return render(request, "web/drafts/list.html", {"page": paginate(request, drafts.drafts(request.company))})  # type: ignore[attr-defined]


@member_required()
def draft_detail(request: HttpRequest, pk: int) -> HttpResponse:
    company = request.company  # type: ignore[attr-defined]
    invoice = _draft(request, pk)
    return render(
        request,
        "web/drafts/detail.html",
        {
            "invoice": invoice,
            "view": drafts.draft_page(company, invoice),
            "can_edit": _can_edit(request),
            "products": assignable_products(company),
            "units": UNIT_CHOICES,
        },
    )


@member_required()
def draft_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = _draft(request, pk)
    response = HttpResponse(drafts.pro_forma_pdf(request.company, invoice), content_type="application/pdf")  # type: ignore[attr-defined]
    response["Content-Disposition"] = f'inline; filename="pro-forma-{invoice.pk}.pdf"'
    return response


@member_required(Role.INVOICER)
def line_add(request: HttpRequest, pk: int) -> HttpResponse:
    company = request.company  # type: ignore[attr-defined]
    invoice = _draft(request, pk)
    view = drafts.draft_page(company, invoice)
    if request.method == "POST":
        try:
            transport = _product_id(request.POST.get("transport"))
            drafts.add_line(
                company, invoice.pk,
                description=request.POST.get("description", ""),
                quantity=_decimal(request.POST.get("quantity") or "1", "quantity"),
                unit_price=_decimal(request.POST.get("unit_price"), "unit_price"),
                unit=request.POST.get("unit") or "C62",
                product_id=_product_id(request.POST.get("product")),
                transport_id=transport,
            )  # fmt: skip
        except HaulbillError as exc:
            return _line_form(request, invoice=invoice, line=None, transports=view.transports, error=exc)
        else:
            messages.success(request, _("Line added; the pro forma follows."))
            return redirect("draft-detail", pk=invoice.pk)
    return _line_form(request, invoice=invoice, line=None, transports=view.transports)


@member_required(Role.INVOICER)
def line_edit(request: HttpRequest, pk: int) -> HttpResponse:
    company = request.company  # type: ignore[attr-defined]
    line = _draft_line(request, pk)
    if request.method == "POST":
        try:
            changes: dict[str, object] = {"description": request.POST.get("description", "")}
            if not (line.price_line_id and line.price_line and line.price_line.is_fuel_surcharge):
                changes.update(
                    quantity=_decimal(request.POST.get("quantity"), "quantity"),
                    unit_price=_decimal(request.POST.get("unit_price"), "unit_price"),
                    unit=request.POST.get("unit") or line.unit,
                    product_id=_product_id(request.POST.get("product")),
                )
            drafts.edit_line(company, line.pk, **changes)
        except HaulbillError as exc:
            return _line_form(request, invoice=line.invoice, line=line, error=exc)
        else:
            messages.success(request, _("Line saved; the pro forma follows."))
            return redirect("draft-detail", pk=line.invoice_id)
    return _line_form(request, invoice=line.invoice, line=line)


LINE_FIELDS = ("description", "transport", "quantity", "unit", "unit_price", "product")


def _line_form(request: HttpRequest, *, invoice: Invoice, line: InvoiceLine | None, transports: object = (),
               error: HaulbillError | None = None) -> HttpResponse:  # fmt: skip
    """The add/edit form of a line. A refused line comes back as typed, its error next to the field it is about."""
    if error is None:
        values = {
            "description": line.description if line else "",
            "quantity": floatformat(line.quantity, "-3") if line else "1",
            "unit": line.unit if line else "",
            "unit_price": floatformat(line.unit_price, "-4") if line else "",
            "product": str(line.product_id or "") if line else "",
            "transport": "",
        }
    else:
        values = {name: request.POST.get(name, "") for name in LINE_FIELDS}
    errors = {}
    if error is not None:
        if error.field in LINE_FIELDS:
            errors[error.field] = error.message
        else:
            messages.error(request, error.message)
    return render(request, "web/drafts/line_form.html", {
        "invoice": invoice, "line": line, "transports": transports, "values": values, "errors": errors,
        "products": assignable_products(request.company), "units": UNIT_CHOICES,  # type: ignore[attr-defined]
    }, status=400 if error is not None else 200)  # fmt: skip


@member_required(Role.INVOICER)
def line_remove(request: HttpRequest, pk: int) -> HttpResponse:
    line = _draft_line(request, pk)
    if request.method == "POST":
        try:
            drafts.remove_line(request.company, line.pk)  # type: ignore[attr-defined]
        except HaulbillError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Line removed."))
        return redirect("draft-detail", pk=line.invoice_id)
    return render(request, "web/drafts/confirm.html", {
        "invoice": line.invoice,
        "question": _("Remove the line “%(line)s”? A transport's price line is removed from the transport too.") % {"line": line.description},
        "button": _("Remove the line"),
    })  # fmt: skip


@member_required(Role.INVOICER)
def transports_add(request: HttpRequest, pk: int) -> HttpResponse:
    company = request.company  # type: ignore[attr-defined]
    invoice = _draft(request, pk)
    if request.method == "POST":
        ids = [int(v) for v in request.POST.getlist("transport") if v.isdigit()]
        try:
            drafts.add_transports(company, invoice.pk, ids, user=request.user)
        except HaulbillError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                ngettext("%(n)d transport added to the draft.", "%(n)d transports added to the draft.", len(ids))
                % {"n": len(ids)},
            )
            return redirect("draft-detail", pk=invoice.pk)
    return render(
        request,
        "web/drafts/transports.html",
        {"invoice": invoice, "transports": drafts.addable_transports(company, invoice)},
    )


@member_required(Role.INVOICER)
def draft_ungroup(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = _draft(request, pk)
    if request.method == "POST":
        try:
            out = drafts.ungroup(request.company, invoice.pk)  # type: ignore[attr-defined]
        except HaulbillError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The draft was split into %(n)d drafts, one per transport.") % {"n": len(out)})
            return redirect("drafts")
        return redirect("draft-detail", pk=invoice.pk)
    return render(request, "web/drafts/confirm.html", {
        "invoice": invoice, "question": _("Split this draft into one draft per transport?"), "button": _("Ungroup by transport"),
    })  # fmt: skip


@member_required(Role.INVOICER)
def draft_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = _draft(request, pk)
    if request.method == "POST":
        try:
            freed = drafts.cancel(request.company, invoice.pk)  # type: ignore[attr-defined]
        except HaulbillError as exc:
            messages.error(request, exc.message)
            return redirect("draft-detail", pk=invoice.pk)
        messages.success(
            request,
            ngettext(
                "Draft cancelled: %(n)d transport waits for the next invoicing run.",
                "Draft cancelled: %(n)d transports wait for the next invoicing run.",
                len(freed),
            )
            % {"n": len(freed)},
        )
        return redirect("drafts")
    return render(request, "web/drafts/confirm.html", {
        "invoice": invoice,
        "question": _("Cancel this draft? It is deleted and its transports return to the invoicing queue."),
        "button": _("Cancel the draft"),
    })  # fmt: skip
