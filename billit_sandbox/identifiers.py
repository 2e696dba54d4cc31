"""Peppol participant identifiers: one canonical spelling per company so a VAT number and a CBE number meet."""

from __future__ import annotations

import re

# ICD schemes for VAT-based Peppol ids (Peppol code list "Participant identifier schemes").
_VAT_SCHEMES = {"NL": "9944", "FR": "9957", "DE": "9930", "LU": "9938", "IT": "0211", "ES": "9920", "AT": "9914"}


def canonical(value: str) -> str:
    """`BE0412345614`, `0412.345.614` and `0208:0412345614` all become `0208:0412345614`."""
    text = re.sub(r"[\s.\-]", "", value or "").upper()
    if ":" in text:
        scheme, _, ident = text.partition(":")
        if scheme == "9925" and ident.startswith("BE"):
            return f"0208:{ident[2:]}"
        return f"{scheme}:{ident}"
    if re.fullmatch(r"[01]\d{9}", text):
        return f"0208:{text}"
    if text.startswith("BE") and re.fullmatch(r"BE[01]\d{9}", text):
        return f"0208:{text[2:]}"
    country = text[:2]
    if country in _VAT_SCHEMES:
        return f"{_VAT_SCHEMES[country]}:{text}"
    return text
