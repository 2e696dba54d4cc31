"""What the delivery commands share: finding the company, and a tqdm bar as a progress callback."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.core.management.base import CommandError
from tqdm import tqdm

from haulbill.tenancy.models import Company


def company_or_error(company_id: int) -> Company:
    company = Company.objects.filter(pk=company_id).first()
    if company is None:
        raise CommandError(f"No company with ID {company_id}.")
    return company


@contextmanager
def progress_bar(desc: str, unit: str, stream: Any, quiet: bool) -> Iterator[Callable[[int, int | None], None]]:
    with tqdm(desc=desc, unit=unit, disable=quiet, file=stream) as bar:

        def progress(done: int, total: int | None) -> None:
            bar.total = total
            bar.update(done - bar.n)

        yield progress
