"""VAT and enterprise numbers: validated and normalised with python-stdnum.

VAT numbers are stored compact with their country prefix (BE0477472701); enterprise numbers in the country's
compact form (Belgium: 10 digits, France: SIREN 9 digits or SIRET 14, Netherlands: KvK 8 digits).
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from stdnum import exceptions as stdnum_exceptions
from stdnum.be import vat as be_enterprise
from stdnum.eu import vat as eu_vat
from stdnum.fr import siren, siret

EU_COUNTRIES = {
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT", "LT", "LU",
    "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
}  # fmt: skip


class NumberError(ValueError):
    """A number that is not valid, with a sentence saying why."""


def normalise_vat(value: str, country: str = "") -> str:
    """Return the compact VAT number with its country prefix, or raise NumberError.

    A Belgian number typed without prefix ("0477.472.701") gets BE when the customer's country is BE.
    """
    raw = (value or "").strip()
    if not raw:
        return ""
    compact = re.sub(r"[\s.\-/]", "", raw).upper()
    if compact[:2].isdigit() and country:
        compact = country.upper() + compact
    if compact.startswith("EL"):
        pass  # Greece uses EL in VAT numbers; stdnum knows it.
    try:
        return str(eu_vat.validate(compact))
    except stdnum_exceptions.InvalidChecksum as exc:
        raise NumberError(
            _("The VAT number %(value)s has a wrong check digit: please retype it.") % {"value": raw}
        ) from exc
    except stdnum_exceptions.ValidationError as exc:
        raise NumberError(
            _("%(value)s is not a valid EU VAT number: it must start with the country code, e.g. BE0477472701.")
            % {"value": raw}
        ) from exc


def normalise_enterprise_number(value: str, country: str) -> str:
    raw = (value or "").strip()
    if not raw:
        return ""
    country = (country or "").upper()
    compact = re.sub(r"[\s.\-/]", "", raw).upper()
    try:
        if country == "BE":
            return str(be_enterprise.validate(compact))
        if country == "FR":
            digits = compact.removeprefix("FR")
            return str(siret.validate(digits)) if len(digits) == 14 else str(siren.validate(digits))
        if country == "NL":
            digits = compact.removeprefix("NL")
            if not re.fullmatch(r"\d{8}", digits):
                raise stdnum_exceptions.InvalidFormat()
            return digits
    except stdnum_exceptions.InvalidChecksum as exc:
        raise NumberError(
            _("The enterprise number %(value)s has a wrong check digit: please retype it.") % {"value": raw}
        ) from exc
    except stdnum_exceptions.ValidationError as exc:
        raise NumberError(
            _("%(value)s is not a valid enterprise number for %(country)s.") % {"value": raw, "country": country}
        ) from exc
    # Luxembourg (RCS) and Germany (Handelsregister) numbers have no checksum: keep them compact.
    return compact


def enterprise_number_from_vat(vat_number: str) -> str:
    """Belgium: the enterprise number is the VAT number without BE."""
    if vat_number.startswith("BE") and len(vat_number) == 12:
        return vat_number[2:]
    return ""


def peppol_identifier(country: str, vat_number: str, enterprise_number: str) -> str:
    """The Peppol participant ID a Belgian party is reachable on: 0208 + enterprise number."""
    if country.upper() == "BE":
        number = enterprise_number or enterprise_number_from_vat(vat_number)
        if number:
            return f"0208:{number}"
    return ""


def is_eu(country: str) -> bool:
    return (country or "").upper() in EU_COUNTRIES
