"""Errors a carrier can meet: a stable code, a translated sentence, and where to fix it.

The same object serves the page, the API and the CLI, so the three say the same thing.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any


@dataclass
class Problem:
    code: str
    message: str  # already translated for the active language when built
    fix_url: str = ""
    field: str = ""
    blocking: bool = True
    subject: str = ""  # e.g. "transport:T-123" or "customer:42": what the problem is about
    params: dict[str, Any] = dataclasses.field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": str(self.message),
            "fix_url": self.fix_url,
            "field": self.field,
            "blocking": self.blocking,
            "subject": self.subject,
        }


class HaulbillError(Exception):
    """A business error with a stable code and a sentence a carrier can act on."""

    def __init__(self, code: str, message: str, *, field: str = "", fix_url: str = "", status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = str(message)
        self.field = field
        self.fix_url = fix_url
        self.status = status

    def as_problem(self) -> Problem:
        return Problem(code=self.code, message=self.message, fix_url=self.fix_url, field=self.field)
