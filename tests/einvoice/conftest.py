"""Shared fixtures: the official validation chain, compiled once for the whole session."""

from __future__ import annotations

import os
import statistics
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from haulbill.einvoice.validation import ValidationReport, Validator
from tests.providers.fixtures import billit_company, other_company  # noqa: F401 - fixtures for these tests

HOW_TO_GET_THEM = (
    "Peppol validation artefacts not found: set HAULBILL_PEPPOL_ARTEFACTS to a folder holding "
    "the OpenPeppol/CEN artefacts listed in docs/einvoicing.md (or place them in "
    "<repo>/../shared/peppol)."
)
_timings_ms: list[float] = []
_scenario_timings_ms: dict[str, float] = {}


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


@pytest.fixture
def record_scenario() -> Callable[[str, ValidationReport], None]:
    """Note how long one scenario's document took to validate, for the summary at the end of the run."""

    def record(name: str, report: ValidationReport) -> None:
        _scenario_timings_ms[name] = report.seconds * 1000

    return record


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
    if _scenario_timings_ms:
        terminalreporter.write_line(
            f"einvoice from_invoice: {len(_scenario_timings_ms)} scenarios built by the engine, validated in "
            f"{sum(_scenario_timings_ms.values()):.0f} ms"
        )
        for name, ms in sorted(_scenario_timings_ms.items()):
            terminalreporter.write_line(f"  {name}: {ms:.1f} ms")
