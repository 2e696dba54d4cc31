"""Invoice totals as EN 16931 computes them.

Line amount = quantity x unit price, rounded half-up to the cent. VAT is computed once per (category, rate) on the
sum of that group's line amounts, then rounded: never per line and added up, which drifts on long invoices and
fails the BR-CO-17 check. Invoice totals are sums of the rounded figures.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
CATEGORY_ORDER = {"S": 0, "Z": 1, "E": 2, "AE": 3, "K": 4, "G": 5, "O": 6}


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def line_amount(quantity: Decimal, unit_price: Decimal) -> Decimal:
    return money(quantity * unit_price)


@dataclass(frozen=True)
class TotalLine:
    """What the totals need of a line."""

    amount: Decimal
    vat_category: str
    vat_rate: Decimal
    exemption_code: str = ""
    exemption_text: str = ""


@dataclass(frozen=True)
class VatGroup:
    category: str
    rate: Decimal
    taxable: Decimal
    vat: Decimal
    exemption_code: str = ""
    exemption_text: str = ""

    def as_json(self) -> dict[str, str]:
        return {
            "category": self.category,
            "rate": str(self.rate),
            "taxable": str(self.taxable),
            "vat": str(self.vat),
            "exemption_code": self.exemption_code,
            "exemption_text": self.exemption_text,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> VatGroup:
        return cls(
            data["category"],
            Decimal(data["rate"]),
            Decimal(data["taxable"]),
            Decimal(data["vat"]),
            data.get("exemption_code", ""),
            data.get("exemption_text", ""),
        )


@dataclass(frozen=True)
class Totals:
    excl: Decimal
    vat: Decimal
    incl: Decimal
    breakdown: tuple[VatGroup, ...]


def compute(lines: Iterable[TotalLine]) -> Totals:
    taxable: dict[tuple[str, Decimal], Decimal] = {}
    mentions: dict[tuple[str, Decimal], tuple[str, str]] = {}
    for line in lines:
        key = (line.vat_category, Decimal(line.vat_rate).quantize(CENT))
        taxable[key] = taxable.get(key, ZERO) + money(line.amount)
        if key not in mentions or not mentions[key][0] and not mentions[key][1]:
            mentions[key] = (line.exemption_code, line.exemption_text)
    groups = tuple(
        VatGroup(category, rate, money(amount), money(amount * rate / 100), *mentions[(category, rate)])
        for (category, rate), amount in sorted(
            taxable.items(), key=lambda item: (CATEGORY_ORDER.get(item[0][0], 99), -item[0][1])
        )
    )
    excl = money(sum((g.taxable for g in groups), ZERO))
    vat = money(sum((g.vat for g in groups), ZERO))
    return Totals(excl=excl, vat=vat, incl=excl + vat, breakdown=groups)
