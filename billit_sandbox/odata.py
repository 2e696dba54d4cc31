"""The part of OData v4 that Billit's list endpoints are used with: $filter, $orderby, $top, $skip.

Supported in $filter: eq ne gt ge lt le, and, or, not, parentheses; string literals in single quotes ('' escapes a
quote), numbers, true/false/null, dates and date-times unquoted (`2025-01-01`, `2025-01-01T00:00:00Z`), nested
fields with `/` (`CounterParty/DisplayName`), and the functions contains/startswith/endswith(field,'text').
Lambda operators (`Identifiers/any(...)`) are not supported and answer 400, as an unknown construct would.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from billit_sandbox.wire import parse_datetime, to_decimal


class ODataError(ValueError):
    pass


_TOKEN = re.compile(
    r"""\s*(?:
    (?P<string>'(?:[^']|'')*')
    |(?P<datetime>\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?)?)
    |(?P<number>-?\d+(?:\.\d+)?)
    |(?P<lparen>\()
    |(?P<rparen>\))
    |(?P<comma>,)
    |(?P<name>[A-Za-z_][A-Za-z0-9_]*(?:/[A-Za-z_][A-Za-z0-9_]*)*)
    )""",
    re.VERBOSE,
)

_COMPARISONS = {"eq", "ne", "gt", "ge", "lt", "le"}
_FUNCTIONS = {"contains", "startswith", "endswith"}

Predicate = Callable[[dict[str, Any]], bool]


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise ODataError(f"The query specified in the URI is not valid: unexpected text at position {pos}.")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        pos = match.end()
    return tokens


def resolve(item: dict[str, Any], path: str) -> Any:
    value: Any = item
    for part in path.split("/"):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


class _Literal:
    def __init__(self, value: Any) -> None:
        self.value = value


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokenize(text)
        self.pos = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise ODataError("The query specified in the URI is not valid: unexpected end of $filter.")
        self.pos += 1
        return token

    def expect(self, kind: str) -> None:
        token = self.take()
        if token[0] != kind:
            raise ODataError(f"The query specified in the URI is not valid: expected {kind}, found '{token[1]}'.")

    def parse(self) -> Predicate:
        predicate = self.parse_or()
        if self.peek() is not None:
            raise ODataError(f"The query specified in the URI is not valid: unexpected '{self.peek()[1]}'.")  # type: ignore[index]
        return predicate

    def parse_or(self) -> Predicate:
        left = self.parse_and()
        while self.peek() == ("name", "or"):
            self.take()
            right = self.parse_and()
            left = (lambda a, b: lambda item: a(item) or b(item))(left, right)
        return left

    def parse_and(self) -> Predicate:
        left = self.parse_unary()
        while self.peek() == ("name", "and"):
            self.take()
            right = self.parse_unary()
            left = (lambda a, b: lambda item: a(item) and b(item))(left, right)
        return left

    def parse_unary(self) -> Predicate:
        if self.peek() == ("name", "not"):
            self.take()
            inner = self.parse_unary()
            return lambda item: not inner(item)
        if self.peek() and self.peek()[0] == "lparen":  # type: ignore[index]
            self.take()
            inner = self.parse_or()
            self.expect("rparen")
            return inner
        return self.parse_comparison()

    def parse_operand(self) -> str | _Literal:
        kind, text = self.take()
        if kind == "string":
            return _Literal(text[1:-1].replace("''", "'"))
        if kind == "number":
            return _Literal(Decimal(text))
        if kind == "datetime":
            return _Literal(parse_datetime(text))
        if kind == "name":
            if text in ("true", "false"):
                return _Literal(text == "true")
            if text == "null":
                return _Literal(None)
            if "/" in text and text.rsplit("/", 1)[1] in ("any", "all"):
                raise ODataError("The query specified in the URI is not valid: lambda operators are not supported.")
            return text
        raise ODataError(f"The query specified in the URI is not valid: unexpected '{text}'.")

    def parse_comparison(self) -> Predicate:
        token = self.peek()
        if token and token[0] == "name" and token[1] in _FUNCTIONS:
            self.take()
            function = token[1]
            self.expect("lparen")
            field = self.parse_operand()
            self.expect("comma")
            needle = self.parse_operand()
            self.expect("rparen")
            if not isinstance(field, str) or not isinstance(needle, _Literal) or not isinstance(needle.value, str):
                raise ODataError(f"The query specified in the URI is not valid: {function}(Field,'text') expected.")
            text = needle.value.lower()

            def check(item: dict[str, Any], f: str = field, fn: str = function) -> bool:
                value = resolve(item, f)
                if not isinstance(value, str):
                    return False
                value = value.lower()
                return (
                    text in value
                    if fn == "contains"
                    else value.startswith(text)
                    if fn == "startswith"
                    else value.endswith(text)
                )

            return check
        left = self.parse_operand()
        op_kind, op = self.take()
        if op_kind != "name" or op not in _COMPARISONS:
            raise ODataError(f"The query specified in the URI is not valid: unknown operator '{op}'.")
        right = self.parse_operand()
        return _comparison(left, op, right)


def _coerce(value: Any, like: Any) -> Any:
    """Bring a stored JSON value to the literal's type so numbers and dates compare as such."""
    if value is None or like is None:
        return value
    try:
        if isinstance(like, bool):
            return value if isinstance(value, bool) else None
        if isinstance(like, datetime):
            return parse_datetime(value) if isinstance(value, str) else None
        if isinstance(like, Decimal):
            return to_decimal(value) if not isinstance(value, bool) else None
    except ValueError:
        return None
    return value


def _comparison(left: str | _Literal, op: str, right: str | _Literal) -> Predicate:
    def value_of(side: str | _Literal, item: dict[str, Any], other: str | _Literal) -> Any:
        if isinstance(side, _Literal):
            return side.value
        raw = resolve(item, side)
        return _coerce(raw, other.value) if isinstance(other, _Literal) else raw

    def check(item: dict[str, Any]) -> bool:
        a = value_of(left, item, right)
        b = value_of(right, item, left)
        if op == "eq":
            return a == b
        if op == "ne":
            return a != b
        if a is None or b is None:
            return False
        try:
            if op == "gt":
                return a > b
            if op == "ge":
                return a >= b
            if op == "lt":
                return a < b
            return a <= b
        except TypeError:
            return False

    return check


def parse_filter(text: str) -> Predicate:
    return _Parser(text).parse()


def required_equal(text: str, field: str) -> str | None:
    """The string `field` must equal for any item to match `text` (`... and Field eq 'x' and ...`), else None.

    Only for filters made of `and`s (no `or`, no `not`), where each comparison must hold; lets a list endpoint
    fetch the few candidates through an index before the full filter is applied to them."""
    try:
        tokens = _tokenize(text)
    except ODataError:
        return None
    if any(kind == "name" and value.lower() in ("or", "not") for kind, value in tokens):
        return None
    for index in range(len(tokens) - 2):
        (kind, value), (_op_kind, op), (literal_kind, literal) = tokens[index : index + 3]
        after = tokens[index + 3] if index + 3 < len(tokens) else ("end", "")
        ends = after[0] in ("end", "rparen") or after[1].lower() == "and"  # not `Field eq 'x' ne ...`
        if kind == "name" and value == field and op.lower() == "eq" and literal_kind == "string" and ends:
            return literal[1:-1].replace("''", "'")
    return None


def sort_items(items: list[dict[str, Any]], orderby: str) -> list[dict[str, Any]]:
    clauses = [c.strip() for c in orderby.split(",") if c.strip()]
    for clause in reversed(clauses):
        parts = clause.split()
        if len(parts) > 2 or (len(parts) == 2 and parts[1].lower() not in ("asc", "desc")):
            raise ODataError(f"The query specified in the URI is not valid: bad $orderby clause '{clause}'.")
        field = parts[0]
        descending = len(parts) == 2 and parts[1].lower() == "desc"

        def key(item: dict[str, Any], f: str = field) -> tuple[int, Any]:
            value = resolve(item, f)
            if value is None:
                return (0, "")
            if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
                return (1, Decimal(value))
            return (2, str(value))

        items = sorted(items, key=key, reverse=descending)
    return items
