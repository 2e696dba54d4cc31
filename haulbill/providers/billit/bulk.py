"""Many Billit calls at once, with a ceiling on how many run together, and one outcome per item.

Billit publishes no rate limit; a small pool (4 by default) keeps a bulk push fast without drawing 429s, and the
client's own retries still apply to each call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class ItemResult(Generic[T, R]):
    item: T
    value: R | None = None
    error: Exception | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def run_bounded(fn: Callable[[T], R], items: Iterable[T], max_concurrency: int = 4) -> list[ItemResult[T, R]]:
    """Call `fn` on every item with at most `max_concurrency` calls in flight; results keep the input order and an
    exception in one item is recorded for that item only."""
    if max_concurrency < 1:
        raise ValueError("max_concurrency must be at least 1")
    work = list(items)

    def one(item: T) -> ItemResult[T, R]:
        try:
            return ItemResult(item, fn(item))
        except Exception as exc:
            return ItemResult(item, error=exc)

    if not work:
        return []
    with ThreadPoolExecutor(max_workers=min(max_concurrency, len(work)), thread_name_prefix="billit-bulk") as pool:
        return list(pool.map(one, work))
