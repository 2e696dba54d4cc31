"""Shared fixtures: the official validation chain, compiled once for the whole session."""

from __future__ import annotations

import os
import statistics
from collections.abc import Iterator
from pathlib import Path

import pytest

from haulbill.einvoice.validation import ValidationReport, Validator

HOW_TO_GET_THEM = (
    "Peppol validation artefacts not found: set HAULBILL_PEPPOL_ARTEFACTS to a folder holding "
    "the OpenPeppol/CEN artefacts listed in docs/einvoicing.md (or place them in "
    "<repo>/../shared/peppol)."
)
_timings_ms: list[float] = []


def _artefacts() -> Path | None:
    configured = os.environ.get("HAULBILL_PEPPOL_ARTEFACTS")
    if configured:
        return Path(configured)
    beside_repo = Path(__file__).resolve().parents[2].parent / "shared" / "peppol"
    return beside_repo if beside_repo.is_dir() else None


class TimedValidator:
    """The real validator, recording how long each document takes."""

    def __init__(self, validator: Validator) -> None:
        self.validator = validator
        self.artefacts = validator.artefacts

    def validate(self, xml: bytes) -> ValidationReport:
        report = self.validator.validate(xml)
        _timings_ms.append(report.seconds * 1000)
        return report


@pytest.fixture(scope="session")
def artefacts() -> Path:
    folder = _artefacts()
    if folder is None or not folder.is_dir():
        pytest.skip(HOW_TO_GET_THEM)
    return folder


@pytest.fixture(scope="session")
def validator(artefacts: Path) -> Iterator[TimedValidator]:
    real = Validator(artefacts)
    real.warm_up()
    yield TimedValidator(real)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _timings_ms:
        terminalreporter.write_line(
            f"einvoice validation: {len(_timings_ms)} documents, "
            f"median {statistics.median(_timings_ms):.1f} ms, max {max(_timings_ms):.1f} ms "
            "per document (XSD + EN 16931 + Peppol)"
        )
