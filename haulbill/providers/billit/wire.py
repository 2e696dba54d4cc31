"""JSON at the edge: Decimal money goes out as exact JSON numbers and comes back as Decimal, never via float."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

BILLIT_TIMEZONE = ZoneInfo("Europe/Brussels")


def loads(data: bytes | str) -> Any:
    return json.loads(data, parse_float=Decimal)


def dumps(value: Any) -> str:
    out: list[str] = []
    _encode(value, out)
    return "".join(out)


def _encode(value: Any, out: list[str]) -> None:
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{value} cannot be sent to Billit as a number")
        out.append(format(value, "f"))
    elif isinstance(value, int):
        out.append(str(value))
    elif isinstance(value, float):
        raise TypeError("floats are not sent to Billit; use Decimal for amounts and quantities")
    elif isinstance(value, str):
        out.append(json.dumps(value, ensure_ascii=False))
    elif isinstance(value, datetime):
        out.append(json.dumps(value.replace(microsecond=0, tzinfo=None).isoformat()))
    elif isinstance(value, date):
        out.append(json.dumps(value.isoformat()))
    elif isinstance(value, dict):
        out.append("{")
        for index, (key, item) in enumerate(value.items()):
            if index:
                out.append(",")
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
        raise TypeError(f"cannot send {type(value).__name__} to Billit")


def odata_literal(value: str | int | Decimal | date | datetime | bool) -> str:
    """A value as OData writes it in $filter: strings quoted ('' escapes a quote), dates unquoted."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            # Billit keeps Belgian local time without a zone; compare like with like.
            value = value.astimezone(BILLIT_TIMEZONE).replace(tzinfo=None)
        return value.replace(microsecond=0).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(int(value))
