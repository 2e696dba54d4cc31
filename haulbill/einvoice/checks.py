"""Validation of an e-invoice before it leaves, when the operator switched it on.

Optional because the rule files are not ours to ship (docs/einvoicing.md): with `PEPPOL_VALIDATE_BEFORE_SEND`
on, the UBL of the document is run through XSD, EN 16931 and Peppol from the `PEPPOL_ARTEFACTS` folder, and every
fatal finding becomes a blocking Problem that names its rule, so the sender can refuse to send instead of
learning from a rejection by the customer's access point.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from haulbill.core.errors import Problem
from haulbill.einvoice.from_invoice import EInvoiceError, ubl_for
from haulbill.einvoice.validation import ArtefactsMissing, Validator, find_artefacts
from haulbill.invoicing.models import Invoice

__all__ = ["validate_before_send", "validator_for"]


@lru_cache(maxsize=4)
def validator_for(folder: Path) -> Validator:
    """One validator per artefact folder and process: the stylesheets compile once (about half a second)."""
    return Validator(folder)


def validate_before_send(invoice: Invoice) -> list[Problem]:
    """What stops `invoice` from leaving as a valid Peppol document; empty when validation is off or it passes."""
    if not getattr(settings, "PEPPOL_VALIDATE_BEFORE_SEND", False):
        return []
    subject = f"invoice:{invoice.number or invoice.pk}"
    try:
        xml = ubl_for(invoice)
    except EInvoiceError as exc:
        if not exc.problems:
            return [Problem(exc.code, exc.message, subject=subject)]
        return [
            Problem(
                "einvoice_invalid",
                f"{problem.code}: {problem.field}: {problem.message}",
                field=problem.field,
                subject=subject,
                params={"rule": problem.code},
            )
            for problem in exc.problems
        ]
    folder = find_artefacts()
    if folder is None:
        return [
            Problem(
                "peppol_artefacts_missing",
                _("Validation before sending is on (HAULBILL_PEPPOL_VALIDATE) but no folder of Peppol validation "
                  "artefacts is configured: set HAULBILL_PEPPOL_ARTEFACTS (see docs/einvoicing.md)."),
                subject=subject,
            )
        ]  # fmt: skip
    try:
        validator = validator_for(folder)
    except ArtefactsMissing as exc:
        return [Problem("peppol_artefacts_missing", str(exc), subject=subject)]
    report = validator.validate(xml)
    return [
        Problem(
            "peppol_rule_failed",
            _("%(number)s breaks %(rule)s (%(layer)s): %(text)s")
            % {"number": invoice.number, "rule": finding.rule, "layer": finding.layer, "text": finding.text},
            subject=subject,
            params={"rule": finding.rule, "layer": finding.layer, "location": finding.location},
        )
        for finding in report.fatal
    ]
