from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from haulbill.invoicing.totals import TotalLine, compute, line_amount

CENT = Decimal("0.01")
categories = st.sampled_from([("S", Decimal("21")), ("S", Decimal("6")), ("Z", Decimal("0")), ("AE", Decimal("0"))])
quantities = st.decimals(min_value=Decimal("0.001"), max_value=Decimal("1000"), places=3)
prices = st.decimals(min_value=Decimal("-500"), max_value=Decimal("5000"), places=4)
lines = st.lists(
    st.builds(lambda q, p, c: TotalLine(line_amount(q, p), c[0], c[1]), quantities, prices, categories),
    min_size=1,
    max_size=60,
)


def test_it_rounds_line_amounts_half_up_to_the_cent():
    assert line_amount(Decimal("3"), Decimal("0.335")) == Decimal("1.01")
    assert line_amount(Decimal("1"), Decimal("0.125")) == Decimal("0.13")
    assert line_amount(Decimal("2.5"), Decimal("1.001")) == Decimal("2.50")


def test_it_computes_vat_once_per_group_not_per_line():
    # 3 lines of 0.05 at 21%: per-line VAT would be 3 x 0.01 = 0.03; on the group sum 0.15 x 21% = 0.0315 -> 0.03.
    # 7 lines of 0.10: per line 7 x 0.02 = 0.14; on the sum 0.70 x 21% = 0.147 -> 0.15.
    totals = compute([TotalLine(Decimal("0.10"), "S", Decimal("21"))] * 7)
    assert totals.vat == Decimal("0.15")
    assert totals.incl == Decimal("0.85")


@settings(max_examples=300, deadline=None)
@given(lines)
def test_it_keeps_the_breakdown_adding_up_to_the_totals(items):
    totals = compute(items)
    assert totals.vat == sum((g.vat for g in totals.breakdown), Decimal("0"))
    assert totals.excl == sum((g.taxable for g in totals.breakdown), Decimal("0"))
    assert totals.excl == sum((i.amount for i in items), Decimal("0"))
    assert totals.incl == totals.excl + totals.vat
    for value in [totals.excl, totals.vat, totals.incl]:
        assert value == value.quantize(CENT)


@settings(max_examples=300, deadline=None)
@given(lines)
def test_it_keeps_group_vat_within_half_a_cent_per_line_of_the_per_line_sum(items):
    totals = compute(items)
    for group in totals.breakdown:
        members = [i for i in items if (i.vat_category, i.vat_rate.quantize(CENT)) == (group.category, group.rate)]
        per_line = sum(((i.amount * group.rate / 100).quantize(CENT) for i in members), Decimal("0"))
        assert abs(group.vat - per_line) <= Decimal("0.005") * len(members) + Decimal("0.005")
        assert group.vat == (group.taxable * group.rate / 100).quantize(CENT, rounding="ROUND_HALF_UP")


@settings(max_examples=100, deadline=None)
@given(lines)
def test_it_gives_the_same_totals_whatever_the_line_order(items):
    assert compute(items) == compute(list(reversed(items)))
