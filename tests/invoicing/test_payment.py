import datetime as dt

from stdnum.be import ogm_vcs

from haulbill.invoicing.payment import due_date, structured_reference


def test_it_uses_the_customer_delay_for_the_due_date():
    assert due_date(dt.date(2026, 11, 24), 14, 30) == dt.date(2026, 12, 8)


def test_it_uses_the_company_default_when_the_customer_has_none():
    assert due_date(dt.date(2026, 11, 24), None, 30) == dt.date(2026, 12, 24)


def test_it_keeps_a_customer_delay_of_zero_days():
    assert due_date(dt.date(2026, 11, 24), 0, 30) == dt.date(2026, 11, 24)


def test_it_makes_valid_structured_references():
    for kind, year, value in [
        ("invoice", 2026, 1),
        ("invoice", 0, 56483),
        ("credit_note", 2027, 9_999_999),
        ("invoice", 2026, 10**8),
    ]:
        ref = structured_reference(kind, year, value)
        assert ref.startswith("+++") and ref.endswith("+++")
        assert ogm_vcs.is_valid(ref), ref


def test_it_uses_97_when_the_check_is_zero():
    # 1000000097 % 97 == 0 ... find a base whose check is 0 and verify the reference ends in 97.
    base = next(n for n in range(1_000_000_000, 1_000_001_000) if n % 97 == 0)
    value = base - 1_000_000_000
    ref = structured_reference("invoice", 0, value)
    assert ref.replace("/", "").strip("+").endswith("97")


def test_it_gives_every_document_of_a_company_its_own_reference():
    refs = {
        structured_reference(kind, year, value)
        for kind in ["invoice", "credit_note"]
        for year in [2026, 2027]
        for value in range(1, 400)
    }
    assert len(refs) == 2 * 2 * 399
