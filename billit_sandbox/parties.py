"""Parties (customers, suppliers) and products: create-or-update, matching, patchable fields."""

from __future__ import annotations

import re
from typing import Any

from billit_sandbox import wire
from billit_sandbox.errors import bad_request, not_found
from billit_sandbox.seed import party_document, product_document
from billit_sandbox.store import Store

# DOCS:patchable-properties, plus Email (listed by a public client; the doc table has a blank row there).
PATCHABLE_PARTY = {
    "GLAccountCode", "GLDefaultExpiryOffset", "Nr", "ExternalProviderTC", "ExternalProviderID", "Name",
    "CommercialName", "ContactFirstName", "ContactLastName", "CountryCode", "City", "Street", "StreetNumber",
    "Zipcode", "Box", "Phone", "Mobile", "Fax", "VATNumber", "IBAN", "Language", "VATLiable", "Email",
}  # fmt: skip
READ_ONLY_PARTY = {"DisplayName", "Created", "LastModified"}
_VAT = re.compile(r"^[A-Z]{2}[0-9A-Z+*.]{2,13}$")


def _now() -> str:
    from billit_sandbox.api import now_text

    return now_text()


class PartyService:
    def __init__(self, store: Store) -> None:
        self.store = store

    def find_match(self, company_id: int, fields: dict[str, Any]) -> dict[str, Any] | None:
        """Billit matches an incoming party on VAT number, then e-mail, then customer Nr."""
        party_type = fields.get("PartyType") or "Customer"
        candidates = [p for p in self.store.list("party", company_id) if p.get("PartyType") == party_type]
        for key in ("VATNumber", "Email", "Nr"):
            wanted = _norm(fields.get(key))
            if wanted:
                for party in candidates:
                    if _norm(party.get(key)) == wanted:
                        return party
        return None

    def validate(self, fields: dict[str, Any]) -> None:
        if not isinstance(fields.get("Name"), str) or not fields["Name"].strip():
            raise bad_request("GenericError", "Name is required for a party.")
        if fields.get("PartyType") not in (None, "Customer", "Supplier"):
            raise bad_request("GenericError", "PartyType must be 'Customer' or 'Supplier'.")
        vat = fields.get("VATNumber")
        if vat not in (None, "") and (not isinstance(vat, str) or not _VAT.match(vat.replace(" ", "").upper())):
            raise bad_request("GenericError", f"VATNumber '{vat}' is not a VAT number (country prefix + number).")

    def create_or_update(self, company_id: int, fields: dict[str, Any]) -> tuple[int, bool]:
        fields = {k: v for k, v in fields.items() if k not in READ_ONLY_PARTY}
        party_id = fields.get("PartyID")
        if party_id:
            existing = self.store.get("party", company_id, int(party_id))
            if existing is None:
                raise not_found(f"Party {party_id} was not found.")
        else:
            existing = self.find_match(company_id, fields)
        if existing is not None:
            merged = {**existing, **fields, "PartyID": existing["PartyID"]}
            self.validate(merged)
            if not merged.get("Identifiers"):
                merged.pop("Identifiers", None)  # recomputed from a changed Belgian VAT number
            doc = party_document(existing["PartyID"], merged, merged.get("PartyType") or "Customer")
            doc["Created"] = existing.get("Created")
            doc["LastModified"] = _now()
            self.store.put("party", company_id, doc["PartyID"], doc)
            return int(doc["PartyID"]), False
        self.validate(fields)
        new_id = self.store.next_value("party", start=200001)
        fields.pop("PartyID", None)
        now = _now()
        doc = party_document(
            new_id, {**fields, "Created": now, "LastModified": now}, fields.get("PartyType") or "Customer"
        )
        self.store.put("party", company_id, new_id, doc)
        return new_id, True

    def patch(self, company_id: int, party_id: int, delta: dict[str, Any]) -> None:
        party = self.store.get("party", company_id, party_id)
        if party is None:
            raise not_found(f"Party {party_id} was not found.")
        refused = sorted(set(delta) - PATCHABLE_PARTY)
        if refused or not delta:
            raise bad_request(
                "GenericError",
                "No valid properties or values were supplied: "
                + (f"{', '.join(refused)} cannot be patched on a party." if refused else "the body is empty."),
            )
        merged = {**party, **delta}
        self.validate(merged)
        merged["DisplayName"] = merged.get("CommercialName") or merged.get("Name")
        merged["LastModified"] = _now()
        self.store.put("party", company_id, party_id, merged)

    def create_or_update_product(self, company_id: int, fields: dict[str, Any]) -> int:
        product_id = fields.get("ProductID")
        existing = None
        if product_id:
            existing = self.store.get("product", company_id, int(product_id))
            if existing is None:
                raise not_found(f"Product {product_id} was not found.")
        merged = {**(existing or {}), **fields}
        if not merged.get("Description"):
            raise bad_request("GenericError", "Description is required for a product.")
        for money in ("AmountExcl", "VAT"):
            if merged.get(money) is not None:
                try:
                    merged[money] = wire.to_decimal(merged[money])
                except (ValueError, ArithmeticError) as exc:
                    raise bad_request("GenericError", f"{money} must be a number.") from exc
        now = _now()
        new_id = int(existing["ProductID"]) if existing else self.store.next_value("product", start=300001)
        merged.pop("AmountIncl", None)
        merged["Created"] = existing.get("Created") if existing else now
        merged["LastModified"] = now
        self.store.put("product", company_id, new_id, product_document(new_id, merged))
        return new_id


def _norm(value: Any) -> str:
    return re.sub(r"[\s.]", "", value).upper() if isinstance(value, str) else ""
