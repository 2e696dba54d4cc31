from decimal import Decimal

import pytest

from haulbill.addressbook.models import VatRegime
from haulbill.catalog.models import VatLevel
from haulbill.invoicing import vat

MENTIONS = vat.Mentions("Reverse charge (art. 196)", "Exempt - export (art. 146)", "Exempt from VAT")


def customer(regime, vat_number="BE0477472701", country="BE"):
    return vat.CustomerVat("Kroon BV", regime, vat_number, country)


def product(level=VatLevel.CUSTOMER, rate=None):
    return vat.ProductVat("NAT", level, rate)


def test_it_uses_the_product_rate_for_a_product_level_product_whatever_the_customer():
    got = vat.resolve(
        product(VatLevel.PRODUCT, Decimal("6")), customer(VatRegime.INTRA_EU, "NL004495445B01", "NL"), MENTIONS
    )
    assert got == vat.VatTreatment("S", Decimal("6.00"))


def test_it_makes_a_zero_product_rate_category_z():
    assert vat.resolve(
        product(VatLevel.PRODUCT, Decimal("0")), customer(VatRegime.DOMESTIC), MENTIONS
    ) == vat.VatTreatment("Z", Decimal("0.00"))


def test_it_refuses_a_product_level_product_without_rate():
    with pytest.raises(vat.VatUnresolved) as exc:
        vat.resolve(product(VatLevel.PRODUCT, None), customer(VatRegime.DOMESTIC), MENTIONS)
    assert exc.value.code == "vat_product_without_rate"


def test_it_charges_21_percent_to_a_domestic_customer_by_default():
    assert vat.resolve(product(), customer(VatRegime.DOMESTIC), MENTIONS) == vat.VatTreatment("S", Decimal("21.00"))


def test_it_charges_the_product_belgian_rate_to_a_domestic_customer_when_the_product_has_one():
    assert vat.resolve(product(rate=Decimal("6")), customer(VatRegime.DOMESTIC), MENTIONS).rate == Decimal("6.00")


def test_it_reverse_charges_an_intra_eu_customer_with_the_legal_mention():
    got = vat.resolve(product(rate=Decimal("21")), customer(VatRegime.INTRA_EU, "NL004495445B01", "NL"), MENTIONS)
    assert got == vat.VatTreatment("AE", Decimal("0.00"), "VATEX-EU-AE", "Reverse charge (art. 196)")


def test_it_refuses_reverse_charge_with_an_invalid_vat_number():
    with pytest.raises(vat.VatUnresolved) as exc:
        vat.resolve(product(), customer(VatRegime.INTRA_EU, "NL123", "NL"), MENTIONS)
    assert exc.value.code == "vat_reverse_charge_without_vat_number"


def test_it_exempts_an_export_customer_with_the_export_mention():
    got = vat.resolve(product(), customer(VatRegime.EXPORT, "", "US"), MENTIONS)
    assert got == vat.VatTreatment("E", Decimal("0.00"), "VATEX-EU-146-1E", "Exempt - export (art. 146)")


def test_it_exempts_an_exempt_customer_with_the_exemption_mention():
    got = vat.resolve(product(), customer(VatRegime.EXEMPT), MENTIONS)
    assert (got.category, got.rate, got.exemption_text) == ("E", Decimal("0.00"), "Exempt from VAT")


def test_it_refuses_a_customer_level_product_for_a_customer_without_regime():
    with pytest.raises(vat.VatUnresolved) as exc:
        vat.resolve(product(), customer(""), MENTIONS)
    assert exc.value.code == "vat_customer_without_regime"
