"""What the `haulbill` commands share: the company named by --company, and a progress bar as a progress callback."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from haulbill.core.errors import HaulbillError
from haulbill.tenancy.models import Company

R = TypeVar("R")
Progress = Callable[[int, int | None], None]


def company_or_error(company_id: int) -> Company:
    company = Company.objects.filter(pk=company_id).first()
    if company is None:
        raise CommandError(f"No company with ID {company_id}: list them with `haulbill shell` or the admin.")
    return company


@contextmanager
def progress_bar(desc: str, unit: str, stream: Any, quiet: bool) -> Iterator[Progress]:
    """A tqdm bar on `stream` (stderr: the summary on stdout stays clean), driven as the services' progress callback."""
    with tqdm(desc=desc, unit=unit, disable=quiet, file=stream) as bar:

        def progress(done: int, total: int | None) -> None:
            if total != bar.total:
                bar.reset(total=total)
            bar.update(done - bar.n)

        yield progress


def run_with_progress(command: BaseCommand, options: dict[str, Any], work: Callable[[Company, Progress], R]) -> R:
    """Run one job for `--company` with a progress bar; a business error ends the command with its sentence."""
    company = company_or_error(options["company"])
    try:
        with progress_bar("customers", " customers", command.stderr, options["verbosity"] < 1) as progress:
            return work(company, progress)
    except HaulbillError as exc:
        raise CommandError(exc.message) from None
