"""Peppol electronic address schemes (EAS, ISO 6523 ICD codes) for the parties Haulbill invoices.

Every code used here appears in the EAS list of the Peppol BIS 3.0.21 schematron
(`PEPPOL-EN16931-CL008`); a code missing from that list makes the whole document fatal, so
the table below is the single place to touch when the code list changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

EU_COUNTRIES = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GR",
        "HR",
        "HU",
        "IE",
        "IT",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
    ]
)

# The VAT-number schemes ("99xx") of the EAS code list, by ISO 3166 country code.
VAT_SCHEMES: dict[str, str] = {
    "AD": "9922",
    "AL": "9923",
    "AT": "9914",
    "BA": "9924",
    "BE": "9925",
    "BG": "9926",
    "CH": "9927",
    "CY": "9928",
    "CZ": "9929",
    "DE": "9930",
    "EE": "9931",
    "ES": "9920",
    "FR": "9957",
    "GB": "9932",
    "GR": "9933",
    "HR": "9934",
    "HU": "9910",
    "IE": "9935",
    "LI": "9936",
    "LT": "9937",
    "LU": "9938",
    "LV": "9939",
    "MC": "9940",
    "ME": "9941",
    "MK": "9942",
    "MT": "9943",
    "NL": "9944",
    "PL": "9945",
    "PT": "9946",
    "RO": "9947",
    "RS": "9948",
    "SI": "9949",
    "SK": "9950",
    "SM": "9951",
    "TR": "9952",
    "VA": "9953",
}

# Countries whose VAT number is not a Peppol scheme of its own: their national company
# registers are (Denmark CVR, Finland OVT, Italy partita IVA, Sweden organisationsnummer,
# Norway organisasjonsnummer).
DK_CVR, FI_OVT, IT_PIVA, SE_ORGNR, NO_ORGNR = "0184", "0216", "0211", "0007", "0192"
BE_ENTERPRISE, NL_KVK, FR_SIREN, FR_SIRET, GLN = "0208", "0106", "0002", "0009", "0088"

# VAT prefixes that differ from the ISO country code.
_VAT_PREFIX = {"GR": "EL", "CH": "CHE"}


@dataclass(frozen=True, slots=True)
class Endpoint:
    """A Peppol electronic address: `scheme` (EAS code) and the identifier under it."""

    scheme: str
    identifier: str

    def __str__(self) -> str:
        return f"{self.scheme}:{self.identifier}"


_PARTICIPANT = re.compile(r"^(?P<scheme>[0-9]{4}):(?P<identifier>\S+)$")


def parse_participant(value: str) -> Endpoint | None:
    """`0208:0123456749` as an Endpoint; None for anything that is not `<4-digit scheme>:<identifier>`."""
    match = _PARTICIPANT.match((value or "").strip())
    return Endpoint(match["scheme"], match["identifier"]) if match else None


def party_endpoint(
    peppol_identifier: str, country: str, vat_number: str = "", enterprise_number: str = ""
) -> Endpoint | None:
    """The address a party was given (its Peppol identifier) when well-formed, else the one `endpoint_for` derives."""
    return parse_participant(peppol_identifier) or endpoint_for(country, vat_number, enterprise_number)


def compact(value: str) -> str:
    """The identifier without spaces, dots, dashes or slashes, upper-cased."""
    return re.sub(r"[^0-9A-Za-z]", "", value or "").upper()


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value or "")


def normalise_vat(country: str, vat_number: str) -> str:
    """The VAT number as EN 16931 wants it (BT-31/BT-48): country prefix, no separators."""
    vat = compact(vat_number)
    if not vat:
        return ""
    prefix = _VAT_PREFIX.get(country.upper(), country.upper())
    if country.upper() == "CH":
        vat = vat.removesuffix("MWST").removesuffix("TVA").removesuffix("IVA")
    if vat[:2].isalpha():
        return vat
    return prefix + vat


def belgian_enterprise_number(vat_number: str, enterprise_number: str) -> str:
    """The 10-digit KBO/BCE number: from the enterprise number, else from the BE VAT number."""
    digits = _digits(enterprise_number) or _digits(vat_number)
    if len(digits) == 9:  # the old 9-digit form gains a leading zero
        digits = "0" + digits
    return digits


def gln_is_valid(gln: str) -> bool:
    """GS1 check digit, as PEPPOL-COMMON-R040 checks it."""
    if not re.fullmatch(r"[0-9]{8,14}", gln):
        return False
    body, check = gln[:-1], int(gln[-1])
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == check


def endpoint_for(country: str, vat_number: str = "", enterprise_number: str = "", *, gln: str = "") -> Endpoint | None:
    """Pick the Peppol address a party is most likely registered under.

    Belgium is always `0208:<enterprise number>` (how every Belgian access point registers
    its customers); the Netherlands and France prefer their company registers when the
    number is known; other EU countries use their VAT scheme. Outside the EU a GLN wins when
    given, else the VAT scheme of the country if Peppol has one. None means no usable
    address: the party cannot receive a Peppol document until one is entered.
    """
    country = (country or "").upper()
    vat = normalise_vat(country, vat_number)
    company = compact(enterprise_number)

    if country == "BE":
        number = belgian_enterprise_number(vat_number, enterprise_number)
        return Endpoint(BE_ENTERPRISE, number) if number else None
    if country == "NL" and re.fullmatch(r"[0-9]{8}", company):
        return Endpoint(NL_KVK, company)
    if country == "FR":
        digits = _digits(enterprise_number)
        if len(digits) == 14:
            return Endpoint(FR_SIRET, digits)
        if len(digits) == 9:
            return Endpoint(FR_SIREN, digits)
    if country == "DK":
        cvr = _digits(enterprise_number) or _digits(vat)
        return Endpoint(DK_CVR, "DK" + cvr) if cvr else None
    if country == "SE":
        orgnr = _digits(enterprise_number) or _digits(vat)[:10]
        return Endpoint(SE_ORGNR, orgnr) if orgnr else None
    if country == "FI":
        ytunnus = _digits(enterprise_number) or _digits(vat)
        return Endpoint(FI_OVT, "0037" + ytunnus) if ytunnus else None
    if country == "IT":
        return Endpoint(IT_PIVA, vat) if vat else None
    if country in EU_COUNTRIES:
        return Endpoint(VAT_SCHEMES[country], vat) if vat else None

    if gln:
        return Endpoint(GLN, _digits(gln))
    if country == "NO":
        orgnr = _digits(enterprise_number) or _digits(vat)[:9]
        return Endpoint(NO_ORGNR, orgnr) if orgnr else None
    if vat and country in VAT_SCHEMES:
        return Endpoint(VAT_SCHEMES[country], vat)
    return None


def company_id_scheme(country: str, number: str) -> str:
    """The ICD scheme of a national company number (BT-30/BT-47), or "" when unsure.

    A wrong scheme is worse than none: the rules check the number against the scheme.
    """
    country = (country or "").upper()
    digits = _digits(number)
    if country == "BE" and len(digits) == 10:
        return BE_ENTERPRISE
    if country == "NL" and len(digits) == 8:
        return NL_KVK
    if country == "FR" and len(digits) == 9:
        return FR_SIREN
    if country == "FR" and len(digits) == 14:
        return FR_SIRET
    if country == "SE" and len(digits) == 10:
        return SE_ORGNR
    if country == "NO" and len(digits) == 9:
        return NO_ORGNR
    return ""
