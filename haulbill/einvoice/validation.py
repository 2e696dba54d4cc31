"""The official Peppol BIS 3.0 validation chain, offline: UBL 2.1 XSD, CEN EN 16931, Peppol.

The rule files are OpenPeppol's and CEN's; OpenPeppol does not allow redistributing them, so
Haulbill never ships them. The validator is given the folder that holds them (see
docs/einvoicing.md) and compiles the two XSLT 2.0 stylesheets once per process with saxonche.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from lxml import etree

XSD_INVOICE = "ubl-2.1/xsdrt/maindoc/UBL-Invoice-2.1.xsd"
XSD_CREDIT_NOTE = "ubl-2.1/xsdrt/maindoc/UBL-CreditNote-2.1.xsd"
CEN_XSLT = "cen-en16931-1.3.16/EN16931-UBL-validation.xslt"
PEPPOL_XSLT = "peppol-bis-3.0.21/PEPPOL-EN16931-UBL.xslt"
REQUIRED_FILES = (XSD_INVOICE, XSD_CREDIT_NOTE, CEN_XSLT, PEPPOL_XSLT)

SVRL = "http://purl.oclc.org/dsdl/svrl"
ROOTS = {
    "{urn:oasis:names:specification:ubl:schema:xsd:Invoice-2}Invoice": XSD_INVOICE,
    "{urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2}CreditNote": XSD_CREDIT_NOTE,
}
ENV_VAR = "HAULBILL_PEPPOL_ARTEFACTS"

Layer = Literal["xml", "xsd", "en16931", "peppol"]
Severity = Literal["fatal", "warning"]


class ArtefactsMissing(RuntimeError):
    """The artefact folder lacks a file the chain needs."""


@dataclass(frozen=True, slots=True)
class Finding:
    layer: Layer
    rule: str  # e.g. "BR-CO-16", "PEPPOL-EN16931-R003", "XSD"
    severity: Severity
    text: str
    location: str

    def __str__(self) -> str:
        return f"[{self.layer}] {self.rule} ({self.severity}) {self.text} @ {self.location}"


@dataclass(frozen=True, slots=True)
class ValidationReport:
    findings: tuple[Finding, ...]
    seconds: float

    @property
    def is_valid(self) -> bool:
        return not any(f.severity == "fatal" for f in self.findings)

    @property
    def fatal(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == "fatal")

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == "warning")

    @property
    def rules(self) -> frozenset[str]:
        return frozenset(f.rule for f in self.findings)


def find_artefacts() -> Path | None:
    """The artefact folder: the `PEPPOL_ARTEFACTS` setting (read from the environment variable
    `HAULBILL_PEPPOL_ARTEFACTS`), the variable itself when Django is not configured, else
    `shared/peppol` beside the repository when present, else None."""
    configured: str | None = None
    try:
        from django.conf import settings

        if settings.configured:
            configured = getattr(settings, "PEPPOL_ARTEFACTS", None)
    except ImportError:  # pragma: no cover - Django is a dependency, but this module need not be
        pass
    configured = configured or os.environ.get(ENV_VAR)
    if configured:
        return Path(configured)
    beside_repo = Path(__file__).resolve().parents[2].parent / "shared" / "peppol"
    return beside_repo if beside_repo.is_dir() else None


class _Compiled:
    """Schemas and stylesheets of one process; saxonche state does not survive a fork."""

    def __init__(self, folder: Path) -> None:
        from saxonche import PySaxonProcessor

        self.pid = os.getpid()
        self.schemas = {root: etree.XMLSchema(etree.parse(str(folder / xsd))) for root, xsd in ROOTS.items()}
        self.processor = PySaxonProcessor(license=False)
        xslt = self.processor.new_xslt30_processor()
        self.stylesheets: list[tuple[Layer, Any]] = [
            ("en16931", xslt.compile_stylesheet(stylesheet_file=str(folder / CEN_XSLT))),
            ("peppol", xslt.compile_stylesheet(stylesheet_file=str(folder / PEPPOL_XSLT))),
        ]


class Validator:
    """Runs XSD, then EN 16931 and Peppol schematron; compiled lazily, once per process.

    One lock serialises validations: saxonche executables are not documented as safe for
    concurrent use and a validation takes milliseconds, so a web process can share one.
    """

    def __init__(self, artefacts: Path | str) -> None:
        self.artefacts = Path(artefacts)
        missing = [name for name in REQUIRED_FILES if not (self.artefacts / name).is_file()]
        if missing:
            raise ArtefactsMissing(
                f"The Peppol validation artefacts folder {self.artefacts} lacks "
                f"{', '.join(missing)}. Point {ENV_VAR} to a folder holding the OpenPeppol/CEN "
                "artefacts listed in docs/einvoicing.md."
            )
        self._lock = threading.Lock()
        self._compiled: _Compiled | None = None

    def _state(self) -> _Compiled:
        compiled = self._compiled
        if compiled is None or compiled.pid != os.getpid():
            compiled = self._compiled = _Compiled(self.artefacts)
        return compiled

    def warm_up(self) -> None:
        """Compile now rather than on the first document (e.g. at worker start)."""
        with self._lock:
            self._state()

    def validate(self, xml: bytes) -> ValidationReport:
        with self._lock:
            started = time.perf_counter()  # the work itself, not the wait for the lock
            findings = self._validate(xml)
            seconds = time.perf_counter() - started
        return ValidationReport(tuple(findings), seconds)

    def _validate(self, xml: bytes) -> list[Finding]:
        try:
            tree = etree.fromstring(xml)
        except etree.XMLSyntaxError as error:
            return [Finding("xml", "XML", "fatal", str(error), f"line {error.lineno}")]
        state = self._state()
        schema = state.schemas.get(tree.tag)
        if schema is None:
            return [
                Finding(
                    "xsd",
                    "XSD",
                    "fatal",
                    f"The root element {tree.tag} is neither a UBL Invoice nor a CreditNote.",
                    "/",
                )
            ]
        if not schema.validate(tree):
            # Schematron assumes schema-valid input (it casts amounts and dates), so the
            # chain stops here, as the official validators do.
            return [Finding("xsd", "XSD", "fatal", error.message, f"line {error.line}") for error in schema.error_log]
        try:
            text = xml.decode("utf-8")
        except UnicodeDecodeError as error:
            return [Finding("xml", "XML", "fatal", f"Peppol documents are UTF-8: {error}", "/")]
        node = state.processor.parse_xml(xml_text=text)
        findings: list[Finding] = []
        for layer, stylesheet in state.stylesheets:
            svrl = stylesheet.transform_to_string(xdm_node=node)
            findings.extend(_failed_asserts(layer, etree.fromstring(svrl.encode("utf-8"))))
        return findings


def _failed_asserts(layer: Layer, report: etree._Element) -> Iterable[Finding]:
    for failed in report.iter(f"{{{SVRL}}}failed-assert"):
        flag = failed.get("flag", "fatal")
        yield Finding(
            layer=layer,
            rule=failed.get("id", ""),
            severity="warning" if flag == "warning" else "fatal",
            text=" ".join((failed.findtext(f"{{{SVRL}}}text") or "").split()),
            location=failed.get("location", ""),
        )
