"""JSON on the wire with exact decimals, and Billit's date format.

Money is kept as Decimal inside the sandbox and written as a JSON number without passing through float,
so 0.1 + 0.2 stays 0.30 on the wire exactly as Billit's .NET decimal would print it.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

CENT = Decimal("0.01")


def round_money(value: Decimal) -> Decimal:
    """Round half-up to the cent (EN 16931 rounding of amounts)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def loads(data: bytes | str) -> Any:
    return json.loads(data, parse_float=Decimal)


def _encode(value: Any, out: list[str]) -> None:
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"cannot write {value} as a JSON number")
        text = format(value, "f")
        out.append(text)
    elif isinstance(value, int):
        out.append(str(value))
    elif isinstance(value, float):
        out.append(json.dumps(value))
    elif isinstance(value, str):
        out.append(json.dumps(value, ensure_ascii=False))
    elif isinstance(value, (datetime, date)):
        out.append(json.dumps(format_datetime(value)))
    elif isinstance(value, dict):
        out.append("{")
        first = True
        for key, item in value.items():
            if not first:
                out.append(",")
            first = False
            out.append(json.dumps(str(key), ensure_ascii=False))
            out.append(":")
            _encode(item, out)
        out.append("}")
    elif isinstance(value, (list, tuple)):
        out.append("[")
        for index, item in enumerate(value):
            if index:
                out.append(",")
            _encode(item, out)
        out.append("]")
    else:
        raise TypeError(f"cannot write {type(value).__name__} as JSON")


def dumps(value: Any) -> str:
    out: list[str] = []
    _encode(value, out)
    return "".join(out)


def format_datetime(value: date | datetime) -> str:
    """Billit answers dates as `2026-05-06T00:00:00` (no zone)."""
    if isinstance(value, datetime):
        return value.replace(microsecond=0, tzinfo=None).isoformat()
    return f"{value.isoformat()}T00:00:00"


def parse_datetime(text: str) -> datetime:
    """Accept `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM:SS[.fff][Z|+hh:mm]` as Billit does; zone dropped (Billit is local)."""
    cleaned = text.strip()
    if cleaned.endswith("Z"):
        cleaned = cleaned[:-1]
    if len(cleaned) == 10:
        return datetime.fromisoformat(cleaned + "T00:00:00")
    parsed = datetime.fromisoformat(cleaned)
    return parsed.replace(tzinfo=None)


def to_decimal(value: Any) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool) or value is None:
        raise ValueError("not a number")
    if isinstance(value, (int, str)):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    raise ValueError("not a number")
