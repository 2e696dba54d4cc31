"""Creating and changing transports with their price lines, one at a time or in bulk from a TMS.

Rules kept here, whichever door calls (API, page, import command):
- a transport's customer is one of the company's customers, given by id or by its TMS reference;
- a price line's product is one of the company's products, given by item code; unit and price default to the
  product's when the line leaves them out; a line sent without item code gets the suggested one when it can be
  decided (haulbill.catalog.suggestions), in the same transaction, so the TMS reads it back at once;
- a transport reference is unique in the company (also inside one batch);
- a transport that is invoiced cannot be changed: the invoice would no longer say what was transported
  (credit it first); the row is locked while checking so the invoicing run cannot slip in between;
- a bulk import is all-or-nothing: every row is checked first, every bad row is reported by index and field,
  and only when all rows are good are they written, in one transaction. A TMS can then fix and resend the same
  file without working out which half went in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from haulbill.addressbook.models import Customer
from haulbill.catalog import suggestions
from haulbill.catalog.models import UNIT_CODES, Product
from haulbill.core import audit
from haulbill.core.errors import HaulbillError
from haulbill.tenancy.models import Company

from .models import PriceLine, Transport, TransportStatus

MAX_BULK = 1000


@dataclass
class LineInput:
    description: str = ""
    quantity: Decimal = Decimal("1")
    unit: str = ""
    unit_price: Decimal | None = None
    item_code: str = ""


@dataclass
class TransportInput:
    reference: str = ""
    customer_id: int | None = None
    customer_reference: str = ""
    loading_place: str = ""
    loading_date: dt.date | None = None
    unloading_place: str = ""
    unloading_date: dt.date | None = None
    weight_kg: Decimal | None = None
    distance_km: Decimal | None = None
    status: str = TransportStatus.PLANNED
    lines: list[LineInput] = field(default_factory=list)


TRANSPORT_FIELDS = [
    f.name for f in fields(TransportInput) if f.name not in {"customer_id", "customer_reference", "lines"}
]


class TransportInvalid(HaulbillError):
    """One or more fields are wrong; `fields` lists each as {"field", "message"} (bulk: "rows.<i>.<field>")."""

    def __init__(self, errors: list[dict[str, str]], message: str | None = None) -> None:
        if message is None:
            message = (
                errors[0]["message"] if len(errors) == 1 else _("%(n)d fields are not valid.") % {"n": len(errors)}
            )
        super().__init__("transport_invalid", message, field=errors[0]["field"] if errors else "", status=422)
        self.fields = errors


class _Resolver:
    """Customers and products of one company, loaded once for a whole batch."""

    def __init__(self, company: Company, rows: Sequence[TransportInput]) -> None:
        ids = {r.customer_id for r in rows if r.customer_id is not None and 0 < r.customer_id < 2**63}
        refs = {r.customer_reference for r in rows if r.customer_reference}
        codes = {line.item_code for r in rows for line in r.lines if line.item_code}
        customers = Customer.objects.for_company(company)
        self.by_id = {c.pk: c for c in customers.filter(pk__in=ids)} if ids else {}
        self.by_ref: dict[str, list[Customer]] = {}
        for c in customers.filter(reference__in=refs) if refs else []:
            self.by_ref.setdefault(c.reference, []).append(c)
        self.products: dict[str, list[Product]] = {}
        for p in Product.objects.for_company(company).filter(item_code__in=codes) if codes else []:
            self.products.setdefault(p.item_code, []).append(p)

    def customer(self, row: TransportInput) -> tuple[Customer | None, str, str]:
        """(customer, field, error): exactly one of id and reference must name a customer of this company."""
        if row.customer_id is not None and row.customer_reference:
            return None, "customer_id", _("Give the customer by id or by reference, not both.")
        if row.customer_id is not None:
            found = self.by_id.get(row.customer_id)
            if found is None:
                return None, "customer_id", _("No customer with id %(id)s in your company.") % {"id": row.customer_id}
            return found, "", ""
        if row.customer_reference:
            matches = self.by_ref.get(row.customer_reference, [])
            if not matches:
                return (
                    None,
                    "customer_reference",
                    _("No customer with reference %(ref)s: create the customer first.")
                    % {"ref": row.customer_reference},
                )
            if len(matches) > 1:
                return (
                    None,
                    "customer_reference",
                    _("Several customers have the reference %(ref)s: give the customer id instead.")
                    % {"ref": row.customer_reference},
                )
            return matches[0], "", ""
        return None, "customer_id", _("The customer is required (customer_id or customer_reference).")

    def product(self, item_code: str) -> tuple[Product | None, str]:
        candidates = self.products.get(item_code, [])
        active = [p for p in candidates if p.is_active]
        if len(active) == 1:
            return active[0], ""
        if not candidates:
            return None, _("No product with item code %(code)s: synchronise the catalog or fix the code.") % {
                "code": item_code
            }
        if not active:
            return None, _("The product %(code)s is inactive.") % {"code": item_code}
        return None, _("Several active products have the item code %(code)s.") % {"code": item_code}


def _model_errors(instance: Any, prefix: str, exclude: list[str]) -> list[dict[str, str]]:
    """Length, digits and choices as the model declares them, named by field."""
    try:
        instance.clean_fields(exclude=exclude)
    except ValidationError as exc:
        return [{"field": prefix + name, "message": str(m)} for name, msgs in exc.message_dict.items() for m in msgs]
    return []


def _build(
    company: Company, row: TransportInput, resolver: _Resolver, transport: Transport | None = None
) -> tuple[Transport, list[PriceLine], list[dict[str, str]]]:
    """An unsaved transport and lines from `row` (onto `transport` when updating), with every error found."""
    errors: list[dict[str, str]] = []
    if transport is None:
        transport = Transport(company=company)
    customer, customer_field, customer_error = resolver.customer(row)
    if customer_error:
        errors.append({"field": customer_field, "message": customer_error})
    else:
        transport.customer = customer  # type: ignore[assignment]
    for name in TRANSPORT_FIELDS:
        value = getattr(row, name)
        setattr(transport, name, value.strip() if isinstance(value, str) else value)
    if not transport.reference:
        errors.append({"field": "reference", "message": _("The transport reference is required.")})
    if transport.status not in TransportStatus.values:
        errors.append(
            {
                "field": "status",
                "message": _("Unknown status: use one of %(values)s.") % {"values": ", ".join(TransportStatus.values)},
            }
        )
    if transport.loading_date and transport.unloading_date and transport.unloading_date < transport.loading_date:
        errors.append({"field": "unloading_date", "message": _("The unloading date is before the loading date.")})
    skip = ["company", "customer", "status", "invoicing_status"] + ([] if transport.reference else ["reference"])
    errors += _model_errors(transport, "", skip)

    lines = []
    for position, given in enumerate(row.lines):
        prefix = f"lines.{position}."
        line = PriceLine(
            company=company, position=position, description=given.description.strip(), quantity=given.quantity
        )
        line.unit = given.unit or "C62"
        line.unit_price = given.unit_price if given.unit_price is not None else Decimal("0")
        if given.item_code:
            product, problem = resolver.product(given.item_code)
            if problem:
                errors.append({"field": prefix + "item_code", "message": problem})
            elif product is not None:
                line.product = product
                line.unit = given.unit or product.unit
                line.unit_price = given.unit_price if given.unit_price is not None else product.unit_price
                line.description = line.description or product.name
        if not line.description:
            errors.append(
                {"field": prefix + "description", "message": _("A price line needs a description or an item code.")}
            )
        if line.unit not in UNIT_CODES:
            errors.append(
                {
                    "field": prefix + "unit",
                    "message": _("Unknown unit %(unit)s: use a UN/ECE code such as C62, HUR or KMT.")
                    % {"unit": line.unit},
                }
            )
        errors += _model_errors(line, prefix, ["company", "transport", "product", "unit", "description"])
        lines.append(line)
    return transport, lines, errors


def _reference_taken(company: Company, reference: str, exclude_pk: int | None = None) -> bool:
    qs = Transport.objects.for_company(company).filter(reference=reference)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.exists()


def _taken_message(reference: str) -> str:
    return _("A transport with reference %(ref)s already exists.") % {"ref": reference}


def create_transport(company: Company, row: TransportInput, *, user: Any = None) -> Transport:
    transport, lines, errors = _build(company, row, _Resolver(company, [row]))
    if transport.reference and _reference_taken(company, transport.reference):
        errors.append({"field": "reference", "message": _taken_message(transport.reference)})
    if errors:
        raise TransportInvalid(errors)
    try:
        with transaction.atomic():
            transport.save()
            for line in lines:
                line.transport = transport
            PriceLine.objects.bulk_create(lines)
            suggestions.fill(company, transport_ids=[transport.pk])
            audit.record(
                company, user, audit.TRANSPORT_CREATED, transport, reference=transport.reference, lines=len(lines)
            )
    except IntegrityError as exc:  # the same reference created concurrently
        raise TransportInvalid([{"field": "reference", "message": _taken_message(transport.reference)}]) from exc
    return transport


def update_transport(company: Company, transport: Transport, changes: dict[str, Any], *, user: Any = None) -> Transport:
    """Apply `changes` (TransportInput field names; "lines" replaces every price line) to a transport.

    Refused with 409 "transport_invoiced" once the transport is invoiced.
    """
    unknown = set(changes) - {f.name for f in fields(TransportInput)}
    if unknown:
        raise TransportInvalid(
            [{"field": name, "message": _("This field cannot be changed.")} for name in sorted(unknown)]
        )
    with transaction.atomic():
        locked = Transport.objects.for_company(company).select_for_update().get(pk=transport.pk)
        if not locked.is_editable:
            raise HaulbillError(
                "transport_invoiced",
                _("Transport %(ref)s is already invoiced and cannot be changed. Issue a credit note first.")
                % {"ref": locked.reference},
                field="invoicing_status",
                status=409,
            )
        current = TransportInput(
            customer_id=locked.customer_id,
            **{name: getattr(locked, name) for name in TRANSPORT_FIELDS},
        )
        for name, value in changes.items():
            if name == "customer_reference" and value:
                current.customer_id = None
            if name == "customer_id" and value is not None:
                current.customer_reference = ""
            setattr(current, name, value)
        replace_lines = "lines" in changes
        updated, lines, errors = _build(company, current, _Resolver(company, [current]), transport=locked)
        if updated.reference and _reference_taken(company, updated.reference, exclude_pk=locked.pk):
            errors.append({"field": "reference", "message": _taken_message(updated.reference)})
        if errors:
            raise TransportInvalid(errors)
        updated.save()
        if replace_lines:
            PriceLine.objects.filter(transport=updated).delete()
            for line in lines:
                line.transport = updated
            PriceLine.objects.bulk_create(lines)
            suggestions.fill(company, transport_ids=[updated.pk])
        # Imported here: the invoicing engine builds on transports, not the other way round.
        from haulbill.invoicing import drafts

        drafts.refresh_transport(company, updated.pk)
        audit.record(company, user, audit.TRANSPORT_UPDATED, updated, fields=sorted(changes))
    return updated


@dataclass
class BulkResult:
    created: list[Transport]


def bulk_create_transports(company: Company, rows: Sequence[TransportInput], *, user: Any = None) -> BulkResult:
    """Create up to MAX_BULK transports, all or none (see the module docstring)."""
    if not rows:
        raise TransportInvalid([{"field": "rows", "message": _("Send at least one transport.")}])
    if len(rows) > MAX_BULK:
        raise TransportInvalid(
            [
                {
                    "field": "rows",
                    "message": _("At most %(max)d transports per call; split the batch.") % {"max": MAX_BULK},
                }
            ]
        )
    resolver = _Resolver(company, rows)
    references = [r.reference.strip() for r in rows]
    existing = set(
        Transport.objects.for_company(company)
        .filter(reference__in=[r for r in references if r])
        .values_list("reference", flat=True)
    )
    seen: dict[str, int] = {}
    built: list[tuple[Transport, list[PriceLine]]] = []
    errors: list[dict[str, str]] = []
    for index, row in enumerate(rows):
        transport, lines, row_errors = _build(company, row, resolver)
        ref = transport.reference
        if ref in existing:
            row_errors.append({"field": "reference", "message": _taken_message(ref)})
        elif ref and ref in seen:
            row_errors.append(
                {
                    "field": "reference",
                    "message": _("Reference %(ref)s is also used by row %(other)d of this batch.")
                    % {"ref": ref, "other": seen[ref]},
                }
            )
        seen.setdefault(ref, index)
        errors += [{"field": f"rows.{index}.{e['field']}", "message": e["message"]} for e in row_errors]
        built.append((transport, lines))
    if errors:
        bad_rows = len({e["field"].split(".")[1] for e in errors})
        raise TransportInvalid(
            errors,
            message=_(
                "%(bad)d of %(total)d rows are not valid; nothing was created. Fix them and send the batch again."
            )
            % {"bad": bad_rows, "total": len(rows)},
        )
    try:
        with transaction.atomic():
            transports = Transport.objects.bulk_create([t for t, _lines in built])
            all_lines = []
            for transport, lines in built:
                for line in lines:
                    line.transport = transport
                    all_lines.append(line)
            PriceLine.objects.bulk_create(all_lines, batch_size=500)
            suggestions.fill(company, transport_ids=[t.pk for t in transports])
            audit.record(
                company, user, audit.TRANSPORTS_BULK_CREATED, None, count=len(transports), lines=len(all_lines)
            )
    except IntegrityError as exc:
        raise TransportInvalid(
            [
                {
                    "field": "rows",
                    "message": _("Some references were created meanwhile by another request; nothing was created."),
                }
            ]
        ) from exc
    return BulkResult(created=transports)
