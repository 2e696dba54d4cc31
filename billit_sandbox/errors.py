"""Billit's error answers: 400 `{"errors":[{"Code","Description"}]}`, 401/404 ASP.NET-style."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    def __init__(self, status: int, body: Any) -> None:
        super().__init__(f"{status}: {body}")
        self.status = status
        self.body = body


def bad_request(code: str, description: str) -> ApiError:
    return ApiError(400, {"errors": [{"Code": code, "Description": description}]})


def not_found(description: str) -> ApiError:
    return ApiError(404, {"errors": [{"Code": "NotFound", "Description": description}]})
