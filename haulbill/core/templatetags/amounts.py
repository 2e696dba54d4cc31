"""How numbers read on pages and documents: a unit price as money, a quantity without trailing zeros, a unit by name.

Amounts are stored with four decimals (unit prices) or three (quantities); "1235.2500" next to "55" reads badly on an
invoice, so unit prices show at least the two decimals of money and only the further ones that carry a value.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.utils.formats import number_format

from haulbill.catalog.models import UNIT_CHOICES

register = template.Library()
UNIT_LABELS = dict(UNIT_CHOICES)


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


@register.filter
def unit_price(value: Any) -> str:
    """12.5 -> 12.50, 1235.2500 -> 1235.25, 0.1234 -> 0.1234 (in the page's language)."""
    number = _decimal(value)
    if number is None:
        return ""
    return number_format(number, decimal_pos=min(max(2, _places(number)), 4))


@register.filter
def quantity(value: Any) -> str:
    """1.000 -> 1, 1.500 -> 1.5 (in the page's language)."""
    number = _decimal(value)
    if number is None:
        return ""
    return number_format(number, decimal_pos=min(_places(number), 3))


@register.filter
def unit_name(code: str) -> str:
    """C62 -> "unit / trip", HUR -> "hour"; an unknown code is shown as it is."""
    label = UNIT_LABELS.get(code or "")
    return str(label) if label else (code or "")
