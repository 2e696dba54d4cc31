"""Links as a spreadsheet: export every customer with its invoicing ID, import a file of links.

Columns: customer reference, name, VAT number, invoicing ID. Only the reference and the ID are read back; name
and VAT number are there for the person filling the file. An import is checked in full first (`check_import`),
each bad row reported with its line number and reason; the good rows are written together in one transaction,
only once the user confirms (`apply_import`). An empty invoicing ID leaves the customer as it is.
"""

from __future__ import annotations

import contextlib
import csv
import io
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from haulbill.core.errors import HaulbillError
from haulbill.tenancy.models import Company

from .models import Customer
from .services import clean_invoicing_id, provider_or_error

HEADER = ["customer reference", "name", "VAT number", "invoicing ID"]
_ALIASES = {
    "reference": {"customer reference", "reference", "ref", "customer ref", "klantreferentie", "référence client"},
    "invoicing_id": {"invoicing id", "invoicing_id", "billit id", "party id", "partyid"},
}
MAX_BYTES = 20 * 1024 * 1024


@dataclass
class RowError:
    line: int
    reason: str
    reference: str = ""


@dataclass
class RowToWrite:
    line: int
    customer_id: int
    reference: str
    name: str
    invoicing_id: str
    previous_id: str


@dataclass
class ImportCheck:
    rows: list[RowToWrite] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    unchanged: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def export_links(company: Company) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    rows = Customer.objects.for_company(company).order_by("reference", "name", "id")
    for reference, name, vat, invoicing_id in rows.values_list(
        "reference", "name", "vat_number", "invoicing_id"
    ).iterator():
        writer.writerow([reference, name, vat, invoicing_id])
    return out.getvalue()


def decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise HaulbillError("csv_too_large", _("The file is larger than 20 MB; split it."), field="file")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise HaulbillError("csv_encoding", _("The file is not text (save it as CSV, UTF-8)."), field="file")


def _columns(header: list[str]) -> tuple[int, int]:
    names = [h.strip().lower() for h in header]
    found = {}
    for key, aliases in _ALIASES.items():
        found[key] = next((i for i, n in enumerate(names) if n in aliases), -1)
    if found["reference"] < 0 or found["invoicing_id"] < 0:
        raise HaulbillError(
            "csv_header",
            _("The first line must name the columns: %(columns)s (as in the export).") % {"columns": ", ".join(HEADER)},
            field="file",
        )
    return found["reference"], found["invoicing_id"]


def _rows(text: str) -> list[list[str]]:
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","  # Excel in Belgium writes semicolons
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def check_import(company: Company, text: str) -> ImportCheck:
    """Read the whole file and say, per line, what would be written and what is wrong. Writes nothing."""
    rows = _rows(text)
    if not rows:
        raise HaulbillError("csv_empty", _("The file is empty."), field="file")
    ref_col, id_col = _columns(rows[0])
    check = ImportCheck()
    customers = {c.reference: c for c in Customer.objects.for_company(company).exclude(reference="")}
    owners = dict(Customer.objects.for_company(company).exclude(invoicing_id="").values_list("invoicing_id", "id"))
    parsed: list[tuple[int, str, str]] = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        reference = row[ref_col].strip() if ref_col < len(row) else ""
        raw_id = row[id_col].strip() if id_col < len(row) else ""
        parsed.append((line, reference, raw_id))
    references = Counter(ref for _line, ref, _id in parsed if ref)
    cleaned: dict[int, str] = {}
    for line, _ref, raw_id in parsed:
        if raw_id:
            with contextlib.suppress(HaulbillError):  # reported below as malformed
                cleaned[line] = clean_invoicing_id(raw_id)
    id_count = Counter(cleaned.values())
    for line, reference, raw_id in parsed:
        customer = customers.get(reference)
        if not reference:
            check.errors.append(RowError(line, _("The customer reference is empty.")))
        elif customer is None:
            check.errors.append(
                RowError(line, _("No customer has the reference %(ref)s.") % {"ref": reference}, reference)
            )
        elif references[reference] > 1:
            check.errors.append(RowError(line, _("The reference %(ref)s appears more than once in the file.")
                                         % {"ref": reference}, reference))  # fmt: skip
        elif not raw_id:
            check.unchanged += 1
        elif line not in cleaned:
            check.errors.append(RowError(line, _("%(id)s is not an invoicing ID (digits only, e.g. 200001).")
                                         % {"id": raw_id[:40]}, reference))  # fmt: skip
        elif id_count[cleaned[line]] > 1:
            check.errors.append(RowError(line, _("The invoicing ID %(id)s is used more than once in the file.")
                                         % {"id": cleaned[line]}, reference))  # fmt: skip
        elif owners.get(cleaned[line], customer.pk) != customer.pk:
            check.errors.append(RowError(line, _("The invoicing ID %(id)s is already linked to another customer.")
                                         % {"id": cleaned[line]}, reference))  # fmt: skip
        elif customer.invoicing_id == cleaned[line]:
            check.unchanged += 1
        else:
            check.rows.append(
                RowToWrite(line, customer.pk, reference, customer.name, cleaned[line], customer.invoicing_id)
            )
    return check


def apply_import(company: Company, text: str) -> ImportCheck:
    """Check the file again (the data may have moved since the preview) and write its good rows together."""
    provider = provider_or_error(company)
    check = check_import(company, text)
    with transaction.atomic():
        locked = Customer.objects.for_company(company).select_for_update().in_bulk([r.customer_id for r in check.rows])
        now = timezone.now()
        for row in check.rows:
            customer = locked[row.customer_id]
            customer.invoicing_id, customer.invoicing_provider, customer.updated_at = (
                row.invoicing_id,
                provider.key,
                now,
            )
        Customer.objects.bulk_update(
            locked.values(), ["invoicing_id", "invoicing_provider", "updated_at"], batch_size=500
        )
    return check
