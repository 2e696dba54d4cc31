"""Limit/offset pagination on every list: {"count", "next", "previous", "items"}.

`next` and `previous` are absolute URLs with every other query parameter kept, so a client follows `next`
until it is null. The limit is capped (MAX_LIMIT) and the offset bounded, so a request cannot ask the database
for more than a page or overflow its integers.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import PaginationBase

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
MAX_OFFSET = 10_000_000


def _page_url(request: HttpRequest, limit: int, offset: int) -> str:
    params = request.GET.copy()
    params["limit"] = str(limit)
    params["offset"] = str(offset)
    return request.build_absolute_uri(request.path) + "?" + urlencode(sorted(params.lists()), doseq=True)


class LimitOffset(PaginationBase):
    class Input(Schema):
        limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"Rows per page, at most {MAX_LIMIT}.")
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Rows to skip.")

    class Output(Schema):
        count: int
        next: str | None
        previous: str | None
        items: list[Any]

    items_attribute = "items"

    def paginate_queryset(self, queryset: QuerySet[Any], pagination: Input, request: HttpRequest, **params: Any) -> Any:
        limit, offset = pagination.limit, pagination.offset
        count = self._items_count(queryset)
        following = offset + limit
        return {
            "count": count,
            "next": _page_url(request, limit, following) if following < count else None,
            "previous": _page_url(request, limit, max(0, offset - limit)) if offset > 0 else None,
            "items": list(queryset[offset:following]),
        }
