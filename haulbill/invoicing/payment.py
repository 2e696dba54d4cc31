"""Payment terms printed on each invoice: due date and the Belgian structured payment reference."""

from __future__ import annotations

import datetime as dt

from stdnum.be import ogm_vcs

from .models import InvoiceKind


def due_date(issue_date: dt.date, customer_delay_days: int | None, default_delay_days: int) -> dt.date:
    """The customer's own delay when set (0 is "payable at once"), else the company default."""
    delay = default_delay_days if customer_delay_days is None else customer_delay_days
    return issue_date + dt.timedelta(days=delay)


def structured_reference(kind: str, year: int, value: int) -> str:
    """+++ddd/dddd/ddddd+++ derived from the document's place in its series, so it is unique per company.

    10 digits: the kind (1 invoice, 2 credit note), then the series year's last two digits and the counter on 7
    digits for yearly series, or the counter on 9 digits otherwise; then the mod-97 check (0 -> 97).
    """
    kind_digit = "2" if kind == InvoiceKind.CREDIT_NOTE else "1"
    if year and value < 10**7:
        base = f"{kind_digit}{year % 100:02d}{value:07d}"
    else:
        base = f"{kind_digit}{value % 10**9:09d}"
    digits = base + ogm_vcs.calc_check_digits(base)
    return f"+++{ogm_vcs.format(digits)}+++"
