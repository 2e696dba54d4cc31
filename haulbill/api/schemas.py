"""Schemas shared by the routers: the strict input base and the job status."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import ConfigDict, field_validator


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


class InSchema(Schema):
    """Request bodies and filters: unknown fields are refused (a typo must not be silently ignored) and text may
    not hold NUL characters (PostgreSQL cannot store them)."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        if _has_nul(value):
            raise ValueError(_("Text may not contain NUL characters."))
        return value


class JobOut(Schema):
    id: int
    kind: str
    status: str
    done: int
    total: int | None
    percent: int | None
    result: dict[str, Any]
    error_code: str
    error_message: str
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    url: str

    @staticmethod
    def resolve_url(obj: Any) -> str:
        return f"/api/v1/jobs/{obj.pk}"
