from django.core.management import call_command

from haulbill.addressbook import csv_links
from haulbill.addressbook.models import Customer
from tests.factories import CustomerFactory


def ids(company):
    return dict(Customer.objects.for_company(company).values_list("reference", "invoicing_id"))


def test_it_exports_every_customer_with_its_invoicing_id(billit_company, other_company):
    CustomerFactory(
        company=billit_company, reference="C1", name="Alpha", vat_number="BE0477472701", invoicing_id="200001"
    )
    CustomerFactory(company=other_company, reference="THEIRS", name="Hidden")
    text = csv_links.export_links(billit_company)
    assert text.splitlines() == ["customer reference,name,VAT number,invoicing ID", "C1,Alpha,BE0477472701,200001"]


def test_it_reports_each_bad_row_with_its_line_and_writes_nothing_before_confirmation(billit_company):
    for ref in ("C1", "C2", "C3", "C4", "C5"):
        CustomerFactory(company=billit_company, reference=ref)
    CustomerFactory(company=billit_company, reference="LINKED", invoicing_id="200009")
    text = "\n".join([
        "customer reference;name;VAT number;invoicing ID",
        "C1;Alpha;;200001",          # 2 good
        "NOPE;Ghost;;200002",        # 3 unknown reference
        "C2;Beta;;12ab",             # 4 malformed
        "C3;Gamma;;200004",          # 5 used twice
        "C4;Delta;;200004",          # 6 used twice
        "C5;Eps;;200009",            # 7 linked to another customer
        "LINKED;Zeta;;",             # 8 empty: left alone
        "C2;Beta again;;https://my.billit.be/app/Customer/200010",  # 9 reference twice (with line 4)
    ])  # fmt: skip
    check = csv_links.check_import(billit_company, text)
    assert [(e.line, e.reason) for e in check.errors] == [
        (3, "No customer has the reference NOPE."),
        (4, "The reference C2 appears more than once in the file."),
        (5, "The invoicing ID 200004 is used more than once in the file."),
        (6, "The invoicing ID 200004 is used more than once in the file."),
        (7, "The invoicing ID 200009 is already linked to another customer."),
        (9, "The reference C2 appears more than once in the file."),
    ]
    assert [(r.line, r.reference, r.invoicing_id) for r in check.rows] == [(2, "C1", "200001")]
    assert ids(billit_company)["C1"] == ""  # nothing written yet


def test_it_writes_the_good_rows_together_when_confirmed(billit_company):
    for ref in ("C1", "C2", "C3"):
        CustomerFactory(company=billit_company, reference=ref)
    text = "customer reference,name,VAT number,invoicing ID\nC1,,,200001\nC2,,,bad!\nC3,,,200003\n"
    done = csv_links.apply_import(billit_company, text)
    assert len(done.rows) == 2
    assert ids(billit_company) == {"C1": "200001", "C2": "", "C3": "200003"}


def test_it_explains_a_file_without_the_expected_columns(billit_company):
    import pytest

    from haulbill.core.errors import HaulbillError

    with pytest.raises(HaulbillError) as caught:
        csv_links.check_import(billit_company, "name;id\nAlpha;1\n")
    assert "customer reference, name, VAT number, invoicing ID" in caught.value.message


def test_the_command_writes_nothing_without_yes_and_everything_good_with_it(
    billit_company, tmp_path, capsys, monkeypatch
):
    CustomerFactory(company=billit_company, reference="C1")
    path = tmp_path / "links.csv"
    path.write_text("customer reference,name,VAT number,invoicing ID\nC1,,,200001\nC9,,,200002\n")
    monkeypatch.setattr("builtins.input", lambda prompt: "n")
    call_command("import_links", str(path), "--company", str(billit_company.pk))
    out = capsys.readouterr().out
    assert "line 3: No customer has the reference C9." in out and "Nothing written." in out
    assert ids(billit_company)["C1"] == ""
    call_command("import_links", str(path), "--company", str(billit_company.pk), "--yes")
    assert ids(billit_company)["C1"] == "200001"
