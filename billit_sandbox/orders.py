"""Orders (invoices, credit notes…): totals, numbering, PDF, payments, patching and the send command.

VAT is rounded per VAT group, as Billit's VatGroups and EN 16931 (BR-CO-17) do: each line's TotalExcl is rounded
half-up to the cent, lines are summed per (VATPercentage, VentilationCode), and the group's VAT is the rounded
product of that sum and the rate. The order's TotalVAT is the sum of the group VATs, not of the line VATs (each line
still shows its own rounded TotalVAT for display, which can differ from the header by a cent on many lines).
"""

from __future__ import annotations

import base64
import binascii
import re
import uuid
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from billit_sandbox import identifiers, wire
from billit_sandbox.errors import bad_request, not_found
from billit_sandbox.parties import PartyService
from billit_sandbox.pdf import render_pdf
from billit_sandbox.store import Store

if TYPE_CHECKING:
    from billit_sandbox.api import Context

ORDER_TYPES = ("Invoice", "CreditNote", "Offer", "DeliveryNote", "OrderForm")
DIRECTIONS = ("Income", "Cost")
SEQUENCE_TYPES = ("Income-Invoice", "Income-CreditNote")
PATCHABLE_ORDER = {
    "Paid", "PaidDate", "IsSent", "ApprovalStatus", "AccountCode", "InternalInfo", "Invoiced",
    "AccountantVerificationNeeded", "PaymentMethod", "AnalyticCostBearer", "AnalyticCostCenter", "ExportedToConnector",
}  # fmt: skip
# Fields a client may send on create that the sandbox keeps as given.
COPIED_FIELDS = (
    "OrderTitle", "Reference", "Comments", "InternalInfo", "PaymentReference", "AboutInvoiceNumber", "Currency",
    "PaymentTerms", "PaymentMethod", "VentilationCode", "CustomFields", "Tags", "IBAN", "BIC", "OrderSubType",
    "Journal", "ContractDocumentReference", "AdditionalDocumentReference", "AccountCode", "ApprovalStatus",
)  # fmt: skip
DATE_FIELDS = ("OrderDate", "ExpiryDate", "DeliveryDate", "TaxPointDate", "PeriodFrom", "PeriodTill", "PaidDate")
LINE_FIELDS = (
    "Description", "DescriptionExtended", "Reference", "Code", "Unit", "VentilationCode", "ProductID", "AccountCode",
    "AnalyticCostBearer", "AnalyticCostCenter", "CustomFields", "AllowanceChargeIndicator", "LinkedOrderLineID",
)  # fmt: skip
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
HUNDRED = Decimal(100)


def _now() -> str:
    return wire.format_datetime(datetime.now())


def _decimal(value: Any, name: str) -> Decimal:
    try:
        result = wire.to_decimal(value)
    except (ValueError, InvalidOperation) as exc:
        raise bad_request("GenericError", f"{name} must be a number.") from exc
    if not result.is_finite():
        raise bad_request("GenericError", f"{name} must be a number.")
    return result


def _date(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise bad_request("GenericError", f"{name} must be a date such as 2026-05-06 or 2026-05-06T00:00:00.")
    try:
        return wire.format_datetime(wire.parse_datetime(value))
    except ValueError as exc:
        raise bad_request("GenericError", f"{name} '{value}' is not a valid date.") from exc


class OrderService:
    def __init__(self, store: Store, parties: PartyService, settings: dict[str, Any]) -> None:
        self.store = store
        self.parties = parties
        self.settings = settings

    # reading ------------------------------------------------------------------------------------------------
    def get(self, company_id: int, order_id: int) -> dict[str, Any]:
        order = self.store.get("order", company_id, order_id)
        if order is None:
            raise not_found(f"Order {order_id} was not found.")
        return order

    def present(self, order: dict[str, Any]) -> dict[str, Any]:
        """Overdue and DaysOverdue depend on today, so they are computed when read."""
        expiry = wire.parse_datetime(order["ExpiryDate"]).date()
        days = (date.today() - expiry).days
        overdue = bool(order.get("OrderDirection") == "Income" and not order.get("Paid") and days > 0)
        shown = {k: v for k, v in order.items() if not k.startswith("_")}
        return {**shown, "Overdue": overdue, "DaysOverdue": days if overdue else 0}

    # numbering ----------------------------------------------------------------------------------------------
    def _number_taken(self, company_id: int, order_type: str, number: str, except_id: int | None = None) -> bool:
        return self.store.order_number_taken(company_id, order_type, number, except_id)

    def next_number(self, company_id: int, sequence_type: Any, consume: bool) -> str:
        if sequence_type not in SEQUENCE_TYPES:
            raise bad_request(
                "GenericError", f"SequenceType must be one of {', '.join(SEQUENCE_TYPES)} (got {sequence_type!r})."
            )
        order_type = sequence_type.split("-", 1)[1]
        counter = f"seq:{company_id}:{sequence_type}"
        with self.store.transaction():
            value = self.store.next_value(counter, start=1, consume=False)
            # Skip numbers a client already used by setting OrderNumber itself.
            while self._number_taken(company_id, order_type, str(value)):
                value += 1
            if consume:
                self.store.conn.execute("INSERT OR REPLACE INTO counters VALUES (?, ?)", (counter, value + 1))
        return str(value)

    # create / update ----------------------------------------------------------------------------------------
    def create_or_update(self, context: Context, body: dict[str, Any]) -> int:
        company_id = context.company_id
        existing = None
        if body.get("OrderID"):
            existing = self.get(company_id, int(body["OrderID"]))
        order_type = body.get("OrderType") or (existing or {}).get("OrderType")
        direction = body.get("OrderDirection") or (existing or {}).get("OrderDirection")
        if order_type not in ORDER_TYPES:
            raise bad_request("GenericError", f"OrderType must be one of {', '.join(ORDER_TYPES)}.")
        if direction not in DIRECTIONS:
            raise bad_request("GenericError", "OrderDirection must be 'Income' or 'Cost'.")
        for name in ("OrderDate", "ExpiryDate"):
            if not body.get(name) and not (existing or {}).get(name):
                raise bad_request("GenericError", f"{name} is required.")
        lines_in = body.get("OrderLines") if "OrderLines" in body else (existing or {}).get("OrderLines")
        if not isinstance(lines_in, list) or not lines_in:
            raise bad_request("GenericError", "OrderLines must contain at least one line.")

        counter_party = self._counter_party(company_id, body, direction, existing)
        lines = [self._line(company_id, index, line) for index, line in enumerate(lines_in, start=1)]
        groups, total_excl, total_vat = _vat_groups(lines)

        number = body.get("OrderNumber")
        if number is not None and (not isinstance(number, str) or not number.strip()):
            raise bad_request("GenericError", "OrderNumber must be a non-empty string when given.")
        if number is None and existing is not None:
            number = existing["OrderNumber"]
        order_id = existing["OrderID"] if existing else None
        if number is not None and self._number_taken(company_id, order_type, number, except_id=order_id):
            raise bad_request(
                "DuplicateOrderNumber",
                f"An {order_type} with OrderNumber '{number}' already exists in this company.",
            )
        if number is None:
            if direction == "Income" and f"Income-{order_type}" in SEQUENCE_TYPES:
                number = self.next_number(company_id, f"Income-{order_type}", consume=True)
            else:
                number = str(self.store.next_value(f"seq:{company_id}:{direction}-{order_type}", start=1))

        about = body.get("AboutInvoiceNumber")
        if order_type == "CreditNote" and about and not self._number_taken(company_id, "Invoice", str(about)):
            raise bad_request(
                "GenericError", f"AboutInvoiceNumber '{about}' does not match an invoice of this company."
            )

        attachments = self._attachments(company_id, body, existing)
        now = _now()
        if order_id is None:
            order_id = self.store.next_value("order", start=500001)
        total_incl = total_excl + total_vat
        order: dict[str, Any] = {
            "OrderID": order_id,
            "CompanyID": company_id,
            "OrderNumber": number,
            "OrderType": order_type,
            "OrderDirection": direction,
            "Currency": "EUR",
            "OrderLines": lines,
            "VatGroups": groups,
            "TotalExcl": total_excl,
            "TotalVAT": total_vat,
            "TotalIncl": total_incl,
            "ToPay": total_incl,
            "Paid": False,
            "PaidDate": None,
            "IsSent": False,
            "Invoiced": False,
            "OrderStatus": "ToSend",
            "Attachments": attachments,
            "Messages": [],
            "CurrentDocumentDeliveryDetails": None,
            "Created": now,
            "LastModified": now,
        }
        for name in ("OrderDate", "ExpiryDate"):
            order[name] = _date(body.get(name) or existing[name], name)  # type: ignore[index]
        for name in DATE_FIELDS[2:]:
            if body.get(name):
                order[name] = _date(body[name], name)
        for name in COPIED_FIELDS:
            if name in body:
                order[name] = body[name]
        if existing is not None:
            for keep in ("Created", "Paid", "PaidDate", "IsSent", "Invoiced", "OrderStatus", "Messages",
                         "CurrentDocumentDeliveryDetails", "_payments"):  # fmt: skip
                order[keep] = existing.get(keep)
            paid_so_far = sum((Decimal(str(p)) for p in existing.get("_payments") or []), Decimal(0))
            order["ToPay"] = Decimal(0) if order["Paid"] else total_incl - paid_so_far
        order.update(counter_party)
        order["OrderPDF"] = self._pdf(company_id, order)
        self.store.put("order", company_id, order_id, order)
        context.events.append(("Order", "U" if existing else "I", order))
        return int(order_id)

    def _attachments(self, company_id: int, body: dict[str, Any], existing: dict[str, Any] | None) -> list[Any]:
        """Files sent with the order (File: FileName, FileContent in base64, MimeType), stored like the PDF and
        answered as {FileID, FileName, MimeType}; an update without Attachments keeps the earlier ones."""
        raw = body.get("Attachments")
        if raw is None:
            return list((existing or {}).get("Attachments") or [])
        if not isinstance(raw, list):
            raise bad_request("GenericError", "Attachments must be a list of files.")
        files: list[tuple[str, str, bytes]] = []
        for index, item in enumerate(raw, start=1):
            name = item.get("FileName") if isinstance(item, dict) else None
            content = item.get("FileContent") if isinstance(item, dict) else None
            if not isinstance(name, str) or not name.strip() or not isinstance(content, str):
                raise bad_request("GenericError", f"Attachments[{index}] needs a FileName and a FileContent.")
            try:
                data = base64.b64decode(content, validate=True)
            except (binascii.Error, ValueError) as exc:
                raise bad_request("GenericError", f"Attachments[{index}].FileContent is not base64.") from exc
            files.append((name, str(item.get("MimeType") or "application/octet-stream"), data))
        stored = []
        for name, mime, data in files:
            file_id = str(uuid.uuid4())
            self.store.put_file(file_id, company_id, name, mime, data)
            stored.append({"FileID": file_id, "FileName": name, "MimeType": mime})
        return stored

    def _counter_party(
        self, company_id: int, body: dict[str, Any], direction: str, existing: dict[str, Any] | None
    ) -> dict[str, Any]:
        role = "Customer" if direction == "Income" else "Supplier"
        party_id = body.get(f"{role}ID")
        embedded = body.get(role)
        if party_id:
            party = self.store.get("party", company_id, int(party_id))
            if party is None:
                raise bad_request("GenericError", f"{role}ID {party_id} is not a party of this company.")
        elif isinstance(embedded, dict):
            pid, _created = self.parties.create_or_update(company_id, {"PartyType": role, **embedded})
            party = self.store.get("party", company_id, pid)
        elif existing is not None:
            return {k: existing.get(k) for k in (f"{role}ID", role, "CounterPartyID", "CounterParty")}
        elif direction == "Income":
            raise bad_request("GenericError", "Customer (object) or CustomerID is required for an Income order.")
        else:
            return {}
        assert party is not None
        return {f"{role}ID": party["PartyID"], role: party, "CounterPartyID": party["PartyID"], "CounterParty": party}

    def _line(self, company_id: int, index: int, raw: Any) -> dict[str, Any]:
        if not isinstance(raw, dict):
            raise bad_request("GenericError", f"OrderLines[{index}] must be an object.")
        line: dict[str, Any] = {"OrderLineID": index}
        product = None
        if raw.get("ProductID"):
            product = self.store.get("product", company_id, int(raw["ProductID"]))
            if product is None:
                raise bad_request("GenericError", f"OrderLines[{index}].ProductID {raw['ProductID']} does not exist.")
        for name in LINE_FIELDS:
            if raw.get(name) is not None:
                line[name] = raw[name]
        if product:
            line.setdefault("Description", product.get("Description"))
            line.setdefault("Reference", product.get("Reference"))
            line.setdefault("Unit", product.get("Unit"))
        quantity = _decimal(raw.get("Quantity", 1), f"OrderLines[{index}].Quantity")
        price_raw = raw.get("UnitPriceExcl", product.get("AmountExcl") if product else None)
        if price_raw is None:
            raise bad_request("GenericError", f"OrderLines[{index}].UnitPriceExcl is required.")
        price = _decimal(price_raw, f"OrderLines[{index}].UnitPriceExcl")
        vat_raw = raw.get("VATPercentage", product.get("VAT") if product else None)
        if vat_raw is None:
            hint = " (the product's VAT is set per customer)" if product else ""
            raise bad_request("GenericError", f"OrderLines[{index}].VATPercentage is required{hint}.")
        vat = _decimal(vat_raw, f"OrderLines[{index}].VATPercentage")
        if vat < 0 or vat > 100:
            raise bad_request("GenericError", f"OrderLines[{index}].VATPercentage must be between 0 and 100.")
        reduction = _decimal(raw.get("ReductionPercentage") or 0, f"OrderLines[{index}].ReductionPercentage")
        if not line.get("Description"):
            raise bad_request("GenericError", f"OrderLines[{index}].Description is required.")
        excl = wire.round_money(quantity * price * (HUNDRED - reduction) / HUNDRED)
        line_vat = wire.round_money(excl * vat / HUNDRED)
        line.update(
            {
                "Quantity": quantity,
                "UnitPriceExcl": price,
                "VATPercentage": vat,
                "ReductionPercentage": reduction,
                "TotalExcl": excl,
                "TotalVAT": line_vat,
                "TotalIncl": excl + line_vat,
            }
        )
        return line

    def _pdf(self, company_id: int, order: dict[str, Any]) -> dict[str, Any]:
        company = self.store.get("company", company_id, company_id) or {}
        customer = order.get("CounterParty") or {}
        text = [
            f"{company.get('Name', '')}  {company.get('VATNumber', '')}",
            "",
            f"{order['OrderType']} {order['OrderNumber']}",
            f"Date: {order['OrderDate'][:10]}   Due: {order['ExpiryDate'][:10]}",
            f"Customer: {customer.get('Name', '')} {customer.get('VATNumber') or ''}",
            "",
        ]
        for line in order["OrderLines"]:
            text.append(
                f"{line['Quantity']} x {line['Description']} @ {line['UnitPriceExcl']}  "
                f"VAT {line['VATPercentage']}%  = {line['TotalExcl']}"
            )
        text += ["", f"Total excl. VAT: {order['TotalExcl']}", f"VAT: {order['TotalVAT']}",
                 f"Total incl. VAT: {order['TotalIncl']} {order.get('Currency', 'EUR')}"]  # fmt: skip
        file_id = str(uuid.uuid4())
        name = f"{order['OrderType']}_{order['OrderNumber']}.pdf".replace("/", "-")
        self.store.put_file(file_id, company_id, name, "application/pdf", render_pdf(text, title=name))
        return {"FileID": file_id, "FileName": name, "MimeType": "application/pdf"}

    # patch, delete, payments --------------------------------------------------------------------------------
    def patch(self, context: Context, order_id: int, delta: dict[str, Any]) -> None:
        order = self.get(context.company_id, order_id)
        refused = sorted(set(delta) - PATCHABLE_ORDER)
        if refused or not delta:
            raise bad_request(
                "GenericError",
                "No valid properties or values were supplied: "
                + (f"{', '.join(refused)} cannot be patched on an order." if refused else "the body is empty."),
            )
        for flag in ("Paid", "IsSent", "Invoiced", "AccountantVerificationNeeded", "ExportedToConnector"):
            if flag in delta and not isinstance(delta[flag], bool):
                raise bad_request("GenericError", f"{flag} must be true or false.")
        if "PaidDate" in delta and delta["PaidDate"] is not None:
            delta["PaidDate"] = _date(delta["PaidDate"], "PaidDate")
        order.update(delta)
        if "Paid" in delta:
            if delta["Paid"]:
                order["ToPay"] = Decimal(0)
                order["PaidDate"] = order.get("PaidDate") or _now()[:10] + "T00:00:00"
            else:
                order["ToPay"] = order["TotalIncl"]
                order["PaidDate"] = None
        order["OrderStatus"] = _status(order)
        order["LastModified"] = _now()
        self.store.put("order", context.company_id, order_id, order)
        context.events.append(("Order", "U", order))

    def delete(self, company_id: int, order_id: int) -> None:
        order = self.get(company_id, order_id)
        if order.get("IsSent"):
            raise bad_request("GenericError", "A sent order cannot be deleted; make a credit note instead.")
        self.store.delete("order", company_id, order_id)
        order["LastModified"] = _now()
        self.store.put("deleted_order", company_id, order_id, order)

    def add_payment(self, context: Context, order_id: int, body: dict[str, Any]) -> None:
        order = self.get(context.company_id, order_id)
        amount = _decimal(body.get("Amount"), "Amount")
        if amount <= 0:
            raise bad_request("GenericError", "Amount must be greater than zero.")
        paid_on = _date(body["Date"], "Date") if body.get("Date") else _now()[:10] + "T00:00:00"
        order["_payments"] = [*(order.get("_payments") or []), str(amount)]
        # Overpayment leaves ToPay at zero rather than negative (Billit's behaviour here is undocumented).
        order["ToPay"] = max(Decimal(order["ToPay"]) - amount, Decimal(0))
        if order["ToPay"] == 0:
            order["Paid"] = True
            order["PaidDate"] = paid_on
        order["OrderStatus"] = _status(order)
        order["LastModified"] = _now()
        self.store.put("order", context.company_id, order_id, order)
        context.events.append(("Order", "U", order))

    # sending ------------------------------------------------------------------------------------------------
    def send(self, context: Context, body: dict[str, Any], strict: bool) -> None:
        """All orders are checked before any is marked sent, so one unreachable customer sends nothing."""
        fields = {key.lower(): value for key, value in body.items()}
        ids = fields.get("orderids")
        transport = fields.get("transporttype")
        if not isinstance(ids, list) or not ids or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
            raise bad_request("GenericError", "OrderIds must be a non-empty list of order ids.")
        if not isinstance(transport, str) or transport.lower() not in ("peppol", "smtp", "letter"):
            raise bad_request("GenericError", "TransportType must be 'Peppol' or 'SMTP' in the sandbox.")
        if transport.lower() == "letter":
            raise bad_request("GenericError", "TransportType 'Letter' is only available in production.")
        plan: list[tuple[dict[str, Any], str, str]] = []
        for order_id in ids:
            order = self.get(context.company_id, order_id)
            party = self._current_party(context.company_id, order)
            name = party.get("Name") or ""
            if transport.lower() == "peppol":
                if order["OrderType"] not in ("Invoice", "CreditNote"):
                    raise bad_request(
                        "TheCustomerDoesNotSupportPeppolForType_0",
                        f"The customer does not support Peppol for type {order['OrderType']}.",
                    )
                destination = self._peppol_destination(party)
                if destination is not None:
                    plan.append((order, "Peppol", destination))
                    continue
                fallback = self.settings.get("email_fallback") and not strict
                if fallback and EMAIL.match(party.get("Email") or ""):
                    plan.append((order, "SMTP", party["Email"]))
                    continue
                raise bad_request("TheCustomerIsNotActiveOnPeppol", f"The customer {name} is not active on Peppol.")
            email = party.get("Email") or ""
            if not EMAIL.match(email):
                raise bad_request(
                    "TheCustomer_0_DoesNotHaveAValidEmailAddress",
                    f"The customer {name} does not have a valid email address.",
                )
            plan.append((order, "SMTP", email))
        now = _now()
        for order, channel, destination in plan:
            message = {
                "OrderID": order["OrderID"],
                "Description": f"Sent by {channel} to {destination}",
                "FileID": order["OrderPDF"]["FileID"],
                "CreationDate": now,
                "TransportType": channel,
                "Success": True,
                "Trials": 1,
                "Destination": destination,
                "MessageDirection": "Outgoing",
            }
            order["Messages"] = [*(order.get("Messages") or []), message]
            order["IsSent"] = True
            order["CurrentDocumentDeliveryDetails"] = {
                "DocumentDeliveryDate": now,
                "DocumentDeliveryInfo": f"{channel}: {destination}",
                "IsDocumentDelivered": channel == "SMTP",
                "DocumentDeliveryStatus": "Delivered" if channel == "SMTP" else "Sent",
                "DocumentRefusedDate": None,
                "DocumentRefusedReasonTC": None,
                "DocumentRefusedInfo": None,
            }
            order["OrderStatus"] = _status(order)
            order["LastModified"] = now
            self.store.put("order", context.company_id, order["OrderID"], order)
            context.events.append(("Order", "U", order))
            context.events.append(("Message", "I", message))

    def _current_party(self, company_id: int, order: dict[str, Any]) -> dict[str, Any]:
        party_id = order.get("CounterPartyID")
        party = self.store.get("party", company_id, int(party_id)) if party_id else None
        return party or order.get("CounterParty") or {}

    def _peppol_destination(self, party: dict[str, Any]) -> str | None:
        candidates = [party.get("PeppolIdentifier"), party.get("VATNumber")]
        candidates += [i.get("Identifier") for i in party.get("Identifiers") or [] if isinstance(i, dict)]
        for candidate in candidates:
            if isinstance(candidate, str) and candidate.strip():
                canonical = identifiers.canonical(candidate)
                if self.store.is_participant(canonical):
                    return canonical
        return None


def _status(order: dict[str, Any]) -> str:
    if order.get("Paid"):
        return "Paid"
    return "ToPay" if order.get("IsSent") else "ToSend"


def _vat_groups(lines: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], Decimal, Decimal]:
    sums: dict[tuple[Decimal, str | None], Decimal] = {}
    for line in lines:
        key = (line["VATPercentage"].normalize(), line.get("VentilationCode"))
        sums[key] = sums.get(key, Decimal(0)) + line["TotalExcl"]
    groups = []
    total_excl = Decimal("0.00")
    total_vat = Decimal("0.00")
    for (rate, code), excl in sums.items():
        vat = wire.round_money(excl * rate / HUNDRED)
        groups.append(
            {
                "VentilationCode": code,
                "VATPercentage": rate,
                "TotalExcl": excl,
                "TotalVAT": vat,
                "TotalIncl": excl + vat,
            }
        )
        total_excl += excl
        total_vat += vat
    return groups, total_excl, total_vat
